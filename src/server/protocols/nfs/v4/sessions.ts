/**
 * NFSv4.1 sessions (RFC 8881 §2.10): a session belongs to one client id and has a slot
 * table. Each request names a slot and that slot's next sequence id; the slot remembers its
 * last sequence id and the reply to it, so a retry of the same request gets the same reply
 * without running again (exactly-once semantics, §2.10.6). The session is not bound to a
 * connection (SP4_NONE: any of the client's connections may use it), and the backchannel is
 * accepted but never used: the server hands out no delegations or layouts, so it never calls
 * back, and never connects to a client address.
 */
import { createHash, randomBytes } from 'node:crypto';
import { Nfs4Status } from './constants.ts';
import { Nfs4Error } from './errors.ts';
import type { Client } from './state-types.ts';

/** Largest slot table offered (ca_maxrequests): requests in flight per session. */
export const MAX_SLOTS = 64;
export const SESSIONID_SIZE = 16;
/** Requests larger than this are fingerprinted by their length and first bytes only (false-retry detection is a MAY). */
const FINGERPRINT_BYTES = 4096;

export interface ChannelAttrs {
  headerPadSize: number;
  maxRequestSize: number;
  maxResponseSize: number;
  maxResponseSizeCached: number;
  maxOperations: number;
  maxRequests: number;
  rdmaIrd: number[];
}

/** What a slot remembers of its last request (RFC 8881 §2.10.6.1). */
interface Slot {
  seqid: number;
  inProgress: boolean;
  /** Digest of the last request, to tell a retry from a new request reusing the seqid. */
  fingerprint: string;
  /** The reply, when the client asked for it to be cached (sa_cachethis); else a retry is RETRY_UNCACHED_REP. */
  reply: unknown;
}

export interface Session {
  readonly id: Buffer;
  readonly client: Client;
  readonly fore: ChannelAttrs;
  readonly back: ChannelAttrs;
  readonly flags: number;
  readonly slots: Slot[];
}

/** Outcome of SEQUENCE on a slot: run the request (and later `finish`), or answer the cached reply. */
export type SlotUse =
  | { kind: 'new'; session: Session; slotid: number; cache: boolean }
  | { kind: 'replay'; session: Session; slotid: number; reply: unknown };

export function fingerprintOf(request: Buffer): string {
  const h = createHash('sha1');
  h.update(String(request.length));
  h.update(request.subarray(0, FINGERPRINT_BYTES));
  return h.digest('base64');
}

export class SessionTable {
  private readonly sessions = new Map<string, Session>();

  create(client: Client, fore: ChannelAttrs, back: ChannelAttrs, flags: number): Session {
    const slots: Slot[] = [];
    for (let i = 0; i < fore.maxRequests; i++)
      slots.push({ seqid: 0, inProgress: false, fingerprint: '', reply: undefined });
    const session: Session = { id: randomBytes(SESSIONID_SIZE), client, fore, back, flags, slots };
    this.sessions.set(session.id.toString('hex'), session);
    client.sessions.add(session);
    return session;
  }

  /** A live session of a live client: BADSESSION otherwise (also once its client's lease expired). */
  get(id: Buffer): Session {
    const s = this.sessions.get(id.toString('hex'));
    if (!s || s.client.expired) throw new Nfs4Error(Nfs4Status.BADSESSION);
    return s;
  }

  destroy(session: Session): void {
    this.sessions.delete(session.id.toString('hex'));
    session.client.sessions.delete(session);
  }

  /** Drops every session of a client that goes away. */
  dropClient(client: Client): void {
    for (const s of [...client.sessions]) this.destroy(s);
  }

  /**
   * RFC 8881 §2.10.6.1 / §18.46.3: a request on a slot is new when its seqid follows the
   * slot's, a retry when it equals it (DELAY while the first is still running, the cached
   * reply when there is one, SEQ_FALSE_RETRY when it is another request), misordered else.
   */
  useSlot(session: Session, slotid: number, seqid: number, cache: boolean, fingerprint: string): SlotUse {
    const slot = session.slots[slotid];
    if (!slot) throw new Nfs4Error(Nfs4Status.BADSLOT, `slot ${slotid}`);
    if (seqid === slot.seqid) {
      if (slot.inProgress) throw new Nfs4Error(Nfs4Status.DELAY);
      if (fingerprint !== slot.fingerprint) throw new Nfs4Error(Nfs4Status.SEQ_FALSE_RETRY);
      if (slot.reply === undefined) throw new Nfs4Error(Nfs4Status.RETRY_UNCACHED_REP);
      return { kind: 'replay', session, slotid, reply: slot.reply };
    }
    if (seqid !== (slot.seqid + 1) >>> 0)
      throw new Nfs4Error(Nfs4Status.SEQ_MISORDERED, `${seqid} after ${slot.seqid}`);
    slot.seqid = seqid;
    slot.inProgress = true;
    slot.fingerprint = fingerprint;
    slot.reply = undefined;
    return { kind: 'new', session, slotid, cache };
  }

  /** Ends the request on its slot, keeping the reply when the client asked for it. */
  finish(use: SlotUse, reply: unknown): void {
    if (use.kind !== 'new') return;
    const slot = use.session.slots[use.slotid];
    if (!slot) return;
    slot.inProgress = false;
    slot.reply = use.cache ? reply : undefined;
  }

  /** The highest slot id the session has (sr_highest_slotid / sr_target_highest_slotid). */
  static highestSlot(session: Session): number {
    return session.slots.length - 1;
  }
}
