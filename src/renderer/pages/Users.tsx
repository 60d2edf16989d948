/** Users & Groups, with the per-share grid of effective access. */
import { useQueries, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import {
  CreateGroupRequest,
  CreateUserRequest,
  ROLES,
  SetPasswordRequest,
  UpdateUserRequest,
  type GroupDto,
  type Role,
  type ShareAccess,
  type UserDto,
} from '../../shared/api/index.ts';
import { ConfirmDeleteDialog } from '../components/ConfirmDeleteDialog.tsx';
import { DataTable } from '../components/DataTable.tsx';
import { DialogButtons } from '../components/DialogButtons.tsx';
import { Form } from '../components/Form.tsx';
import { PASSWORDS_DIFFER, PasswordFields } from '../components/PasswordFields.tsx';
import {
  AdminOnly,
  Badge,
  Dialog,
  EmptyState,
  ErrorBox,
  SelectField,
  Spinner,
  TextField,
  Toggle,
} from '../components/ui.tsx';
import { key, useAllowed, useMutate, useOp, useSession, useTransport } from '../lib/api.tsx';
import { check, explain, type FieldErrors } from '../lib/forms.ts';

const ROLE_HELP: Record<Role, string> = {
  admin: 'Administrator — manages everything',
  operator: 'Operator — manages shares, sees activity',
  user: 'User — uses the shares',
};
const ACCESS_LABEL: Record<ShareAccess, string> = { none: 'No access', read: 'Read only', write: 'Read & write' };

/** Said wherever NFS access is decided by uid. */
export const NFS_TRUSTS_CLIENTS =
  'NFS trusts the user id a client claims, so anyone on an allowed network can act as any user: keep allowed networks to the devices you trust.';
const UID_HINT = "The user's id on their computers: a Mac's first user is 501, a Linux one's 1000.";

/** A uid typed in a form: undefined when empty, NaN (refused by the schema) when not a number. */
const uidOf = (text: string): number | undefined => (text.trim() === '' ? undefined : Number(text.trim()));

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

function CreateUser({ onClose }: { onClose: () => void }) {
  const create = useMutate('users.create', ['users.list', 'groups.list', 'shares.permissions']);
  const [f, setF] = useState({
    username: '',
    password: '',
    confirm: '',
    role: 'user' as Role,
    displayName: '',
    uid: '',
  });
  const [errors, setErrors] = useState<FieldErrors>({});
  const set = (p: Partial<typeof f>) => setF((o) => ({ ...o, ...p }));
  const submit = () => {
    const uid = uidOf(f.uid);
    const body = {
      username: f.username.trim(),
      password: f.password,
      role: f.role,
      ...(f.displayName.trim() ? { displayName: f.displayName.trim() } : {}),
      ...(uid !== undefined ? { uid } : {}),
    };
    const v = check(CreateUserRequest, body);
    const e = v.ok ? {} : { ...v.errors };
    if (f.password !== f.confirm) e['confirm'] = PASSWORDS_DIFFER;
    setErrors(e);
    if (!v.ok || Object.keys(e).length > 0) return;
    create.mutate({ body: v.value }, { onSuccess: onClose, onError: (err) => setErrors(explain(err).fields) });
  };
  return (
    <Dialog
      title="New user"
      onClose={onClose}
      footer={<DialogButtons onCancel={onClose} label="Create user" form="create-user" disabled={create.isPending} />}
    >
      <Form id="create-user" onSubmit={submit}>
        <TextField
          label="User name"
          name="username"
          value={f.username}
          onChange={(v) => set({ username: v })}
          error={errors['username']}
          autoComplete="off"
        />
        <TextField
          label="Full name (optional)"
          value={f.displayName}
          onChange={(v) => set({ displayName: v })}
          error={errors['displayName']}
        />
        <PasswordFields
          value={f}
          onChange={set}
          errors={errors}
          labels={{ password: 'Password', confirm: 'Repeat the password' }}
          names={{ password: 'password', confirm: 'confirm' }}
          hint="Also the SMB password: use it when Windows or macOS asks."
        />
        <SelectField
          label="Role"
          value={f.role}
          onChange={(v) => set({ role: v })}
          options={ROLES.map((r) => ({ value: r, label: ROLE_HELP[r] }))}
        />
        <TextField
          label="User id (uid, optional)"
          name="uid"
          value={f.uid}
          onChange={(v) => set({ uid: v })}
          error={errors['uid']}
          placeholder="next free from 1000"
          hint={UID_HINT}
        />
      </Form>
      <ErrorBox error={create.error} title="The user was not created." />
    </Dialog>
  );
}

function EditUser({ user, onClose }: { user: UserDto; onClose: () => void }) {
  const update = useMutate('users.update', ['users.list', 'shares.permissions']);
  const setPw = useMutate('users.setPassword', ['users.list']);
  const [role, setRole] = useState<Role>(user.role);
  const [enabled, setEnabled] = useState(user.enabled);
  const [uidText, setUidText] = useState(String(user.uid));
  const [password, setPassword] = useState('');
  const [errors, setErrors] = useState<FieldErrors>({});
  const save = async () => {
    const e: FieldErrors = {};
    if (password) {
      const v = check(SetPasswordRequest, { password });
      if (!v.ok) e['password'] = v.errors['password'] ?? 'Invalid password.';
    }
    const uid = uidOf(uidText);
    const changes = { role, enabled, ...(uid !== user.uid ? { uid } : {}) };
    const v = check(UpdateUserRequest, changes);
    if (!v.ok) Object.assign(e, v.errors);
    if (uid === undefined) e['uid'] = 'Enter a user id, such as 1000.';
    setErrors(e);
    if (Object.keys(e).length > 0 || !v.ok) return;
    try {
      if (role !== user.role || enabled !== user.enabled || uid !== user.uid)
        await update.mutateAsync({ params: { username: user.username }, body: v.value });
      if (password) await setPw.mutateAsync({ params: { username: user.username }, body: { password } });
      onClose();
    } catch {
      /* shown below */
    }
  };
  return (
    <Dialog
      title={`Edit ${user.username}`}
      onClose={onClose}
      footer={
        <DialogButtons
          onCancel={onClose}
          label="Save"
          onAction={() => void save()}
          disabled={update.isPending || setPw.isPending}
        />
      }
    >
      <SelectField
        label="Role"
        value={role}
        onChange={setRole}
        options={ROLES.map((r) => ({ value: r, label: ROLE_HELP[r] }))}
      />
      <Toggle checked={enabled} onChange={setEnabled} label="Account enabled" />
      <TextField
        label="User id (uid)"
        name="uid"
        value={uidText}
        onChange={setUidText}
        error={errors['uid']}
        hint={
          <>
            {UID_HINT} {NFS_TRUSTS_CLIENTS}
          </>
        }
      />
      <TextField
        label="New password (leave empty to keep)"
        type="password"
        value={password}
        onChange={setPassword}
        error={errors['password']}
        autoComplete="new-password"
        hint="Setting it signs the user out everywhere."
      />
      <ErrorBox error={update.error ?? setPw.error} title="Not saved." />
    </Dialog>
  );
}

function DeleteUser({ user, onClose }: { user: UserDto; onClose: () => void }) {
  const del = useMutate('users.delete', ['users.list', 'groups.list', 'shares.permissions']);
  return (
    <ConfirmDeleteDialog
      title={`Delete ${user.username}?`}
      onClose={onClose}
      deleteLabel="Delete user"
      onDelete={() => del.mutate({ params: { username: user.username } }, { onSuccess: onClose })}
      error={del.error}
    >
      <p>
        The account, its group memberships and its share permissions are removed. Files it owns stay where they are.
      </p>
    </ConfirmDeleteDialog>
  );
}

/** Users × shares: each cell sets the user's own entry and shows the access they end up with. */
function AccessGrid() {
  const t = useTransport();
  const qc = useQueryClient();
  const users = useOp('users.list', {});
  const shares = useOp('shares.list', {});
  const perms = useQueries({
    queries: (shares.data ?? []).map((s) => ({
      queryKey: key('shares.permissions', { params: { name: s.name } }),
      queryFn: () => t.call('shares.permissions', { params: { name: s.name } }),
    })),
  });
  const [error, setError] = useState<unknown>();
  const [saving, setSaving] = useState<string>();
  if (!users.data || !shares.data) return null;
  const byShare = new Map(shares.data.map((s, i) => [s.name, perms[i]?.data]));
  const setAccess = async (share: string, username: string, v: ShareAccess | 'inherit') => {
    setError(undefined);
    setSaving(`${share}|${username}`);
    try {
      const params = { name: share, principalType: 'user' as const, principal: username };
      if (v === 'inherit') await t.call('shares.deletePermission', { params });
      else await t.call('shares.setPermission', { params, body: { access: v } });
      await qc.invalidateQueries({ queryKey: ['shares.permissions'] });
    } catch (err) {
      setError(err);
    } finally {
      setSaving(undefined);
    }
  };
  return (
    <section className="card" aria-labelledby="grid-h">
      <h2 id="grid-h">Who can use which share</h2>
      <p className="muted">
        Each cell sets a person's own access to a share; the line below it is what they actually get, counting their
        groups and what the share gives everyone else. Over NFS a person is known by their user id (uid).
      </p>
      <ErrorBox error={error} title="Access not changed." />
      {shares.data.length === 0 ? (
        <EmptyState title="No shares yet">
          <a href="#/shares/new">Create a share</a> first, then choose who may use it here.
        </EmptyState>
      ) : (
        <div className="scroll-x">
          <table className="table grid-table" aria-label="Effective access by user and share">
            <thead>
              <tr>
                <th scope="col">User</th>
                {shares.data.map((s) => (
                  <th scope="col" key={s.name}>
                    {s.name}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {users.data.map((u) => (
                <tr key={u.username}>
                  <th scope="row">{u.username}</th>
                  {shares.data.map((s) => {
                    const p = byShare.get(s.name);
                    const own = p?.entries.find(
                      (e) => e.principalType === 'user' && e.principal.toLowerCase() === u.username.toLowerCase(),
                    );
                    const eff = p?.effective.find((e) => e.username.toLowerCase() === u.username.toLowerCase());
                    return (
                      <td key={s.name} data-cell={`${u.username}|${s.name}`}>
                        <select
                          aria-label={`Access of ${u.username} to ${s.name}`}
                          value={own?.access ?? 'inherit'}
                          disabled={!p || saving === `${s.name}|${u.username}`}
                          onChange={(e) =>
                            void setAccess(s.name, u.username, e.target.value as ShareAccess | 'inherit')
                          }
                        >
                          <option value="inherit">From groups</option>
                          <option value="read">Read only</option>
                          <option value="write">Read &amp; write</option>
                          <option value="none">No access</option>
                        </select>
                        <div className={`effective eff-${eff?.access ?? 'none'}`} data-testid="effective">
                          {eff ? ACCESS_LABEL[eff.access] : '…'}
                          {eff && <span className="muted small"> {sourceText(eff.source, eff.readOnlyShare)}</span>}
                        </div>
                      </td>
                    );
                  })}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

function sourceText(source: string, readOnlyShare: boolean): string {
  const base =
    source === 'user'
      ? '(own setting)'
      : source.startsWith('group:')
        ? `(group ${source.slice(6)})`
        : source === 'guest'
          ? '(as guest)'
          : source === 'default'
            ? '(everyone else)'
            : source === 'disabled'
              ? '(account disabled)'
              : '';
  return readOnlyShare ? `${base} (share is read-only)`.trim() : base;
}

function GroupList({ manage }: { manage: boolean }) {
  const groups = useOp('groups.list', {});
  const [managing, setManaging] = useState<GroupDto>();
  return (
    <section className="card" aria-labelledby="groups-h">
      <h2 id="groups-h">Groups</h2>
      <ErrorBox error={groups.error} />
      <DataTable
        label="Groups"
        columns={['Group', 'Members']}
        actions={manage}
        rows={groups.data}
        empty={
          <EmptyState title="No groups">
            Groups let you give several people the same access at once.{manage && ' Use “New group” above.'}
          </EmptyState>
        }
      >
        {(g) => (
          <tr key={g.name}>
            <td>
              <strong>{g.name}</strong> <span className="muted small">gid {g.gid}</span>
            </td>
            <td>{g.members.join(', ') || '—'}</td>
            {manage && (
              <td className="actions">
                <button type="button" className="small" onClick={() => setManaging(g)}>
                  Members
                </button>
              </td>
            )}
          </tr>
        )}
      </DataTable>
      {managing && <ManageGroup group={managing} onClose={() => setManaging(undefined)} />}
    </section>
  );
}

function CreateGroup({ onClose }: { onClose: () => void }) {
  const create = useMutate('groups.create', ['groups.list', 'users.list']);
  const [name, setName] = useState('');
  const [errors, setErrors] = useState<FieldErrors>({});
  const submit = () => {
    const v = check(CreateGroupRequest, { name: name.trim() });
    setErrors(v.ok ? {} : v.errors);
    if (v.ok) create.mutate({ body: v.value }, { onSuccess: onClose });
  };
  return (
    <Dialog
      title="New group"
      onClose={onClose}
      footer={<DialogButtons onCancel={onClose} label="Create group" onAction={submit} disabled={create.isPending} />}
    >
      <TextField label="Group name" value={name} onChange={setName} error={errors['name']} />
      <ErrorBox error={create.error} title="The group was not created." />
    </Dialog>
  );
}

function ManageGroup({ group, onClose }: { group: GroupDto; onClose: () => void }) {
  const users = useOp('users.list', {});
  const groups = useOp('groups.list', {});
  const add = useMutate('groups.addMember', ['groups.list', 'users.list', 'shares.permissions']);
  const remove = useMutate('groups.removeMember', ['groups.list', 'users.list', 'shares.permissions']);
  const del = useMutate('groups.delete', ['groups.list', 'users.list', 'shares.permissions']);
  const current = groups.data?.find((g) => g.name === group.name) ?? group;
  return (
    <Dialog
      title={`Members of ${group.name}`}
      onClose={onClose}
      footer={
        <>
          <button
            type="button"
            className="danger"
            onClick={() => del.mutate({ params: { name: group.name } }, { onSuccess: onClose })}
          >
            Delete group
          </button>
          <button type="button" className="primary" onClick={onClose}>
            Done
          </button>
        </>
      }
    >
      {(users.data ?? []).map((u) => {
        const member = current.members.includes(u.username);
        return (
          <Toggle
            key={u.username}
            label={u.username}
            checked={member}
            onChange={(on) => (on ? add : remove).mutate({ params: { name: group.name, username: u.username } })}
          />
        );
      })}
      <ErrorBox error={add.error ?? remove.error ?? del.error} />
    </Dialog>
  );
}
