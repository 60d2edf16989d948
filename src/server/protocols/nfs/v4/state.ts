/**
 * NFSv4.0 client, open and lock state (RFC 7530 §9): client ids from SETCLIENTID /
 * SETCLIENTID_CONFIRM, open- and lock-owners (owners.ts) with their opens, open stateids with
 * share reservations (access and deny bits), lock stateids whose byte ranges live in the
 * shared LockManager, and leases renewed by any use of a client's state and expired lazily
 * (an expired client's opens and locks are released). State is in memory: a restart changes
 * the epoch, so the clientids and stateids of an earlier instance answer STALE_* and clients
 * recover. Only the names of clients holding state are recorded (client-records.ts): when an
 * earlier instance had some, a grace period follows the start (grace.ts), in which those
 * clients reclaim their opens and locks and nobody else may take new ones (RFC 7530 §9.6.2).
 * Each open state holds its file (open-holds.ts) until it goes, however it goes.
 */
import { randomBytes } from 'node:crypto';
import type { ByteRangeLocks } from '../../../metadata/locks/byte-range-locks.ts';
import { shareOfFileKey } from '../../../metadata/locks/lock-manager.ts';
import type { HoldingsTally } from '../../holdings.ts';
import { noClientRecords, type ClientRecords } from './client-records.ts';
import { ReclaimGrace } from './grace.ts';
import type { OpenHolds } from './open-holds.ts';
import { lockClientPrefix } from './owners.ts';
import { Nfs4Status, NFS4_OTHER_SIZE, SHARE_ACCESS_READ, SHARE_ACCESS_WRITE } from './constants.ts';
import { Nfs4Error } from './errors.ts';
import { SessionTable } from './sessions.ts';
import type { Client, IoIntent, LockOwner, LockState, OpenOwner, OpenState, Stateid } from './state-types.ts';

const ANONYMOUS = Buffer.alloc(NFS4_OTHER_SIZE, 0);
const READ_BYPASS = Buffer.alloc(NFS4_OTHER_SIZE, 0xff);
/** Expired clients are looked at this often at most. */
const SWEEP_EVERY_MS = 1000;

export class Nfs4State {
  readonly epoch = randomBytes(4);
  private counter = 0;
  private readonly clients = new Map<string, Client>();
  private readonly stateids = new Map<string, OpenState | LockState>();
  private opens = 0;
  private readonly files = new Map<string, Set<OpenState>>();
  private lastSweepMs = 0;
  readonly sessions = new SessionTable();

  private readonly grace: ReclaimGrace;

  constructor(
    readonly leaseMs: number,
    private readonly locks: ByteRangeLocks,
    private readonly holds: OpenHolds,
    opts: { now?: () => number; graceMs?: number; records?: ClientRecords } = {},
  ) {
    this.now = opts.now ?? Date.now;
    this.grace = new ReclaimGrace(opts.records ?? noClientRecords, opts.graceMs ?? 0, this.now);
  }

  private readonly now: () => number;

  /** Whether the grace period after a restart is running (RFC 7530 §9.6.2, grace.ts). */
  inGrace(): boolean {
    return this.grace.active();
  }

  /** Checks a request for new state against the grace period (grace.ts). */
  checkGrace(client: Client, reclaim: boolean): void {
    this.grace.check(client, reclaim);
  }

  /** Rewrites the record of clients holding state: the live confirmed ones. */
  private saveRecords(): void {
    const holders: string[] = [];
    for (const c of this.clients.values()) if (c.confirmed && !c.expired) holders.push(c.name);
    this.grace.save(holders);
  }

  private nextId(size: number): Buffer {
    const b = Buffer.alloc(size);
    this.epoch.copy(b, 0);
    this.counter += 1;
    b.writeUIntBE(this.counter, size - 6, 6);
    return b;
  }

  /** RFC 7530 §16.33: a new unconfirmed client id, or a new confirm verifier for a known client. */
  setClientId(name: string, verifier: Buffer, addr: string): { clientid: Buffer; confirm: Buffer } {
    const confirm = randomBytes(8);
    for (const c of this.clients.values()) {
      if (c.name !== name) continue;
      if (c.confirmed && !c.expired && c.verifier.equals(verifier)) {
        c.confirm = confirm;
        c.addr = addr;
        return { clientid: c.clientid, confirm };
      }
      if (!c.confirmed) this.dropClient(c);
    }
    const client = this.newClient(name, verifier, 0, addr);
    client.confirm = confirm;
    return { clientid: client.clientid, confirm };
  }

