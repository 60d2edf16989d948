/** The groups and group_members tables. Group names are unique case-insensitively. */
import { randomUUID } from 'node:crypto';
import { DittoError } from '../../../../shared/errors.ts';
import type { Group, NewGroup } from '../../models.ts';
import { nextId, now, unique } from './common.ts';
import type { SqlDatabase, SqlRunner } from './database.ts';
import { findUser } from './users.ts';

interface GroupRow {
  id: string;
  name: string;
  gid: number;
  created_at: string;
}

/** The groups with their members' usernames (sorted), one query for all of them. */
async function withMembers(r: SqlRunner, rows: GroupRow[]): Promise<Group[]> {
  if (rows.length === 0) return [];
  const members = new Map<string, string[]>(rows.map((g) => [g.id, []]));
  const one = rows.length === 1;
  const memberships = await r.all<{ group_id: string; username: string }>(
    `SELECT m.group_id, u.username FROM group_members m JOIN users u ON u.id = m.user_id
     ${one ? 'WHERE m.group_id = ?' : ''} ORDER BY u.username`,
    one ? [rows[0]!.id] : [],
  );
  for (const m of memberships) members.get(m.group_id)?.push(m.username);
  return rows.map((g) => ({
    id: g.id,
    name: g.name,
    gid: g.gid,
    members: members.get(g.id)!,
    createdAt: g.created_at,
  }));
}

export async function findGroup(r: SqlRunner, name: string): Promise<Group> {
  const row = await r.get<GroupRow>('SELECT * FROM groups WHERE name = ?', [name]);
  if (!row) throw new DittoError('NOT_FOUND', `group '${name}' not found`);
  return (await withMembers(r, [row]))[0]!;
}

async function addMember(r: SqlRunner, groupId: string, username: string): Promise<void> {
  const user = await findUser(r, 'username', username);
  await r.run('INSERT INTO group_members (group_id, user_id) VALUES (?, ?) ON CONFLICT DO NOTHING', [groupId, user.id]);
}

export async function listGroups(db: SqlDatabase): Promise<Group[]> {
  return withMembers(db, await db.all<GroupRow>('SELECT * FROM groups ORDER BY name'));
}

export function createGroup(db: SqlDatabase, g: NewGroup): Promise<Group> {
  return db.transaction(async (tx) => {
    const id = randomUUID();
    const gid = g.gid ?? (await nextId(tx, 'groups', 'gid'));
    await unique(
      () => tx.run('INSERT INTO groups (id, name, gid, created_at) VALUES (?, ?, ?, ?)', [id, g.name, gid, now()]),
      { 'groups.name': `group '${g.name}' already exists`, 'groups.gid': `gid ${gid} is already in use` },
    );
    for (const username of g.members ?? []) await addMember(tx, id, username);
    return findGroup(tx, g.name);
  });
}

export function updateGroup(db: SqlDatabase, name: string, patch: { gid?: number }): Promise<Group> {
  return db.transaction(async (tx) => {
    const current = await findGroup(tx, name);
    const gid = patch.gid ?? current.gid;
    await unique(() => tx.run('UPDATE groups SET gid = ? WHERE id = ?', [gid, current.id]), {
      'groups.gid': `gid ${gid} is already in use`,
    });
    return findGroup(tx, name);
  });
}

/** Memberships and permissions go with the group (ON DELETE CASCADE). */
export async function deleteGroup(db: SqlDatabase, name: string): Promise<void> {
  if ((await db.run('DELETE FROM groups WHERE name = ?', [name])) === 0) {
    throw new DittoError('NOT_FOUND', `group '${name}' not found`);
  }
}

export function addGroupMember(db: SqlDatabase, group: string, username: string): Promise<Group> {
  return db.transaction(async (tx) => {
    await addMember(tx, (await findGroup(tx, group)).id, username);
    return findGroup(tx, group);
  });
}

export function removeGroupMember(db: SqlDatabase, group: string, username: string): Promise<Group> {
  return db.transaction(async (tx) => {
    const { id } = await findGroup(tx, group);
    const user = await findUser(tx, 'username', username);
    await tx.run('DELETE FROM group_members WHERE group_id = ? AND user_id = ?', [id, user.id]);
    return findGroup(tx, group);
  });
}

export async function listUserGroups(db: SqlDatabase, username: string): Promise<Group[]> {
  const user = await findUser(db, 'username', username);
  const rows = await db.all<GroupRow>(
    'SELECT * FROM groups WHERE id IN (SELECT group_id FROM group_members WHERE user_id = ?) ORDER BY name',
    [user.id],
  );
  return withMembers(db, rows);
}
