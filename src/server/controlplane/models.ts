/**
 * Control-plane domain records: what the control-plane store persists and the Runtime,
 * API and CLI manage. Timestamps are ISO-8601 strings.
 */
import type { Durability } from '../../shared/api/schemas.ts';
import type { ShareAccess, Squash } from '../metadata/types.ts';
import type { AdapterConfig as AdapterRuntimeConfig } from '../runtime/types.ts';

export type Role = 'admin' | 'operator' | 'user';

export interface User {
  /** Opaque, stable (UUID). */
  id: string;
  /** Unique; cannot be renamed (API tokens, SMB sessions and audit logs carry it). */
  username: string;
  passwordHash: string;
  /** NT hash (MD4 of UTF-16LE password, hex) for SMB NTLM; absent until a password is set. */
  ntHash?: string;
  role: Role;
  /** Unique Unix identity used on NFS and for file ownership. */
  uid: number;
  gid: number;
  enabled: boolean;
  mustChangePassword: boolean;
  passwordChangedAt: string;
  displayName?: string;
  email?: string;
  createdAt: string;
  updatedAt: string;
}

export interface NewUser {
  username: string;
  passwordHash: string;
  ntHash?: string;
  role?: Role;
  /** Allocated (next free from 1000) when omitted. */
  uid?: number;
  /** Defaults to the uid (a user private group). */
  gid?: number;
  enabled?: boolean;
  mustChangePassword?: boolean;
  displayName?: string;
  email?: string;
}

/** `null` clears an optional field. A new passwordHash also stamps passwordChangedAt. */
export interface UserPatch {
  passwordHash?: string;
  ntHash?: string | null;
  role?: Role;
  uid?: number;
  gid?: number;
  enabled?: boolean;
  mustChangePassword?: boolean;
  displayName?: string | null;
  email?: string | null;
}

export interface Group {
  id: string;
  /** Unique. */
  name: string;
  /** Unique. */
  gid: number;
  /** Usernames, sorted. Stored by user id, so deleting a user drops its memberships. */
  members: string[];
  createdAt: string;
}

export interface NewGroup {
  name: string;
  /** Allocated (next free from 1000) when omitted. */
  gid?: number;
  members?: string[];
}

export type { ShareAccess };

export interface SmbShareOptions {
  browsable: boolean;
  /** Require SMB3 encryption for this share. */
  encrypt: boolean;
  /** CIDRs; empty allows every client not denied. */
  hostsAllow: string[];
  hostsDeny: string[];
}

/**
 * 'managed': the namespace lives in a metadata store and the content in a payload store.
 * 'folder': an existing directory of this computer, served in place (docs/folder-shares.md).
 */
export type ShareKind = 'managed' | 'folder';

export interface Share {
  /** Small integer, allocated 1, 2, ... and never reused: file handles encode it. */
  id: number;
  /** Unique export path, e.g. "/export". */
  name: string;
  kind: ShareKind;
  /** Folder shares: absolute path of the folder served; '' for a managed share. */
  path: string;
  /** Name of a MetadataStoreConfig; '' for a folder share. */
  metadataStore: string;
  /** Name of a PayloadStoreConfig; '' for a folder share. */
  payloadStore: string;
  enabled: boolean;
  readOnly: boolean;
  squash: Squash;
  anonUid: number;
  anonGid: number;
  /** CIDRs of clients allowed to mount; empty allows everyone. */
  allowedNetworks: string[];
  protocols: { nfs: boolean; smb: boolean };
  smb: SmbShareOptions;
  /** What unauthenticated (guest) SMB sessions may do. */
  guestAccess: ShareAccess;
  /**
   * What everyone else may do: a user without an entry of their own or of a group, and an
   * NFS uid that is no user's (see src/shared/api/access.ts).
   */
  defaultAccess: ShareAccess;
  /** When COMMIT replies: write log durable ('local') or data in the payload store, S3 included ('remote'). */
  durability: Durability;
  description: string;
  createdAt: string;
}