  /** A new, unconfirmed client record (SETCLIENTID, EXCHANGE_ID). */
  newClient(name: string, verifier: Buffer, minorVersion: number, addr: string): Client {
    const client: Client = {
      clientid: this.nextId(8),
      name,
      verifier: Buffer.from(verifier),
      addr,
      confirm: Buffer.alloc(0),
      confirmed: false,
      expired: false,
      lastRenewMs: this.now(),
      owners: new Map(),
      lockOwners: new Map(),
      minorVersion,
      sessions: new Set(),
      createSessionSeq: 0,
      createSessionReply: undefined,
      reclaimComplete: false,
    };
    this.clients.set(client.clientid.toString('hex'), client);
    return client;
  }

  /** The records (confirmed or not, live) of a client name (EXCHANGE_ID's case analysis). */
  clientsNamed(name: string): Client[] {
    this.sweep();
    return [...this.clients.values()].filter((c) => c.name === name && !c.expired);
  }

  /** Any record by id, confirmed or not (CREATE_SESSION, DESTROY_CLIENTID): STALE_CLIENTID when unknown. */
  clientRecord(clientid: Buffer): Client {
    this.sweep();
    const client = this.clients.get(clientid.toString('hex'));
    if (!client || client.expired) throw new Nfs4Error(Nfs4Status.STALE_CLIENTID);
    return client;
  }

  /** RFC 7530 §16.34: confirms a client id; an earlier client of the same name loses its state. */
  confirmClientId(clientid: Buffer, confirm: Buffer): void {
    const client = this.clients.get(clientid.toString('hex'));
    if (!client || client.minorVersion > 0 || !client.confirm.equals(confirm)) {
      throw new Nfs4Error(Nfs4Status.STALE_CLIENTID);
    }
    this.confirm(client);
  }

  /** Confirms a client record: an earlier client of the same name loses its state. */
  confirm(client: Client): void {
    for (const other of this.clients.values()) {
      if (other !== client && other.name === client.name) this.dropClient(other);
    }
    const known = client.confirmed;
    client.confirmed = true;
    client.expired = false;
    client.lastRenewMs = this.now();
    if (!known) this.saveRecords();
  }

  /** A confirmed, live client by id, its lease renewed (RENEW, OPEN). */
  client(clientid: Buffer): Client {
    this.sweep();
    const client = this.clients.get(clientid.toString('hex'));
    if (!client || !client.confirmed) throw new Nfs4Error(Nfs4Status.STALE_CLIENTID);
    if (client.expired) throw new Nfs4Error(Nfs4Status.EXPIRED);
    client.lastRenewMs = this.now();
    return client;
  }

  /**
   * Opens (or upgrades the open of) a file for an owner, checking share reservations
   * against every other owner's opens (RFC 7530 §9.9): SHARE_DENIED on conflict.
   */
  open(owner: OpenOwner, fileKey: string, fh: Buffer, access: number, deny: number): OpenState {
    this.sweep();
    const held = this.files.get(fileKey);
    let mine: OpenState | undefined;
    for (const s of held ?? []) {
      if (s.owner === owner) {
        mine = s;
        continue;
      }
      if (access & s.deny || deny & s.access) throw new Nfs4Error(Nfs4Status.SHARE_DENIED);
    }
    if (mine) {
      mine.access |= access;
      mine.deny |= deny;
      mine.seqid += 1;
      return mine;
    }
    const state: OpenState = {
      kind: 'open',
      other: this.nextId(NFS4_OTHER_SIZE),
      seqid: 1,
      owner,
      fileKey,
      fh,
      access,
      deny,
      locks: new Set(),
    };
    this.stateids.set(state.other.toString('hex'), state);
    this.opens += 1;
    this.holds.hold(fh);
    owner.opens.add(state);
    if (held) held.add(state);
    else this.files.set(fileKey, new Set([state]));
    return state;
  }

