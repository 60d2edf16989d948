/** Users & Groups, with the per-share grid of effective access. */
import { useState } from 'react';
import { type UserDto } from '../../shared/api/index.ts';
import { DataTable } from '../components/DataTable.tsx';
import { AdminOnly, Badge, ErrorBox, Spinner } from '../components/ui.tsx';
import { useAllowed, useOp, useSession } from '../lib/api.tsx';
import { CreateUser, DeleteUser, EditUser } from './users/UserDialogs.tsx';
import { AccessGrid } from './users/AccessGrid.tsx';
import { CreateGroup, GroupList } from './users/Groups.tsx';

export function UsersPage() {
  const [creatingUser, setCreatingUser] = useState(false);
  const [creatingGroup, setCreatingGroup] = useState(false);
  const manage = useAllowed('users.create');
  return (
    <div className="page">
      <header className="page-header">
        <h1>Users &amp; Groups</h1>
        {manage && (
          <div className="header-actions">
            <button type="button" className="primary" onClick={() => setCreatingUser(true)}>
              New user
            </button>
            <button type="button" onClick={() => setCreatingGroup(true)}>
              New group
            </button>
          </div>
        )}
      </header>
      {!manage && <AdminOnly what="users and groups (share access below is yours to set)" />}
      <UserList manage={manage} />
      <AccessGrid />
      <GroupList manage={manage} />
      {creatingUser && <CreateUser onClose={() => setCreatingUser(false)} />}
      {creatingGroup && <CreateGroup onClose={() => setCreatingGroup(false)} />}
    </div>
  );
}

function UserList({ manage }: { manage: boolean }) {
  const users = useOp('users.list', {});
  const me = useSession()?.user.username;
  const [editing, setEditing] = useState<UserDto>();
  const [deleting, setDeleting] = useState<UserDto>();
  return (
    <section className="card" aria-labelledby="users-h">
      <h2 id="users-h">Users</h2>
      {users.isPending && <Spinner />}
      <ErrorBox error={users.error} />
      <DataTable
        label="Users"
        columns={['User', 'Role', 'Groups', 'SMB password', 'Status']}
        actions={manage}
        rows={users.data}
      >
        {(u) => (
          <tr key={u.username} data-user={u.username}>
            <td>
              <strong>{u.username}</strong>
              {u.displayName && <div className="muted small">{u.displayName}</div>}
              <div className="muted small">
                uid {u.uid} · gid {u.gid}
              </div>
            </td>
            <td>{u.role}</td>
            <td>{u.groups.join(', ') || '—'}</td>
            <td>{u.smbPassword ? <Badge kind="ok">set</Badge> : <Badge kind="warn">not set</Badge>}</td>
            <td>
              {u.enabled ? <Badge kind="ok">active</Badge> : <Badge kind="muted">disabled</Badge>}
              {u.mustChangePassword && <Badge kind="info">must change password</Badge>}
            </td>
            {manage && (
              <td className="actions">
                <button type="button" className="small" onClick={() => setEditing(u)}>
                  Edit
                </button>
                <button
                  type="button"
                  className="small danger"
                  disabled={u.username === me}
                  onClick={() => setDeleting(u)}
                >
                  Delete
                </button>
              </td>
            )}
          </tr>
        )}
      </DataTable>
      {editing && <EditUser user={editing} onClose={() => setEditing(undefined)} />}
      {deleting && <DeleteUser user={deleting} onClose={() => setDeleting(undefined)} />}
    </section>
  );
}
