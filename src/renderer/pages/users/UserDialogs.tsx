/** The dialogs that create, edit and delete a user. */
import { useState } from 'react';
import {
  CreateUserRequest,
  ROLES,
  SetPasswordRequest,
  UpdateUserRequest,
  type Role,
  type UserDto,
} from '../../../shared/api/index.ts';
import { ConfirmDeleteDialog } from '../../components/ConfirmDeleteDialog.tsx';
import { DialogButtons } from '../../components/DialogButtons.tsx';
import { Form } from '../../components/Form.tsx';
import { PASSWORDS_DIFFER, PasswordFields } from '../../components/PasswordFields.tsx';
import { Dialog, ErrorBox, SelectField, TextField, Toggle } from '../../components/ui.tsx';
import { useMutate } from '../../lib/api.tsx';
import { check, explain, type FieldErrors } from '../../lib/forms.ts';

const ROLE_HELP: Record<Role, string> = {
  admin: 'Administrator — manages everything',
  operator: 'Operator — manages shares, sees activity',
  user: 'User — uses the shares',
};

/** Said wherever NFS access is decided by uid. */
export const NFS_TRUSTS_CLIENTS =
  'NFS trusts the user id a client claims, so anyone on an allowed network can act as any user: keep allowed networks to the devices you trust.';
const UID_HINT = "The user's id on their computers: a Mac's first user is 501, a Linux one's 1000.";

/** A uid typed in a form: undefined when empty, NaN (refused by the schema) when not a number. */
const uidOf = (text: string): number | undefined => (text.trim() === '' ? undefined : Number(text.trim()));

export function CreateUser({ onClose }: { onClose: () => void }) {
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

export function EditUser({ user, onClose }: { user: UserDto; onClose: () => void }) {
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

export function DeleteUser({ user, onClose }: { user: UserDto; onClose: () => void }) {
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
