/** The share_permissions table: exactly one of user_id / group_id per row. */
import { DittoError } from '../../../../shared/errors.ts';
import type { PrincipalType, SharePermission } from '../../models.ts';
import type { SqlDatabase, SqlRunner } from './database.ts';
import { findGroup } from './groups.ts';
import { findShare } from './shares.ts';
import { findUser } from './users.ts';

/** Id and canonical spelling of a permission's user or group. */
async function findPrincipal(r: SqlRunner, type: PrincipalType, name: string): Promise<{ id: string; name: string }> {
  if (type === 'group') return findGroup(r, name);
  const { id, username } = await findUser(r, 'username', name);
  return { id, name: username };
}

const columnOf = (type: PrincipalType) => (type === 'user' ? 'user_id' : 'group_id');

/** Users first, then groups, each by name. */
export async function listSharePermissions(db: SqlDatabase, share: string): Promise<SharePermission[]> {
  const { id } = await findShare(db, 'name', share);
  return db.all<SharePermission>(
    `SELECT s.name AS share,
       CASE WHEN p.user_id IS NULL THEN 'group' ELSE 'user' END AS "principalType",
       COALESCE(u.username, g.name) AS principal, p.access
     FROM share_permissions p JOIN shares s ON s.id = p.share_id
       LEFT JOIN users u ON u.id = p.user_id LEFT JOIN groups g ON g.id = p.group_id
     WHERE p.share_id = ? ORDER BY "principalType" DESC, COALESCE(u.username, g.name) COLLATE NOCASE`,
    [id],
  );
}

export function setSharePermission(db: SqlDatabase, p: SharePermission): Promise<SharePermission> {
  return db.transaction(async (tx) => {
    const share = await findShare(tx, 'name', p.share);
    const principal = await findPrincipal(tx, p.principalType, p.principal);
    const column = columnOf(p.principalType);
    await tx.run(
      `INSERT INTO share_permissions (share_id, ${column}, access) VALUES (?, ?, ?)
       ON CONFLICT (share_id, ${column}) WHERE ${column} IS NOT NULL DO UPDATE SET access = excluded.access`,
      [share.id, principal.id, p.access],
    );
    return { share: share.name, principalType: p.principalType, principal: principal.name, access: p.access };
  });
}

export function deleteSharePermission(
  db: SqlDatabase,
  share: string,
  principalType: PrincipalType,
  principal: string,
): Promise<void> {
  return db.transaction(async (tx) => {
    const { id } = await findShare(tx, 'name', share);
    const principalId = (await findPrincipal(tx, principalType, principal)).id;
    const changes = await tx.run(
      `DELETE FROM share_permissions WHERE share_id = ? AND ${columnOf(principalType)} = ?`,
      [id, principalId],
    );
    if (changes === 0) {
      throw new DittoError('NOT_FOUND', `share '${share}' has no permission for ${principalType} '${principal}'`);
    }
  });
}
