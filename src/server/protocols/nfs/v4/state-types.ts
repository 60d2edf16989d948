/** The records of NFSv4 client, open and lock state (RFC 7530 §9), kept by Nfs4State (state.ts). */
import type { Session } from './sessions.ts';

export interface Stateid {
  seqid: number;
  /** 12 bytes: the server epoch, then a counter. */
  other: Buffer;
}

export interface Client {
  readonly clientid: Buffer;
  readonly name: string;
  readonly verifier: Buffer;
  /** The address the client last set up its id from (the sessions list's open and lock counts). */
  addr: string;
  confirm: Buffer;
  confirmed: boolean;
  expired: boolean;
  lastRenewMs: number;
  readonly owners: Map<string, OpenOwner>;
  readonly lockOwners: Map<string, LockOwner>;
  /** 0 for SETCLIENTID clients, 1 or 2 for EXCHANGE_ID ones (RFC 8881 §18.35). */
  readonly minorVersion: number;
  readonly sessions: Set<Session>;
  /** CREATE_SESSION's sequence (RFC 8881 §18.36.4) and its last reply, for a retry. */
  createSessionSeq: number;
  createSessionReply: unknown;
  /** RECLAIM_COMPLETE was sent: no more reclaims from this client (RFC 8881 §18.51). */
  reclaimComplete: boolean;
}

/** A sequence of state-changing requests from one owner (RFC 7530 §9.1.7). */
export interface SeqOwner {
  /** The last seqid used; undefined before the owner's first request. */
  lastSeqid: number | undefined;
}

export interface LockOwner extends SeqOwner {
  readonly client: Client;
  /** The owner as the LockManager knows it: "nfs4:<clientid>:<owner>". */
  readonly key: string;
  readonly owner: Buffer;
  readonly locks: Set<LockState>;
}

export interface LockState {
  readonly kind: 'lock';
  readonly other: Buffer;
  seqid: number;
  readonly open: OpenState;
  readonly lockOwner: LockOwner;
}

export interface OpenOwner {
  readonly client: Client;
  readonly key: string;
  /** The last seqid used; undefined before the owner's first OPEN. */
  lastSeqid: number | undefined;
  confirmed: boolean;
  readonly opens: Set<OpenState>;
}

export interface OpenState {
  readonly kind: 'open';
  readonly other: Buffer;
  seqid: number;
  readonly owner: OpenOwner;
  readonly fileKey: string;
  /** The file's handle: the open holds the file while it lasts (open-holds.ts). */
  readonly fh: Buffer;
  access: number;
  deny: number;
  readonly locks: Set<LockState>;
}

/** What a READ, WRITE or SETATTR may do under its stateid. */
export type IoIntent = 'read' | 'write';
