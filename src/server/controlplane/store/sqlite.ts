/**
 * ControlPlaneStore on one SQLite file (better-sqlite3). better-sqlite3 is synchronous;
 * the async contract is kept so callers are backend-agnostic. Multi-statement
 * operations run in a transaction.
 */
import { randomUUID } from 'node:crypto';
import { chmodSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { DittoError } from '../../../shared/errors.ts';
import {
  GUEST_DEFAULTS,
  SHARE_DEFAULTS,
  type AdapterConfig,
  type AdapterPatch,
  type AdapterType,
  type GuestConfig,
  type Group,
  type MetadataStoreConfig,
  type MetadataStoreType,
  type NewGroup,
  type NewShare,
  type NewStoreConfig,
  type NewUser,
  type PayloadStoreConfig,
  type PayloadStoreType,
  type PrincipalType,
  type Setting,
  type Share,
  type SharePatch,
  type SharePermission,
  type StoreConfig,
  type User,
  type UserPatch,
} from '../models.ts';
import { migrate } from './migrate.ts';
import { MIGRATIONS } from './migrations/index.ts';
import type { ControlPlaneStore } from './store.ts';

/** First uid/gid handed out when none is given: below are system accounts. */
const FIRST_ID = 1000;

interface UserRow {
  id: string;
  username: string;
  password_hash: string;
  nt_hash: string | null;
  role: User['role'];
  uid: number;
  gid: number;
  enabled: number;
  must_change_password: number;
  password_changed_at: string;
  display_name: string | null;
  email: string | null;
  created_at: string;
  updated_at: string;
}

interface GroupRow {
  id: string;
  name: string;
  gid: number;
  created_at: string;
  /** JSON array of usernames. */
  members: string;
}

interface ShareRow {
  id: number;
  name: string;
  kind: Share['kind'];
  metadata_store: string | null;
  payload_store: string | null;
  folder_path: string | null;
  enabled: number;
  read_only: number;
  squash: Share['squash'];
  anon_uid: number;
  anon_gid: number;
  allowed_networks: string;
  nfs: number;
  smb: number;
  smb_options: string;
  guest_access: Share['guestAccess'];
  default_access: Share['defaultAccess'];
  description: string;
  created_at: string;
}

interface StoreConfigRow {
  name: string;
  type: string;
  config: string;
  created_at: string;
  updated_at: string;
}

interface AdapterRow {
  type: AdapterType;
  enabled: number;
  port: number;
  bind: string;
  settings: string;
}

const GROUP_SELECT = `
  SELECT g.id, g.name, g.gid, g.created_at,
    (SELECT json_group_array(u.username ORDER BY u.username) FROM group_members m JOIN users u ON u.id = m.user_id
     WHERE m.group_id = g.id) AS members
  FROM groups g`;

const now = (): string => new Date().toISOString();

/** Callers may pass explicit `undefined`s (optional fields from parsed input); they mean "unchanged". */
function defined<T extends object>(patch: T): Partial<T> {
  return Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** Runs a write, turning a unique-constraint failure into CONFLICT with the message for that column. */
function unique<T>(write: () => T, messages: Record<string, string>): T {
  try {
    return write();
  } catch (err) {
    if (
      err instanceof Database.SqliteError &&
      (err.code === 'SQLITE_CONSTRAINT_UNIQUE' || err.code === 'SQLITE_CONSTRAINT_PRIMARYKEY')
    ) {
      const column = err.message.replace('UNIQUE constraint failed: ', '');
      throw new DittoError('CONFLICT', messages[column] ?? err.message);
    }
    throw err;
  }
}

function toUser(r: UserRow): User {
  return {
    id: r.id,
    username: r.username,
    passwordHash: r.password_hash,
    ...(r.nt_hash !== null && { ntHash: r.nt_hash }),
    role: r.role,
    uid: r.uid,
    gid: r.gid,
    enabled: r.enabled === 1,
    mustChangePassword: r.must_change_password === 1,
    passwordChangedAt: r.password_changed_at,
    ...(r.display_name !== null && { displayName: r.display_name }),
    ...(r.email !== null && { email: r.email }),
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

function toGroup(r: GroupRow): Group {
  return { id: r.id, name: r.name, gid: r.gid, members: JSON.parse(r.members) as string[], createdAt: r.created_at };
}

function toShare(r: ShareRow): Share {
  return {
    id: r.id,
    name: r.name,
    kind: r.kind,
    path: r.folder_path ?? '',
    metadataStore: r.metadata_store ?? '',
    payloadStore: r.payload_store ?? '',
    enabled: r.enabled === 1,
    readOnly: r.read_only === 1,
    squash: r.squash,
    anonUid: r.anon_uid,
    anonGid: r.anon_gid,
    allowedNetworks: JSON.parse(r.allowed_networks) as string[],
    protocols: { nfs: r.nfs === 1, smb: r.smb === 1 },
    smb: JSON.parse(r.smb_options) as Share['smb'],
    guestAccess: r.guest_access,
    defaultAccess: r.default_access,
    description: r.description,
    createdAt: r.created_at,
  };
}

function shareParams(s: Omit<Share, 'id' | 'createdAt'>): Record<string, unknown> {
  const folder = s.kind === 'folder';
  return {
    name: s.name,
    kind: s.kind,
    metadata_store: folder ? null : s.metadataStore,
    payload_store: folder ? null : s.payloadStore,
    folder_path: folder ? s.path : null,
    enabled: Number(s.enabled),
    read_only: Number(s.readOnly),
    squash: s.squash,
    anon_uid: s.anonUid,
    anon_gid: s.anonGid,
    allowed_networks: JSON.stringify(s.allowedNetworks),
    nfs: Number(s.protocols.nfs),
    smb: Number(s.protocols.smb),
    smb_options: JSON.stringify(s.smb),
    guest_access: s.guestAccess,
    default_access: s.defaultAccess,
    description: s.description,
  };
}

function toAdapter(r: AdapterRow): AdapterConfig {
  return {
    type: r.type,
    enabled: r.enabled === 1,
    port: r.port,
    bind: r.bind,
    settings: JSON.parse(r.settings) as Record<string, unknown>,
  };
}

type Query = (sql: string) => Database.Statement;

/** Metadata and payload store configs are the same table shape; one implementation serves both. */
class StoreConfigTable<T extends string> {
  constructor(
    private readonly q: Query,
    private readonly table: 'metadata_stores' | 'payload_stores',
    /** 'metadata store' / 'payload store', for messages. */
    private readonly kind: string,
    private readonly shareColumn: 'metadata_store' | 'payload_store',
  ) {}

  list(): StoreConfig<T>[] {
    return (this.q(`SELECT * FROM ${this.table} ORDER BY name`).all() as StoreConfigRow[]).map((r) => this.toConfig(r));
  }

  get(name: string): StoreConfig<T> {
    const row = this.q(`SELECT * FROM ${this.table} WHERE name = ?`).get(name) as StoreConfigRow | undefined;
    if (!row) throw new DittoError('NOT_FOUND', `${this.kind} '${name}' not found`);
    return this.toConfig(row);
  }

  create(c: NewStoreConfig<T>): StoreConfig<T> {
    const t = now();
    unique(
      () =>
        this.q(`INSERT INTO ${this.table} (name, type, config, created_at, updated_at) VALUES (?, ?, ?, ?, ?)`).run(
          c.name,
          c.type,
          JSON.stringify(c.config ?? {}),
          t,
          t,
        ),
      { [`${this.table}.name`]: `${this.kind} '${c.name}' already exists` },
    );
    return this.get(c.name);
  }

  update(name: string, config: Record<string, unknown>): StoreConfig<T> {
    const { changes } = this.q(`UPDATE ${this.table} SET config = ?, updated_at = ? WHERE name = ?`).run(
      JSON.stringify(config),
      now(),
      name,
    );
    if (changes === 0) throw new DittoError('NOT_FOUND', `${this.kind} '${name}' not found`);
    return this.get(name);
  }

  delete(name: string): void {
    this.get(name);
    const users = (
      this.q(`SELECT name FROM shares WHERE ${this.shareColumn} = ? ORDER BY name`).all(name) as { name: string }[]
    ).map((r) => r.name);
    if (users.length > 0) throw new DittoError('IN_USE', `${this.kind} '${name}' is used by share ${users.join(', ')}`);
    this.q(`DELETE FROM ${this.table} WHERE name = ?`).run(name);
  }

  private toConfig(r: StoreConfigRow): StoreConfig<T> {
    return {
      name: r.name,
      type: r.type as T,
      config: JSON.parse(r.config) as Record<string, unknown>,
      createdAt: r.created_at,
      updatedAt: r.updated_at,
    };
  }
}

export class SqliteControlPlaneStore implements ControlPlaneStore {
  private readonly statements = new Map<string, Database.Statement>();
  private readonly metadataStores: StoreConfigTable<MetadataStoreType>;
  private readonly payloadStores: StoreConfigTable<PayloadStoreType>;

  private constructor(
    private readonly db: Database.Database,
    /** Migration versions applied by this open (empty when the schema was current). */
    readonly appliedMigrations: number[],
  ) {
    const q: Query = (sql) => this.q(sql);
    this.metadataStores = new StoreConfigTable(q, 'metadata_stores', 'metadata store', 'metadata_store');
    this.payloadStores = new StoreConfigTable(q, 'payload_stores', 'payload store', 'payload_store');
  }

  /** Opens (creating if needed) the database at `file` and migrates it; ':memory:' works too. */
  static open(file: string): SqliteControlPlaneStore {
    const onDisk = file !== ':memory:';
    // Owner-only: the database holds password hashes and NT hashes (password equivalents).
    if (onDisk) mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
    const db = new Database(file);
    try {
      if (onDisk) {
        chmodSync(file, 0o600);
        db.pragma('journal_mode = WAL');
      }
      db.pragma('foreign_keys = ON');
      return new SqliteControlPlaneStore(db, migrate(db, MIGRATIONS));
    } catch (err) {
      db.close();
      throw err;
    }
  }

  async close(): Promise<void> {
    if (this.db.open) this.db.close();
  }

  /** IMMEDIATE: take the write lock up front so a read-then-write cannot interleave with another process. */
  private tx<T>(fn: () => T): T {
    return this.db.transaction(fn).immediate();
  }

  private q(sql: string): Database.Statement {
    let stmt = this.statements.get(sql);
    if (!stmt) {
      stmt = this.db.prepare(sql);
      this.statements.set(sql, stmt);
    }
    return stmt;
  }

  /** Next free id at or above FIRST_ID in `column` of `table`. */
  private nextId(table: 'users' | 'groups', column: 'uid' | 'gid'): number {
    const { max } = this.q(`SELECT MAX(${column}) AS max FROM ${table}`).get() as { max: number | null };
    return Math.max(FIRST_ID - 1, max ?? 0) + 1;
  }

  // ---- users ----

  private userRow(column: 'username' | 'id', value: string): User {
    const row = this.q(`SELECT * FROM users WHERE ${column} = ?`).get(value) as UserRow | undefined;
    if (!row) {
      throw new DittoError('NOT_FOUND', column === 'id' ? `user id ${value} not found` : `user '${value}' not found`);
    }
    return toUser(row);
  }

  private writeUser(sql: string, u: User): void {
    unique(
      () =>
        this.q(sql).run({
          id: u.id,
          username: u.username,
          password_hash: u.passwordHash,
          nt_hash: u.ntHash ?? null,
          role: u.role,
          uid: u.uid,
          gid: u.gid,
          enabled: Number(u.enabled),
          must_change_password: Number(u.mustChangePassword),
          password_changed_at: u.passwordChangedAt,
          display_name: u.displayName ?? null,
          email: u.email ?? null,
          created_at: u.createdAt,
          updated_at: u.updatedAt,
        }),
      { 'users.username': `user '${u.username}' already exists`, 'users.uid': `uid ${u.uid} is already in use` },
    );
  }

  async listUsers(): Promise<User[]> {
    return (this.q('SELECT * FROM users ORDER BY username').all() as UserRow[]).map(toUser);
  }

  async getUser(username: string): Promise<User> {
    return this.userRow('username', username);
  }

  async getUserById(id: string): Promise<User> {
    return this.userRow('id', id);
  }

  async createUser(input: NewUser): Promise<User> {
    const u = defined(input);
    return this.tx(() => {
      const uid = u.uid ?? this.nextId('users', 'uid');
      const t = now();
      const user: User = {
        role: 'user',
        enabled: true,
        mustChangePassword: false,
        ...u,
        id: randomUUID(),
        username: input.username,
        passwordHash: input.passwordHash,
        uid,
        gid: u.gid ?? uid,
        passwordChangedAt: t,
        createdAt: t,
        updatedAt: t,
      };
      this.writeUser(
        `INSERT INTO users (id, username, password_hash, nt_hash, role, uid, gid, enabled, must_change_password,
           password_changed_at, display_name, email, created_at, updated_at)
         VALUES (@id, @username, @password_hash, @nt_hash, @role, @uid, @gid, @enabled, @must_change_password,
           @password_changed_at, @display_name, @email, @created_at, @updated_at)`,
        user,
      );
      return this.userRow('id', user.id);
    });
  }

  async updateUser(username: string, patch: UserPatch): Promise<User> {
    return this.tx(() => {
      const current = this.userRow('username', username);
      const t = now();
      const { ntHash, displayName, email, ...rest } = defined(patch);
      const user: User = {
        ...current,
        ...rest,
        // null clears the optional fields; the spread of `current` would otherwise keep them.
        ntHash: ntHash === null ? undefined : (ntHash ?? current.ntHash),
        displayName: displayName === null ? undefined : (displayName ?? current.displayName),
        email: email === null ? undefined : (email ?? current.email),
        passwordChangedAt: rest.passwordHash !== undefined ? t : current.passwordChangedAt,
        updatedAt: t,
      };
      this.writeUser(
        `UPDATE users SET password_hash = @password_hash, nt_hash = @nt_hash, role = @role, uid = @uid, gid = @gid,
           enabled = @enabled, must_change_password = @must_change_password, password_changed_at = @password_changed_at,
           display_name = @display_name, email = @email, updated_at = @updated_at WHERE id = @id`,
        user,
      );
      return this.userRow('id', user.id);
    });
  }

  async deleteUser(username: string): Promise<void> {
    const { changes } = this.q('DELETE FROM users WHERE username = ?').run(username);
    if (changes === 0) throw new DittoError('NOT_FOUND', `user '${username}' not found`);
  }

  // ---- groups ----

  private groupRow(name: string): Group {
    const row = this.q(`${GROUP_SELECT} WHERE g.name = ?`).get(name) as GroupRow | undefined;
    if (!row) throw new DittoError('NOT_FOUND', `group '${name}' not found`);
    return toGroup(row);
  }

  async listGroups(): Promise<Group[]> {
    return (this.q(`${GROUP_SELECT} ORDER BY g.name`).all() as GroupRow[]).map(toGroup);
  }

  async getGroup(name: string): Promise<Group> {
    return this.groupRow(name);
  }

  async createGroup(g: NewGroup): Promise<Group> {
    return this.tx(() => {
      const id = randomUUID();
      const gid = g.gid ?? this.nextId('groups', 'gid');
      unique(
        () => this.q('INSERT INTO groups (id, name, gid, created_at) VALUES (?, ?, ?, ?)').run(id, g.name, gid, now()),
        {
          'groups.name': `group '${g.name}' already exists`,
          'groups.gid': `gid ${gid} is already in use`,
        },
      );
      for (const username of g.members ?? []) this.addMember(id, username);
      return this.groupRow(g.name);
    });
  }

  async updateGroup(name: string, patch: { gid?: number }): Promise<Group> {
    return this.tx(() => {
      const current = this.groupRow(name);
      const gid = patch.gid ?? current.gid;
      unique(() => this.q('UPDATE groups SET gid = ? WHERE id = ?').run(gid, current.id), {
        'groups.gid': `gid ${gid} is already in use`,
      });
      return this.groupRow(name);
    });
  }

  async deleteGroup(name: string): Promise<void> {
    const { changes } = this.q('DELETE FROM groups WHERE name = ?').run(name);
    if (changes === 0) throw new DittoError('NOT_FOUND', `group '${name}' not found`);
  }

  private addMember(groupId: string, username: string): void {
    const user = this.userRow('username', username);
    this.q('INSERT OR IGNORE INTO group_members (group_id, user_id) VALUES (?, ?)').run(groupId, user.id);
  }

  async addGroupMember(group: string, username: string): Promise<Group> {
    return this.tx(() => {
      this.addMember(this.groupRow(group).id, username);
      return this.groupRow(group);
    });
  }

  async removeGroupMember(group: string, username: string): Promise<Group> {
    return this.tx(() => {
      const { id } = this.groupRow(group);
      const user = this.userRow('username', username);
      this.q('DELETE FROM group_members WHERE group_id = ? AND user_id = ?').run(id, user.id);
      return this.groupRow(group);
    });
  }

  async listUserGroups(username: string): Promise<Group[]> {
    const user = this.userRow('username', username);
    const rows = this.q(
      `${GROUP_SELECT} WHERE g.id IN (SELECT group_id FROM group_members WHERE user_id = ?) ORDER BY g.name`,
    ).all(user.id) as GroupRow[];
    return rows.map(toGroup);
  }

  // ---- shares ----

  private shareRow(column: 'name' | 'id', value: string | number): Share {
    const row = this.q(`SELECT * FROM shares WHERE ${column} = ?`).get(value) as ShareRow | undefined;
    if (!row) {
      throw new DittoError('NOT_FOUND', column === 'id' ? `share id ${value} not found` : `share '${value}' not found`);
    }
    return toShare(row);
  }

  /**
   * A managed share names two existing stores (NOT_FOUND for a dangling one, with a better
   * message than the FK failure); a folder share names a path and no store.
   */
  private checkStores(s: Pick<Share, 'kind' | 'path' | 'metadataStore' | 'payloadStore'>): void {
    if (s.kind === 'folder') {
      if (s.path === '') throw new DittoError('VALIDATION', 'a folder share needs the path of its folder');
      if (s.metadataStore !== '' || s.payloadStore !== '') {
        throw new DittoError('VALIDATION', 'a folder share keeps its files in its folder: it takes no stores');
      }
      return;
    }
    if (s.path !== '')
      throw new DittoError('VALIDATION', 'a managed share keeps its files in stores: it takes no path');
    if (s.metadataStore === '' || s.payloadStore === '') {
      throw new DittoError('VALIDATION', 'a managed share needs a metadataStore and a payloadStore');
    }
    this.metadataStores.get(s.metadataStore);
    this.payloadStores.get(s.payloadStore);
  }

  async listShares(): Promise<Share[]> {
    return (this.q('SELECT * FROM shares ORDER BY id').all() as ShareRow[]).map(toShare);
  }

  async getShare(name: string): Promise<Share> {
    return this.shareRow('name', name);
  }

  async getShareById(id: number): Promise<Share> {
    return this.shareRow('id', id);
  }

  async createShare(input: NewShare): Promise<Share> {
    const { smb, ...rest } = defined(input);
    const share = {
      ...SHARE_DEFAULTS,
      ...rest,
      name: input.name,
      metadataStore: input.metadataStore ?? '',
      payloadStore: input.payloadStore ?? '',
      smb: { ...SHARE_DEFAULTS.smb, ...defined(smb ?? {}) },
    };
    return this.tx(() => {
      this.checkStores(share);
      const { lastInsertRowid } = unique(
        () =>
          this.q(
            `INSERT INTO shares (name, kind, metadata_store, payload_store, folder_path, enabled, read_only, squash,
               anon_uid, anon_gid, allowed_networks, nfs, smb, smb_options, guest_access, default_access, description,
               created_at)
             VALUES (@name, @kind, @metadata_store, @payload_store, @folder_path, @enabled, @read_only, @squash,
               @anon_uid, @anon_gid, @allowed_networks, @nfs, @smb, @smb_options, @guest_access, @default_access,
               @description, @created_at)`,
          ).run({ ...shareParams(share), created_at: now() }),
        { 'shares.name': `share '${input.name}' already exists` },
      );
      return this.shareRow('id', Number(lastInsertRowid));
    });
  }

  async updateShare(name: string, patch: SharePatch): Promise<Share> {
    return this.tx(() => {
      const current = this.shareRow('name', name);
      const { smb, ...rest } = defined(patch);
      const share = { ...current, ...rest, smb: { ...current.smb, ...defined(smb ?? {}) } };
      if (share.kind !== current.kind) {
        throw new DittoError('VALIDATION', `share '${name}' is a ${current.kind} share; a share cannot change kind`);
      }
      this.checkStores(share);
      this.q(
        `UPDATE shares SET metadata_store = @metadata_store, payload_store = @payload_store,
           folder_path = @folder_path, enabled = @enabled,
           read_only = @read_only, squash = @squash, anon_uid = @anon_uid, anon_gid = @anon_gid,
           allowed_networks = @allowed_networks, nfs = @nfs, smb = @smb, smb_options = @smb_options,
           guest_access = @guest_access, default_access = @default_access, description = @description WHERE id = @id`,
      ).run({ ...shareParams(share), id: current.id });
      return this.shareRow('id', current.id);
    });
  }

  async deleteShare(name: string): Promise<void> {
    const { changes } = this.q('DELETE FROM shares WHERE name = ?').run(name);
    if (changes === 0) throw new DittoError('NOT_FOUND', `share '${name}' not found`);
  }

  // ---- share permissions ----

  /** Id and canonical spelling of a permission's user or group. */
  private principal(type: PrincipalType, name: string): { id: string; name: string } {
    if (type === 'group') return this.groupRow(name);
    const { id, username } = this.userRow('username', name);
    return { id, name: username };
  }

  async listSharePermissions(share: string): Promise<SharePermission[]> {
    const { id } = this.shareRow('name', share);
    return this.q(
      `SELECT s.name AS share,
         CASE WHEN p.user_id IS NULL THEN 'group' ELSE 'user' END AS principalType,
         COALESCE(u.username, g.name) AS principal, p.access
       FROM share_permissions p JOIN shares s ON s.id = p.share_id
         LEFT JOIN users u ON u.id = p.user_id LEFT JOIN groups g ON g.id = p.group_id
       WHERE p.share_id = ? ORDER BY principalType DESC, principal COLLATE NOCASE`,
    ).all(id) as SharePermission[];
  }

  async setSharePermission(p: SharePermission): Promise<SharePermission> {
    return this.tx(() => {
      const share = this.shareRow('name', p.share);
      const principal = this.principal(p.principalType, p.principal);
      const column = p.principalType === 'user' ? 'user_id' : 'group_id';
      this.q(
        `INSERT INTO share_permissions (share_id, ${column}, access) VALUES (?, ?, ?)
         ON CONFLICT (share_id, ${column}) WHERE ${column} IS NOT NULL DO UPDATE SET access = excluded.access`,
      ).run(share.id, principal.id, p.access);
      return { share: share.name, principalType: p.principalType, principal: principal.name, access: p.access };
    });
  }

  async deleteSharePermission(share: string, principalType: PrincipalType, principal: string): Promise<void> {
    this.tx(() => {
      const { id } = this.shareRow('name', share);
      const column = principalType === 'user' ? 'user_id' : 'group_id';
      const { changes } = this.q(`DELETE FROM share_permissions WHERE share_id = ? AND ${column} = ?`).run(
        id,
        this.principal(principalType, principal).id,
      );
      if (changes === 0) {
        throw new DittoError('NOT_FOUND', `share '${share}' has no permission for ${principalType} '${principal}'`);
      }
    });
  }

  // ---- store configs ----

  async listMetadataStores(): Promise<MetadataStoreConfig[]> {
    return this.metadataStores.list();
  }

  async getMetadataStore(name: string): Promise<MetadataStoreConfig> {
    return this.metadataStores.get(name);
  }

  async createMetadataStore(c: NewStoreConfig<MetadataStoreType>): Promise<MetadataStoreConfig> {
    return this.metadataStores.create(c);
  }

  async updateMetadataStore(name: string, config: Record<string, unknown>): Promise<MetadataStoreConfig> {
    return this.metadataStores.update(name, config);
  }

  async deleteMetadataStore(name: string): Promise<void> {
    this.tx(() => this.metadataStores.delete(name));
  }

  async listPayloadStores(): Promise<PayloadStoreConfig[]> {
    return this.payloadStores.list();
  }

  async getPayloadStore(name: string): Promise<PayloadStoreConfig> {
    return this.payloadStores.get(name);
  }

  async createPayloadStore(c: NewStoreConfig<PayloadStoreType>): Promise<PayloadStoreConfig> {
    return this.payloadStores.create(c);
  }

  async updatePayloadStore(name: string, config: Record<string, unknown>): Promise<PayloadStoreConfig> {
    return this.payloadStores.update(name, config);
  }

  async deletePayloadStore(name: string): Promise<void> {
    this.tx(() => this.payloadStores.delete(name));
  }

  // ---- adapters ----

  private adapterRow(type: AdapterType): AdapterConfig {
    const row = this.q('SELECT * FROM adapters WHERE type = ?').get(type) as AdapterRow | undefined;
    if (!row) throw new DittoError('NOT_FOUND', `${type} adapter not found`);
    return toAdapter(row);
  }

  async listAdapters(): Promise<AdapterConfig[]> {
    return (this.q('SELECT * FROM adapters ORDER BY type').all() as AdapterRow[]).map(toAdapter);
  }

  async getAdapter(type: AdapterType): Promise<AdapterConfig> {
    return this.adapterRow(type);
  }

  async createAdapter(a: AdapterConfig): Promise<AdapterConfig> {
    unique(
      () =>
        this.q('INSERT INTO adapters (type, enabled, port, bind, settings) VALUES (?, ?, ?, ?, ?)').run(
          a.type,
          Number(a.enabled),
          a.port,
          a.bind,
          JSON.stringify(a.settings),
        ),
      { 'adapters.type': `${a.type} adapter already exists` },
    );
    return this.adapterRow(a.type);
  }

  async updateAdapter(type: AdapterType, patch: AdapterPatch): Promise<AdapterConfig> {
    return this.tx(() => {
      const a = { ...this.adapterRow(type), ...defined(patch) };
      this.q('UPDATE adapters SET enabled = ?, port = ?, bind = ?, settings = ? WHERE type = ?').run(
        Number(a.enabled),
        a.port,
        a.bind,
        JSON.stringify(a.settings),
        type,
      );
      return this.adapterRow(type);
    });
  }

  async deleteAdapter(type: AdapterType): Promise<void> {
    const { changes } = this.q('DELETE FROM adapters WHERE type = ?').run(type);
    if (changes === 0) throw new DittoError('NOT_FOUND', `${type} adapter not found`);
  }

  // ---- settings ----

  async listSettings(): Promise<Setting[]> {
    const rows = this.q('SELECT * FROM settings ORDER BY key').all() as {
      key: string;
      value: string;
      updated_at: string;
    }[];
    return rows.map((r) => ({ key: r.key, value: JSON.parse(r.value) as unknown, updatedAt: r.updated_at }));
  }

  async getSetting(key: string): Promise<unknown> {
    const row = this.q('SELECT value FROM settings WHERE key = ?').get(key) as { value: string } | undefined;
    return row && (JSON.parse(row.value) as unknown);
  }

  async setSetting(key: string, value: unknown): Promise<void> {
    const json = JSON.stringify(value) as string | undefined;
    if (json === undefined) throw new DittoError('VALIDATION', `setting '${key}': value is not JSON`);
    this.q(
      `INSERT INTO settings (key, value, updated_at) VALUES (?, ?, ?)
       ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`,
    ).run(key, json, now());
  }

  async deleteSetting(key: string): Promise<void> {
    const { changes } = this.q('DELETE FROM settings WHERE key = ?').run(key);
    if (changes === 0) throw new DittoError('NOT_FOUND', `setting '${key}' not found`);
  }

  // ---- guest ----

  private guestRow(): GuestConfig {
    const row = this.q('SELECT enabled, uid, gid FROM guest WHERE id = 1').get() as
      { enabled: number; uid: number; gid: number } | undefined;
    return row ? { enabled: row.enabled === 1, uid: row.uid, gid: row.gid } : { ...GUEST_DEFAULTS };
  }

  async getGuest(): Promise<GuestConfig> {
    return this.guestRow();
  }

  async updateGuest(patch: Partial<GuestConfig>): Promise<GuestConfig> {
    return this.tx(() => {
      const g = { ...this.guestRow(), ...defined(patch) };
      this.q('INSERT OR REPLACE INTO guest (id, enabled, uid, gid) VALUES (1, ?, ?, ?)').run(
        Number(g.enabled),
        g.uid,
        g.gid,
      );
      return g;
    });
  }
}