  /** The open or lock state a stateid names, current in its seqid, its client's lease renewed. */
  stateOf(sid: Stateid): OpenState | LockState {
    this.sweep();
    const state = this.stateids.get(sid.other.toString('hex'));
    if (!state) {
      const stale = !sid.other.subarray(0, 4).equals(this.epoch);
      throw new Nfs4Error(stale ? Nfs4Status.STALE_STATEID : Nfs4Status.BAD_STATEID);
    }
    const client = state.kind === 'open' ? state.owner.client : state.lockOwner.client;
    if (client.expired) throw new Nfs4Error(Nfs4Status.EXPIRED);
    // RFC 8881 §8.2.2: in NFSv4.1 seqid 0 names the current version of the state.
    const current = sid.seqid === 0 && client.minorVersion > 0;
    if (current) sid = { seqid: state.seqid, other: sid.other };
    if (sid.seqid > state.seqid) throw new Nfs4Error(Nfs4Status.BAD_STATEID);
    if (sid.seqid < state.seqid) throw new Nfs4Error(Nfs4Status.OLD_STATEID);
    client.lastRenewMs = this.now();
    return state;
  }

  /** The open an open stateid names (CLOSE, OPEN_CONFIRM, OPEN_DOWNGRADE, LOCK). */
  openState(sid: Stateid): OpenState {
    const state = this.stateOf(sid);
    if (state.kind !== 'open') throw new Nfs4Error(Nfs4Status.BAD_STATEID, 'a lock stateid');
    return state;
  }

  lockState(sid: Stateid): LockState {
    const state = this.stateOf(sid);
    if (state.kind !== 'lock') throw new Nfs4Error(Nfs4Status.BAD_STATEID, 'an open stateid');
    return state;
  }

  /** The lock stateid of a lock-owner under an open, made on its first LOCK (RFC 7530 §9.1.4.2). */
  lockStateFor(open: OpenState, lockOwner: LockOwner): LockState {
    for (const l of open.locks) if (l.lockOwner === lockOwner) return l;
    const state: LockState = { kind: 'lock', other: this.nextId(NFS4_OTHER_SIZE), seqid: 0, open, lockOwner };
    this.stateids.set(state.other.toString('hex'), state);
    open.locks.add(state);
    lockOwner.locks.add(state);
    return state;
  }

  /**
   * Undoes a LOCK with open_to_lock_owner that failed (DENIED, ...): its lock stateid was
   * never handed out, and the client forgets such a lock-owner without RELEASE_LOCKOWNER and
   * reuses its name with seqid 0, so an owner left without lock states is forgotten too (as
   * knfsd does).
   */
  forgetUngranted(l: LockState): void {
    if (l.seqid !== 0) return;
    this.dropLockState(l);
    if (l.lockOwner.locks.size === 0) l.lockOwner.client.lockOwners.delete(l.lockOwner.owner.toString('hex'));
  }

  /** RELEASE_LOCKOWNER: forgets a lock-owner without locks; LOCKS_HELD while it has some. */
  releaseLockOwner(client: Client, owner: Buffer): void {
    const o = client.lockOwners.get(owner.toString('hex'));
    if (!o) return;
    for (const l of o.locks) if (this.locks.holds(l.open.fileKey, o.key)) throw new Nfs4Error(Nfs4Status.LOCKS_HELD);
    for (const l of o.locks) this.dropLockState(l);
    client.lockOwners.delete(owner.toString('hex'));
  }

  /**
   * RFC 8881 §18.38 FREE_STATEID: forgets a lock stateid without locks; an open stateid, or
   * one whose locks are held, is LOCKS_HELD.
   */
  freeStateid(sid: Stateid): void {
    const state = this.stateOf({ seqid: 0, other: sid.other });
    if (state.kind === 'open' || this.locks.holds(state.open.fileKey, state.lockOwner.key)) {
      throw new Nfs4Error(Nfs4Status.LOCKS_HELD);
    }
    this.dropLockState(state);
  }

  /** RFC 8881 §18.50.3 DESTROY_CLIENTID: only for a client without sessions or opens (else CLIENTID_BUSY). */
  destroyClient(client: Client): void {
    const opens = [...client.owners.values()].some((o) => o.opens.size > 0);
    if (client.sessions.size > 0 || opens) throw new Nfs4Error(Nfs4Status.CLIENTID_BUSY);
    this.dropClient(client);
    if (client.confirmed) this.saveRecords();
  }

  private dropLockState(l: LockState): void {
    void this.locks.release(l.open.fileKey, l.lockOwner.key);
    this.stateids.delete(l.other.toString('hex'));
    l.open.locks.delete(l);
    l.lockOwner.locks.delete(l);
  }

