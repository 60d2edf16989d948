/**
 * ControlPlaneStore on a SQL database (SQLite or PostgreSQL, see database.ts): each method
 * is one of the table modules beside this file; a change that reads before it writes is
 * one transaction.
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
} from '../../models.ts';
import type { ControlPlaneStore } from '../store.ts';
import * as adapters from './adapters.ts';
import type { SqlDatabase } from './database.ts';
import * as groups from './groups.ts';
import * as instances from './instances.ts';
import * as permissions from './permissions.ts';
import * as settings from './settings.ts';
import * as shares from './shares.ts';
import { StoreConfigTable } from './store-configs.ts';
import * as users from './users.ts';

export class SqlControlPlaneStore implements ControlPlaneStore {
  private readonly stores: shares.ShareStores;

  protected constructor(private readonly db: SqlDatabase) {
    this.stores = {
      metadata: new StoreConfigTable(db, 'metadata_stores', 'metadata store', 'metadata_store'),
      payload: new StoreConfigTable(db, 'payload_stores', 'payload store', 'payload_store'),
    };
  }

  close(): Promise<void> {
    return this.db.close();
  }

  listUsers(): Promise<User[]> {
    return users.listUsers(this.db);
  }
  getUser(username: string): Promise<User> {
    return users.findUser(this.db, 'username', username);
  }
  getUserById(id: string): Promise<User> {
    return users.findUser(this.db, 'id', id);
  }
  createUser(user: NewUser): Promise<User> {
    return users.createUser(this.db, user);
  }
  updateUser(username: string, patch: UserPatch): Promise<User> {
    return users.updateUser(this.db, username, patch);
  }
  deleteUser(username: string): Promise<void> {
    return users.deleteUser(this.db, username);
  }

  listGroups(): Promise<Group[]> {
    return groups.listGroups(this.db);
  }
  getGroup(name: string): Promise<Group> {
    return groups.findGroup(this.db, name);
  }
  createGroup(group: NewGroup): Promise<Group> {
    return groups.createGroup(this.db, group);
  }
  updateGroup(name: string, patch: { gid?: number }): Promise<Group> {
    return groups.updateGroup(this.db, name, patch);
  }
  deleteGroup(name: string): Promise<void> {
    return groups.deleteGroup(this.db, name);
  }
  addGroupMember(group: string, username: string): Promise<Group> {
    return groups.addGroupMember(this.db, group, username);
  }
  removeGroupMember(group: string, username: string): Promise<Group> {
    return groups.removeGroupMember(this.db, group, username);
  }
  listUserGroups(username: string): Promise<Group[]> {
    return groups.listUserGroups(this.db, username);
  }

  listShares(): Promise<Share[]> {
    return shares.listShares(this.db);
  }
  getShare(name: string): Promise<Share> {
    return shares.findShare(this.db, 'name', name);
  }
  getShareById(id: number): Promise<Share> {
    return shares.findShare(this.db, 'id', id);
  }
  createShare(share: NewShare): Promise<Share> {
    return shares.createShare(this.db, this.stores, share);
  }
  updateShare(name: string, patch: SharePatch): Promise<Share> {
    return shares.updateShare(this.db, this.stores, name, patch);
  }
  deleteShare(name: string): Promise<void> {
    return shares.deleteShare(this.db, name);
  }

  listSharePermissions(share: string): Promise<SharePermission[]> {
    return permissions.listSharePermissions(this.db, share);
  }
  setSharePermission(permission: SharePermission): Promise<SharePermission> {
    return permissions.setSharePermission(this.db, permission);
  }
  deleteSharePermission(share: string, principalType: PrincipalType, principal: string): Promise<void> {
    return permissions.deleteSharePermission(this.db, share, principalType, principal);
  }

  listMetadataStores(): Promise<MetadataStoreConfig[]> {
    return this.stores.metadata.list();
  }
  getMetadataStore(name: string): Promise<MetadataStoreConfig> {
    return this.stores.metadata.get(name);
  }
  createMetadataStore(store: NewStoreConfig<MetadataStoreType>): Promise<MetadataStoreConfig> {
    return this.stores.metadata.create(store);
  }
  updateMetadataStore(name: string, config: Record<string, unknown>): Promise<MetadataStoreConfig> {
    return this.stores.metadata.update(name, config);
  }
  deleteMetadataStore(name: string): Promise<void> {
    return this.stores.metadata.delete(name);
  }

  listPayloadStores(): Promise<PayloadStoreConfig[]> {
    return this.stores.payload.list();
  }
  getPayloadStore(name: string): Promise<PayloadStoreConfig> {
    return this.stores.payload.get(name);
  }
  createPayloadStore(store: NewStoreConfig<PayloadStoreType>): Promise<PayloadStoreConfig> {
    return this.stores.payload.create(store);
  }
  updatePayloadStore(name: string, config: Record<string, unknown>): Promise<PayloadStoreConfig> {
    return this.stores.payload.update(name, config);
  }
  deletePayloadStore(name: string): Promise<void> {
    return this.stores.payload.delete(name);
  }

  listAdapters(): Promise<AdapterConfig[]> {
    return adapters.listAdapters(this.db);
  }
  getAdapter(type: AdapterType): Promise<AdapterConfig> {
    return adapters.getAdapter(this.db, type);
  }
  createAdapter(adapter: AdapterConfig): Promise<AdapterConfig> {
    return adapters.createAdapter(this.db, adapter);
  }
  updateAdapter(type: AdapterType, patch: AdapterPatch): Promise<AdapterConfig> {
    return adapters.updateAdapter(this.db, type, patch);
  }
  deleteAdapter(type: AdapterType): Promise<void> {
    return adapters.deleteAdapter(this.db, type);
  }

  listSettings(): Promise<Setting[]> {
    return settings.listSettings(this.db);
  }
  getSetting(key: string): Promise<unknown> {
    return settings.getSetting(this.db, key);
  }
  setSetting(key: string, value: unknown): Promise<void> {
    return settings.setSetting(this.db, key, value);
  }
  deleteSetting(key: string): Promise<void> {
    return settings.deleteSetting(this.db, key);
  }

  getGuest(): Promise<GuestConfig> {
    return settings.getGuest(this.db);
  }
  updateGuest(patch: Partial<GuestConfig>): Promise<GuestConfig> {
    return settings.updateGuest(this.db, patch);
  }

  listInstances(): Promise<InstanceRecord[]> {
    return instances.listInstances(this.db);
  }
  putInstance(instance: InstanceRecord): Promise<void> {
    return instances.putInstance(this.db, instance);
  }
  deleteInstance(id: string): Promise<void> {
    return instances.deleteInstance(this.db, id);
  }
}
