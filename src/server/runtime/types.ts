/**
 * What a protocol adapter sees of the Runtime. Adapters get this at construction and
 * never reach stores or the control plane directly.
 */
import type { Logger } from 'pino';
import type { MetadataOps, ShareAccess, ShareExportOptions } from '../metadata/types.ts';
import type { PayloadOps } from '../payload/types.ts';

export interface ShareInfo {
  name: string;
  /** Small stable number; file handles encode it. */
  id: number;
  enabled: boolean;
  /** Served over SMB (the share's protocols.smb); absent means yes. */
  smb?: boolean;
  /** The share's SMB rules; absent means the defaults (SMB_SHARE_DEFAULTS in protocols/smb/shares.ts). */
  smbRules?: SmbShareRules;
  export: ShareExportOptions & {
    /** CIDR list of clients allowed to mount; empty allows everyone. */
    allowedNetworks: string[];
  };
}

/** What SMB applies to a share besides the export rules (the share's `smb` options and guest access). */
export interface SmbShareRules {
  /** Listed by srvsvc NetShareEnum; a hidden share is still connectable by name. */
  browsable: boolean;
  /** Every request on its tree connects must be encrypted (MS-SMB2 §3.3.5.7). */
  encrypt: boolean;
  /** CIDRs; empty allows every client not denied. */
  hostsAllow: readonly string[];
  /** CIDRs; a match refuses the client whatever hostsAllow says. */
  hostsDeny: readonly string[];
  /** What guest and anonymous sessions may do (before the share's read-only flag). */
  guestAccess: ShareAccess;
}

export type MountProtocol = 'nfs3' | 'nfs4' | 'smb';

export interface MountRecord {
  id: string;
  protocol: MountProtocol;
  clientAddr: string;
  share: string;
  /** Authenticated user name, or uid for AUTH_SYS. */
  user: string;
  /**
   * The caller's own identity for the record, when (protocol, client, share) is not one:
   * SMB keeps one per session and share, as two users on one machine are two rows.
   */
  key?: string;
  /** NFS: the protocol version the client mounted with ("3", "4.0", "4.1", "4.2"). */
  version?: string;
  since: string;
  /** The last request on this mount (ms since the epoch: set on every request). */
  lastActiveMs: number;
  bytesRead: number;
  bytesWritten: number;
  ops: number;
}

/** One completed protocol request, for counters, metrics and live graphs. */
export interface OpSample {
  protocol: MountProtocol;
  op: string;
  share: string | undefined;
  clientAddr: string;
  /** The record to credit, for records added with a key (else the client's on `share`). */
  mountKey?: string | undefined;
  bytesRead: number;
  bytesWritten: number;
  latencyMs: number;
  /** 'ok' or the error code name. */
  status: string;
}

export interface MountsApi {
  add(rec: Omit<MountRecord, 'id' | 'since' | 'lastActiveMs' | 'bytesRead' | 'bytesWritten' | 'ops'>): MountRecord;
  /** Removes the records of a client (for one share, or all); returns how many. */
  remove(protocol: MountProtocol, clientAddr: string, share?: string): number;
  /** Removes the record added with this key; whether there was one. */
  removeKey(key: string): boolean;
  list(): MountRecord[];
  /** Adds a completed request to the matching mount's counters and the live stats. */
  record(sample: OpSample): void;
}

export interface SharesView {
  get(name: string): ShareInfo | undefined;
  list(): ShareInfo[];
}

/** A control-plane user as an authenticating protocol (SMB) needs it. */
export interface ProtocolUser {
  username: string;
  uid: number;
  gid: number;
  /** The gids of the user's control-plane groups. */
  gids: number[];
  /** MD4 of the UTF-16LE password (NTLM); absent until the password is next set. */
  ntHash: Buffer | undefined;
  enabled: boolean;
}

/** Whether unauthenticated (guest) SMB sessions are allowed, and the Unix identity they act as. */
export interface GuestIdentity {
  enabled: boolean;
  uid: number;
  gid: number;
}

export interface IdentityLookup {
  /** The user of that name (case-insensitive), or undefined. */
  byName(username: string): Promise<ProtocolUser | undefined>;
  /** The guest account as the control plane configures it now. */
  guest(): Promise<GuestIdentity>;
}

export interface ProtocolRuntime {
  metadata: MetadataOps;
  /** Users for protocols that authenticate by name and password (SMB). */
  identities: IdentityLookup;
  payload: PayloadOps;
  shares: SharesView;
  mounts: MountsApi;
  logger: Logger;
  /** Changes on each server start; NFS write verifier. */
  bootVerifier: Buffer;
  /** Where protocols keep what must outlive a restart (NFSv4 client records); none in tests. */
  stateDir?: string;
}

/** Which live connections to close: a client's, those on a share, the one carrying a keyed mount record. */
export interface DisconnectFilter {
  clientAddr?: string;
  share?: string;
  mountKey?: string;
}

/** A live connection: its client and the shares it used. */
export interface LiveConnection {
  clientAddr: string;
  shares: string[];
  /** The keys of the mount records the connection carries (SMB: one per session and share). */
  mountKeys?: string[];
  /** SMB: the negotiated dialect ("3.1.1") and whether the connection signs / encrypts. */
  dialect?: string | undefined;
  signed?: boolean;
  encrypted?: boolean;
}

/** Files a client has open and byte-range locks it holds on one share. */
export interface Holding {
  clientAddr: string;
  share: string;
  opens: number;
  locks: number;
}

export interface AdapterConfig {
  port: number;
  bind: string;
  settings: Record<string, unknown>;
}

export interface ProtocolAdapter {
  readonly protocol: string;
  /** The bound port (differs from the configured one when that was 0). */
  readonly port: number;
  /** Where MOUNT answers, for adapters that serve it (NFS): `port` unless set apart. */
  readonly mountPort?: number;
  /** Where the adapter's UDP programs answer (NFS: NLM and NSM), when it serves any. */
  readonly udpPort?: number;
  /** Live connections, for adapters that keep them (the dashboard's "connected"). */
  sessions?(): LiveConnection[];
  /** Open files and locks by client and share, for adapters with stateful opens or locks. */
  holdings?(): Holding[];
  /** Resolves once listening. */
  serve(): Promise<void>;
  /** Stops accepting, lets in-flight requests finish until the deadline, then closes. */
  stop(deadlineMs: number): Promise<void>;
  /** Ends live sessions of a client (and/or share) — for disconnect and share disable. */
  disconnect(filter: DisconnectFilter): number;
  /**
   * Ends live sessions and tree connects the control plane no longer allows (SMB, which
   * decides access at logon and tree connect; NFS checks every request against the live
   * tables instead), and resolves with how many once they are gone.
   */
  recheckAccess?(): Promise<number>;
  /** What the connection limits refused and closed, for adapters that have them. */
  connectionLimits?(): ConnectionLimitStats;
}

/** Counters of an adapter's connection limits (snake_case keys are the metrics' labels). */
export interface ConnectionLimitStats {
  refused: { max_connections: number; max_connections_per_client: number };
  timedOut: { idle: number; record: number };
  /** Bytes partially received records hold now, and how many records had to wait for them. */
  recordMemoryBytes: number;
  recordMemoryWaits: number;
}

export type AdapterFactory = (config: AdapterConfig, runtime: ProtocolRuntime) => ProtocolAdapter;
