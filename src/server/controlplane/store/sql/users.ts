/** The users table. Usernames are unique case-insensitively (COLLATE NOCASE). */
import { randomUUID } from 'node:crypto';
import { DittoError } from '../../../../shared/errors.ts';
import type { NewUser, User, UserPatch } from '../../models.ts';
import { defined, flag, nextId, now, unique } from './common.ts';
import type { SqlDatabase, SqlRunner } from './database.ts';

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

const COLUMNS = [
  'password_hash',
  'nt_hash',
  'role',
  'uid',
  'gid',
  'enabled',
  'must_change_password',
  'password_changed_at',
  'display_name',
  'email',
  'updated_at',
] as const;

const INSERT = `INSERT INTO users (${COLUMNS.join(', ')}, id, username, created_at)
  VALUES (${[...COLUMNS, 'id', 'username', 'created_at'].map(() => '?').join(', ')})`;
const UPDATE = `UPDATE users SET ${COLUMNS.map((c) => `${c} = ?`).join(', ')} WHERE id = ?`;

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

/** The values of COLUMNS, in order. */
const values = (u: User): unknown[] => [
  u.passwordHash,
  u.ntHash ?? null,
  u.role,
  u.uid,
  u.gid,
  flag(u.enabled),
  flag(u.mustChangePassword),
  u.passwordChangedAt,
  u.displayName ?? null,
  u.email ?? null,
  u.updatedAt,
];

const conflicts = (u: User): Record<string, string> => ({
  'users.username': `user '${u.username}' already exists`,
  'users.uid': `uid ${u.uid} is already in use`,
});

export async function findUser(r: SqlRunner, column: 'username' | 'id', value: string): Promise<User> {
  const row = await r.get<UserRow>(`SELECT * FROM users WHERE ${column} = ?`, [value]);
  if (!row) {
    throw new DittoError('NOT_FOUND', column === 'id' ? `user id ${value} not found` : `user '${value}' not found`);
  }
  return toUser(row);
}

export async function listUsers(db: SqlDatabase): Promise<User[]> {
  return (await db.all<UserRow>('SELECT * FROM users ORDER BY username')).map(toUser);
}

export function createUser(db: SqlDatabase, input: NewUser): Promise<User> {
  const u = defined(input);
  return db.transaction(async (tx) => {
    const uid = u.uid ?? (await nextId(tx, 'users', 'uid'));
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
    await unique(() => tx.run(INSERT, [...values(user), user.id, user.username, user.createdAt]), conflicts(user));
    return findUser(tx, 'id', user.id);
  });
}

export function updateUser(db: SqlDatabase, username: string, patch: UserPatch): Promise<User> {
  return db.transaction(async (tx) => {
    const current = await findUser(tx, 'username', username);
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
    await unique(() => tx.run(UPDATE, [...values(user), user.id]), conflicts(user));
    return findUser(tx, 'id', user.id);
  });
}

/** Memberships and permissions go with the user (ON DELETE CASCADE). */
export async function deleteUser(db: SqlDatabase, username: string): Promise<void> {
  if ((await db.run('DELETE FROM users WHERE username = ?', [username])) === 0) {
    throw new DittoError('NOT_FOUND', `user '${username}' not found`);
  }
}
