/** Groups: the list, and the dialogs that create a group and manage its members and access. */
import { useState } from 'react';
import { CreateGroupRequest, type GroupDto } from '../../../shared/api/index.ts';
import { DataTable } from '../../components/DataTable.tsx';
import { DialogButtons } from '../../components/DialogButtons.tsx';
import { Dialog, EmptyState, ErrorBox, TextField, Toggle } from '../../components/ui.tsx';
import { useMutate, useOp } from '../../lib/api.tsx';
import { check, type FieldErrors } from '../../lib/forms.ts';

export function GroupList({ manage }: { manage: boolean }) {
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

export function CreateGroup({ onClose }: { onClose: () => void }) {
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
