/**
 * The control-plane store contract. Async so a networked backend (PostgreSQL) can
 * implement it; callers take the narrowest sub-interface they need.
 *
 * Common rules for every implementation (checked by conformance.ts):
 * - a missing record throws DittoError('NOT_FOUND'), a unique clash DittoError('CONFLICT');
 * - usernames, group names and share names are unique case-insensitively (SMB clients
 *   treat them so) and looked up the same way;
 * - records are returned as fresh copies; lists are sorted by name (shares by id,
 *   permissions users first, adapters by type, settings by key);
 * - patch fields that are `undefined` are left unchanged.
 */
import type {
  AdapterConfig,
  AdapterPatch,
  AdapterType,
  GuestConfig,
  Group,
  InstanceRecord,
  MetadataStoreConfig,
  MetadataStoreType,
  NewGroup,
  NewShare,
  NewStoreConfig,
  NewUser,
  PayloadStoreConfig,
  PayloadStoreType,
  PrincipalType,
  Setting,
  Share,
  SharePatch,
  SharePermission,
  User,
  UserPatch,
} from '../models.ts';

export interface UserStore {
  listUsers(): Promise<User[]>;
  getUser(username: string): Promise<User>;
  getUserById(id: string): Promise<User>;
  /** CONFLICT when the username or uid is taken. */
  createUser(user: NewUser): Promise<User>;
  updateUser(username: string, patch: UserPatch): Promise<User>;
  /** Also removes the user's group memberships and share permissions. */
  deleteUser(username: string): Promise<void>;
}

export interface GroupStore {
  listGroups(): Promise<Group[]>;
  getGroup(name: string): Promise<Group>;
  /** CONFLICT when the name or gid is taken; NOT_FOUND for an unknown member. */
  createGroup(group: NewGroup): Promise<Group>;
  updateGroup(name: string, patch: { gid?: number }): Promise<Group>;
  /** Also removes the group's share permissions. */
  deleteGroup(name: string): Promise<void>;
  /** Idempotent. */
  addGroupMember(group: string, username: string): Promise<Group>;
  /** Idempotent. */
  removeGroupMember(group: string, username: string): Promise<Group>;
  /** The groups a user belongs to. */
  listUserGroups(username: string): Promise<Group[]>;
}

export interface ShareStore {
  listShares(): Promise<Share[]>;
  getShare(name: string): Promise<Share>;
  getShareById(id: number): Promise<Share>;
  /** Allocates the next id (never reusing one); NOT_FOUND for an unknown store name. */
  createShare(share: NewShare): Promise<Share>;
  updateShare(name: string, patch: SharePatch): Promise<Share>;
  /** Also removes the share's permissions. */
  deleteShare(name: string): Promise<void>;
}

export interface PermissionStore {
  listSharePermissions(share: string): Promise<SharePermission[]>;
  /** Creates or replaces; NOT_FOUND for an unknown share or principal. */
  setSharePermission(permission: SharePermission): Promise<SharePermission>;
  deleteSharePermission(share: string, principalType: PrincipalType, principal: string): Promise<void>;
}

export interface MetadataStoreConfigStore {
  listMetadataStores(): Promise<MetadataStoreConfig[]>;
  getMetadataStore(name: string): Promise<MetadataStoreConfig>;
  createMetadataStore(store: NewStoreConfig<MetadataStoreType>): Promise<MetadataStoreConfig>;
  /** The type is fixed at creation: the data on disk belongs to it. */
  updateMetadataStore(name: string, config: Record<string, unknown>): Promise<MetadataStoreConfig>;
  /** IN_USE while a share references it. */
  deleteMetadataStore(name: string): Promise<void>;
}

export interface PayloadStoreConfigStore {
  listPayloadStores(): Promise<PayloadStoreConfig[]>;
  getPayloadStore(name: string): Promise<PayloadStoreConfig>;
  createPayloadStore(store: NewStoreConfig<PayloadStoreType>): Promise<PayloadStoreConfig>;
  updatePayloadStore(name: string, config: Record<string, unknown>): Promise<PayloadStoreConfig>;
  /** IN_USE while a share references it. */
  deletePayloadStore(name: string): Promise<void>;
}

export interface AdapterStore {
  listAdapters(): Promise<AdapterConfig[]>;
  getAdapter(type: AdapterType): Promise<AdapterConfig>;
  createAdapter(adapter: AdapterConfig): Promise<AdapterConfig>;
  updateAdapter(type: AdapterType, patch: AdapterPatch): Promise<AdapterConfig>;
  deleteAdapter(type: AdapterType): Promise<void>;
}

/** Free-form server settings; values are any JSON. */
export interface SettingsStore {
  listSettings(): Promise<Setting[]>;
  /** `undefined` when unset: settings are optional and callers supply their defaults. */
  getSetting(key: string): Promise<unknown>;
  setSetting(key: string, value: unknown): Promise<void>;
  deleteSetting(key: string): Promise<void>;
}

export interface GuestStore {
  /** GUEST_DEFAULTS until first updated. */
  getGuest(): Promise<GuestConfig>;
  updateGuest(patch: Partial<GuestConfig>): Promise<GuestConfig>;
}

/** The dfs instances sharing this database (the cluster view); see InstanceRecord. */
export interface InstanceStore {
  /** Oldest start first. */
  listInstances(): Promise<InstanceRecord[]>;
  /** Creates or replaces the instance's row. */
  putInstance(instance: InstanceRecord): Promise<void>;
  /** NOT_FOUND when there is no such instance. */
  deleteInstance(id: string): Promise<void>;
}

export interface ControlPlaneStore
  extends
    UserStore,
    GroupStore,
    ShareStore,
    PermissionStore,
    MetadataStoreConfigStore,
    PayloadStoreConfigStore,
    AdapterStore,
    SettingsStore,
    GuestStore,
    InstanceStore {
  /** Idempotent. */
  close(): Promise<void>;
}