  /**
   * Whether I/O under `sid` on `fileKey` may proceed (RFC 7530 §9.1.4.3): the special
   * stateids may unless another open denies it; an open stateid must name this file and,
   * for writes, have write access.
   */
  checkIo(sid: Stateid, fileKey: string, intent: IoIntent): void {
    if (sid.other.equals(READ_BYPASS) && intent === 'read') return;
    if (sid.other.equals(ANONYMOUS) || sid.other.equals(READ_BYPASS)) {
      const bit = intent === 'read' ? SHARE_ACCESS_READ : SHARE_ACCESS_WRITE;
      for (const s of this.files.get(fileKey) ?? []) {
        if (s.deny & bit && !s.owner.client.expired) throw new Nfs4Error(Nfs4Status.LOCKED);
      }
      return;
    }
    const found = this.stateOf(sid);
    const open = found.kind === 'open' ? found : found.open;
    if (open.fileKey !== fileKey) throw new Nfs4Error(Nfs4Status.BAD_STATEID);
    if (intent === 'write' && !(open.access & SHARE_ACCESS_WRITE)) throw new Nfs4Error(Nfs4Status.OPENMODE);
  }

  /**
   * Ends an open; its lock states and their locks go with it, then its hold on the file (a
   * file with no name left goes with it: resolved when it has).
   */
  close(state: OpenState): Promise<void> {
    for (const l of [...state.locks]) this.dropLockState(l);
    const live = state.owner.opens.delete(state);
    if (this.stateids.delete(state.other.toString('hex'))) this.opens -= 1;
    const held = this.files.get(state.fileKey);
    held?.delete(state);
    if (held?.size === 0) this.files.delete(state.fileKey);
    return live ? this.holds.release(shareOfFileKey(state.fileKey), state.fh) : Promise.resolve();
  }

  /** The adapter stops: every client's opens end, so the files they hold (unlinked ones) go. */
  async closeAll(): Promise<void> {
    const ends: Promise<void>[] = [];
    for (const c of this.clients.values()) {
      for (const owner of c.owners.values()) for (const s of [...owner.opens]) ends.push(this.close(s));
    }
    await Promise.all(ends);
  }

  /** Open and confirmed client counts, for tests and status pages. */
  counts(): { clients: number; opens: number } {
    return { clients: this.liveClients().length, opens: this.opens };
  }

  /** Confirmed clients whose lease has not run out. */
  liveClients(): Client[] {
    return [...this.clients.values()].filter((c) => c.confirmed && !c.expired);
  }

  /** The files each live client has open and the locks it holds, by share (the sessions list). */
  tallyHoldings(tally: HoldingsTally): void {
    for (const c of this.liveClients()) {
      for (const owner of c.owners.values()) for (const s of owner.opens) tally.open(c.addr, shareOfFileKey(s.fileKey));
      tally.locksOf(lockClientPrefix(c), c.addr);
    }
  }

  /** Marks clients whose lease ran out as expired and releases their opens (RFC 7530 §9.6). */
  sweep(): void {
    const now = this.now();
    if (now - this.lastSweepMs < SWEEP_EVERY_MS) return;
    this.lastSweepMs = now;
    let expired = false;
    for (const c of this.clients.values()) {
      if (c.expired || now - c.lastRenewMs <= this.leaseMs) continue;
      if (!c.confirmed || c.minorVersion > 0) {
        // NFSv4.1 clients learn of it from BADSESSION and start over (RFC 8881 §8.4.2).
        this.dropClient(c);
        expired ||= c.confirmed;
        continue;
      }
      c.expired = true;
      this.releaseOpens(c);
      expired = true;
    }
    if (expired) this.saveRecords();
  }

  private releaseOpens(client: Client): void {
    for (const owner of client.owners.values()) {
      for (const s of [...owner.opens]) {
        const lockStates = [...s.locks];
        void this.close(s);
        // Its stateids keep answering EXPIRED until the client id is replaced.
        for (const st of [s, ...lockStates]) this.stateids.set(st.other.toString('hex'), st);
      }
    }
  }

  /** Forgets a client with its opens, locks and sessions. */
  dropClient(client: Client): void {
    this.sessions.dropClient(client);
    for (const owner of client.owners.values()) {
      for (const s of [...owner.opens]) void this.close(s);
    }
    for (const [key, s] of this.stateids) {
      if ((s.kind === 'open' ? s.owner.client : s.lockOwner.client) === client) this.stateids.delete(key);
    }
    this.clients.delete(client.clientid.toString('hex'));
  }
}
