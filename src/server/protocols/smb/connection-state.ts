/** MS-SMB2 §3.3.1.7 per-connection state, shared by the dispatcher and the handlers. */
import { Cipher, Dialect, SigningAlg } from './constants.ts';
import { sharesOf } from './mount-records.ts';
import type { Open, Session } from './state.ts';

/** Numbers connections for as long as the process runs. */
let connections = 0;

export class SmbConnectionState {
  /** Unique in the process: tells this connection's mount records from another's (mount-records.ts). */
  readonly id = ++connections;
  dialect: Dialect | undefined;
  /** The client's NEGOTIATE fields, for VALIDATE_NEGOTIATE_INFO (§3.3.5.15.12). */
  clientGuid: Buffer = Buffer.alloc(16);
  clientCapabilities = 0;
  clientSecurityMode = 0;
  clientDialects: number[] = [];
  serverCapabilities = 0;
  serverSecurityMode = 0;
  cipher: Cipher | undefined;
  signingAlg: SigningAlg = SigningAlg.HMAC_SHA256;
  /** §3.3.1.7 PreauthIntegrityHashValue (3.1.1), 64 zero bytes before NEGOTIATE. */
  preauthHash: Buffer = Buffer.alloc(64);
  readonly sessions = new Map<bigint, Session>();
  readonly opens = new Map<bigint, Open>();
  /** Requests answered STATUS_PENDING, by AsyncId, until their final reply (§3.3.1.1 async command table). */
  readonly pending = new Map<bigint, { messageId: bigint; cancel: () => void }>();
  /** Credits: message ids below this have been granted (§3.3.1.1 CommandSequenceWindow). */
  grantedUpTo = 1n;
  /** The ids used so far above the lowest unused one, to refuse a replayed id. */
  readonly usedIds = new Set<bigint>();
  lowestUnused = 0n;
  /** Ids handed out to sessions, trees and opens on this connection. */
  nextId = 1;
  /** Shares this connection's sessions have tree connects to (the dashboard and Disconnect use it). */
  get shares(): Set<string> {
    return new Set([...this.sessions.values()].flatMap((s) => [...sharesOf(s)]));
  }
  /** Whether requests arrived signed / encrypted (what the sessions list shows). */
  signed = false;
  encrypted = false;
  bytesRead = 0;
  bytesWritten = 0;
  /** The server address the client connected to (FSCTL_QUERY_NETWORK_INTERFACE_INFO). */
  localAddr = '127.0.0.1';

  constructor(
    readonly clientAddr: string,
    readonly clientPort: number,
  ) {}

  /** Credits the client holds (granted, not yet used). */
  get outstanding(): bigint {
    return this.grantedUpTo - this.lowestUnused - BigInt(this.usedIds.size);
  }

  /**
   * §3.3.5.2.3: a message id (and the ids its credit charge spans) must be granted and not
   * used before; returns false for an id outside the window or replayed.
   */
  consume(messageId: bigint, charge: number): boolean {
    const n = BigInt(Math.max(1, charge));
    if (messageId < this.lowestUnused || messageId + n > this.grantedUpTo) return false;
    for (let i = 0n; i < n; i++) if (this.usedIds.has(messageId + i)) return false;
    for (let i = 0n; i < n; i++) this.usedIds.add(messageId + i);
    while (this.usedIds.delete(this.lowestUnused)) this.lowestUnused++;
    return true;
  }

  /** Grants `n` more credits. */
  grant(n: number): void {
    this.grantedUpTo += BigInt(n);
  }

  newId(): number {
    return this.nextId++;
  }
}