/** A managed share names its two stores; a folder share (kind 'folder') its path. */
export type NewShare = Pick<Share, 'name'> &
  Partial<Omit<Share, 'id' | 'name' | 'createdAt' | 'smb'>> & {
    smb?: Partial<SmbShareOptions>;
  };

/**
 * Stores (or a folder share's path) can be changed, but a share cannot be renamed (clients
 * mount it by name) or change kind.
 */
export type SharePatch = Partial<Omit<NewShare, 'name'>>;

/** What a share gets for every field NewShare leaves out: a root-squashed managed share everyone may write. */
export const SHARE_DEFAULTS: Readonly<Omit<Share, 'id' | 'name' | 'metadataStore' | 'payloadStore' | 'createdAt'>> = {
  kind: 'managed',
  path: '',
  enabled: true,
  readOnly: false,
  squash: 'root_to_guest',
  anonUid: 65534,
  anonGid: 65534,
  allowedNetworks: [],
  protocols: { nfs: true, smb: true },
  smb: { browsable: true, encrypt: false, hostsAllow: [], hostsDeny: [] },
  guestAccess: 'none',
  defaultAccess: 'write',
  durability: 'local',
  description: '',
};

export type PrincipalType = 'user' | 'group';

export interface SharePermission {
  /** Share name. */
  share: string;
  principalType: PrincipalType;
  /** Username or group name. */
  principal: string;
  /** 'none' is an explicit deny. */
  access: ShareAccess;
}

export const METADATA_STORE_TYPES = ['memory', 'sqlite', 'postgres'] as const;
export type MetadataStoreType = (typeof METADATA_STORE_TYPES)[number];
export const PAYLOAD_STORE_TYPES = ['memory', 'fs', 's3'] as const;
export type PayloadStoreType = (typeof PAYLOAD_STORE_TYPES)[number];

export interface StoreConfig<T extends string> {
  /** Unique per kind; shares refer to it. */
  name: string;
  type: T;
  /** Backend options (paths, DSN, bucket, ...). */
  config: Record<string, unknown>;
  createdAt: string;
  updatedAt: string;
}

export type MetadataStoreConfig = StoreConfig<MetadataStoreType>;
export type PayloadStoreConfig = StoreConfig<PayloadStoreType>;
export type NewStoreConfig<T extends string> = Pick<StoreConfig<T>, 'name' | 'type'> & {
  config?: Record<string, unknown>;
};

export type AdapterType = 'nfs' | 'smb';

/** A protocol listener; at most one per type. */
export interface AdapterConfig extends AdapterRuntimeConfig {
  type: AdapterType;
  enabled: boolean;
}

export type AdapterPatch = Partial<Omit<AdapterConfig, 'type'>>;

export interface Setting {
  key: string;
  /** Any JSON value. */
  value: unknown;
  updatedAt: string;
}

/** Whether unauthenticated (guest) SMB sessions are allowed, and the Unix identity they act as. */
export interface GuestConfig {
  enabled: boolean;
  uid: number;
  gid: number;
}

export const GUEST_DEFAULTS: GuestConfig = { enabled: false, uid: 65534, gid: 65534 };

/**
 * One dfs instance on the control-plane database, as it last reported itself (the cluster
 * view). Times are the reporting instance's clock (ISO, and milliseconds for the heartbeat).
 */
export interface InstanceRecord {
  /** Stable across restarts (kept in the instance's data directory). */
  id: string;
  hostname: string;
  /** Where clients reach it (best first; see runtime/connect.ts). */
  addresses: string[];
  ports: { api: number | null; nfs: number | null; smb: number | null };
  version: string;
  startedAt: string;
  /** When it last reported, ms since the epoch; an instance silent for too long is down. */
  heartbeatAt: number;
  /** Set when it stopped cleanly; cleared when it starts again. */
  stoppedAt: string | null;
  /** What it reported with its last heartbeat (sessions, health, pool use): JSON. */
  report: unknown;
}
