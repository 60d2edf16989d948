/**
 * What NLM keeps between calls: the grace period after a restart, blocked LOCK requests,
 * grants made while the client was not looking, the hosts that hold locks, and DOS share
 * reservations. The locks themselves live in the lock manager every protocol shares.
 *
 * Blocking locks (XNFS 14, NLM_LOCK with block = true): a conflict is answered
 * NLM4_BLOCKED and the request waits in the lock manager. A server would call the client
 * back (NLM_GRANTED) when the lock frees; this one never connects to a client, so the lock
 * is taken for the client when it frees and the client's next retry of the same LOCK
 * (Linux retries a blocked lock every 30 s) is answered NLM4_GRANTED at once. A CANCEL in
 * between gives such a lock back.
 */
import type { ByteRangeLocks } from '../../metadata/locks/byte-range-locks.ts';
import {
  clientPrefix,
  fileKey,
  ownerKey,
  ownerOf,
  TO_END,
  type ByteRangeLock,
} from '../../metadata/locks/lock-manager.ts';
import type { ProtocolRuntime } from '../../runtime/types.ts';
import type { RpcCall } from '../rpc/program.ts';
import { admitHandle } from '../nfs/admission.ts';
import { fileClientRecords, type ClientRecords } from '../nfs/v4/client-records.ts';
import type { Nlm4Holder, Nlm4Lock } from './codec.ts';
import { ShareReservations } from './share-reservations.ts';
import type { HoldingsTally } from '../holdings.ts';

const U64_MAX = (1n << 64n) - 1n;

export interface NlmOptions {
  /** How long after a restart hosts that held locks may reclaim them before others may lock; 0 skips it. */
  graceSeconds: number;
  now?: () => number;
  records?: ClientRecords;
}

/** A lock request resolved: the file in the lock table, the owner, the range. */
export interface NlmTarget {
  file: string;
  owner: string;
  start: bigint;
  end: bigint;
}

export class NlmState {
  readonly locks: ByteRangeLocks;
  readonly shares = new ShareReservations();
  private readonly graceUntil: number;
  private readonly now: () => number;
  private readonly records: ClientRecords | undefined;
  /** Hosts holding locks in this run, with the address each last called from. */
  private readonly hosts = new Map<string, string>();
  /** Locks taken for a blocked client that has not retried yet, by targetKey. */
  private readonly grantedForClient = new Set<string>();

  constructor(
    readonly runtime: ProtocolRuntime,
    opts: NlmOptions,
  ) {
    this.locks = runtime.metadata.locks;
    this.now = opts.now ?? Date.now;
    this.records =
      opts.records ??
      (runtime.stateDir === undefined ? undefined : fileClientRecords(runtime.stateDir, 'nlm-hosts.json'));
    const before = this.records?.load() ?? [];
    this.graceUntil = before.length > 0 ? this.now() + opts.graceSeconds * 1000 : 0;
    if (before.length > 0) this.records?.save([]);
  }

  /** RFC-less but universal (XNFS 14.2): only reclaims are served until the grace period ends. */
  inGrace(): boolean {
    return this.now() < this.graceUntil;
  }

  /** The file a lock names (admitted for the caller) and the owner "nlm:<host>:<svid>". */
  async target(call: RpcCall, lock: Nlm4Lock): Promise<NlmTarget> {
    const share = admitHandle(this.runtime, call, lock.fh);
    const attr = await this.runtime.metadata.getAttr(call.auth, lock.fh);
    const end = lock.length === 0n || lock.offset + lock.length > U64_MAX ? TO_END : lock.offset + lock.length;
    return {
      file: fileKey(share.name, attr.fileid),
      owner: nlmOwner(lock.callerName, lock.svid),
      start: lock.offset,
      end,
    };
  }

  /** Remembers that a host holds locks, so a restart gives it a grace period to reclaim them. */
  noteHost(callerName: string, addr: string): void {
    const known = this.hosts.has(callerName);
    this.hosts.set(callerName, addr);
    if (!known) this.records?.save([...this.hosts.keys()]);
  }

  /** The locks each host holds, by share, at the address it last called from (the sessions list). */
  tallyHoldings(tally: HoldingsTally): void {
    for (const [name, addr] of this.hosts) tally.locksOf(hostPrefix(name), addr);
  }

  /** A blocked request was granted while the client waited: its retry is answered GRANTED. */
  grantedWhileWaiting(t: NlmTarget): void {
    this.grantedForClient.add(targetKey(t));
  }

  /** The client retried (or cancelled) a request granted for it: true when there was one. */
  takeGrant(t: NlmTarget): boolean {
    return this.grantedForClient.delete(targetKey(t));
  }

  /** FREE_ALL / SM_NOTIFY: the host restarted; every lock, wait and share it held goes. */
  freeHost(callerName: string): void {
    const prefix = hostPrefix(callerName);
    void this.locks.releaseWhere((o) => o.startsWith(prefix));
    for (const k of this.grantedForClient) if (k.includes(`\n${prefix}`)) this.grantedForClient.delete(k);
    this.shares.releaseHost(callerName);
    if (this.hosts.delete(callerName)) this.records?.save([...this.hosts.keys()]);
  }

  /** SM_NOTIFY: the host named `monName` restarted; also any host that called from `addr` (names differ between lockd and statd). */
  hostRestarted(monName: string, addr: string): void {
    for (const [name, from] of [...this.hosts]) if (from === addr && name !== monName) this.freeHost(name);
    this.freeHost(monName);
  }
}

/** The owner of an NLM lock: the host's name and the process (svid) in it. */
export function nlmOwner(callerName: string, svid: number): string {
  return ownerKey('nlm', encodeURIComponent(callerName), String(svid));
}

/** What every lock owner of a host starts with. */
const hostPrefix = (callerName: string): string => clientPrefix('nlm', encodeURIComponent(callerName));

function targetKey(t: NlmTarget): string {
  return `${t.file}\n${t.owner}\n${t.start}\n${t.end}`;
}

/** nlm4_holder for a conflicting lock of any protocol; other protocols' owners appear as svid 0. */
export function holderOf(l: ByteRangeLock): Nlm4Holder {
  const { protocol, owner } = ownerOf(l.owner);
  const start = l.start > U64_MAX ? U64_MAX : l.start;
  return {
    exclusive: l.kind === 'write',
    svid: protocol === 'nlm' ? Number(owner) | 0 : 0,
    oh: Buffer.from(l.owner),
    offset: start,
    length: l.end >= TO_END || l.end - start > U64_MAX ? 0n : l.end - start,
  };
}
