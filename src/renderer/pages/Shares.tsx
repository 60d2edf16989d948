/** Shares: the list (Enabled toggle, connect, edit, delete) and the wizard at #/shares/new. */
import { useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { CidrSchema, UpdateShareRequest, type ShareDto } from '../../shared/api/index.ts';
import { ConfirmDeleteDialog } from '../components/ConfirmDeleteDialog.tsx';
import { DataTable } from '../components/DataTable.tsx';
import { DialogButtons } from '../components/DialogButtons.tsx';
import { FieldError } from '../components/FieldError.tsx';
import { Badge, Dialog, EmptyState, ErrorBox, SelectField, Spinner, TextField, Toggle } from '../components/ui.tsx';
import { useEvent, useMutate, useOp } from '../lib/api.tsx';
import { formatBytes, formatSince } from '../lib/format.ts';
import { check, type FieldErrors } from '../lib/forms.ts';
import { navigate, type Route } from '../lib/router.ts';
import { ShareConnect } from './Connect.tsx';
import { SQUASH_OPTIONS, ShareWizard } from './ShareWizard.tsx';

export function SharesPage({ route }: { route: Route }) {
  if (route.rest[0] === 'new') {
    return (
      <div className="page">
        <header className="page-header">
          <h1>New share</h1>
        </header>
        <section className="card">
          <ShareWizard onFinish={() => navigate('shares')} onCancel={() => navigate('shares')} />
        </section>
      </div>
    );
  }
  return <ShareList />;
}

function ShareList() {
  const qc = useQueryClient();
  // Sizes are measured in the background: ask again while a measurement runs, else once a minute.
  const shares = useOp(
    'shares.list',
    {},
    { refetchInterval: (q) => (q.state.data?.some((sh) => !sh.usage || sh.usage.measuring) ? 2_000 : 60_000) },
  );
  const enable = useMutate('shares.enable', ['shares.list', 'stats.get']);
  const disable = useMutate('shares.disable', ['shares.list', 'stats.get', 'mounts.list']);
  const [editing, setEditing] = useState<ShareDto>();
  const [deleting, setDeleting] = useState<ShareDto>();
  const [connecting, setConnecting] = useState<ShareDto>();
  useEvent('mount', () => void qc.invalidateQueries({ queryKey: ['shares.list'] }));
  useEvent('unmount', () => void qc.invalidateQueries({ queryKey: ['shares.list'] }));
  const toggleError = enable.error ?? disable.error;

  return (
    <div className="page">
      <header className="page-header">
        <h1>Shares</h1>
        <a className="button primary" href="#/shares/new">
          New share
        </a>
      </header>
      <section className="card">
        {shares.isPending && <Spinner />}
        <ErrorBox error={shares.error} />
        <ErrorBox error={toggleError} title="Could not change the share." />
        <DataTable
          label="Shares"
          columns={['Name', 'Protocols', 'Files', 'Size used', 'Access', 'Active clients', 'Enabled']}
          actions
          rows={shares.data}
          empty={
            <EmptyState
              title="No shares yet"
              action={
                <a className="button primary" href="#/shares/new">
                  Create a share
                </a>
              }
            >
              A share is a folder other devices can open over the network. Create one to start.
            </EmptyState>
          }
        >
          {(sh) => (
            <tr key={sh.name} data-share={sh.name}>
              <td>
                <strong>{sh.name}</strong>
                {sh.description && <div className="muted small">{sh.description}</div>}
              </td>
              <td>{[sh.protocols.smb && 'SMB', sh.protocols.nfs && 'NFS'].filter(Boolean).join(' · ') || '—'}</td>
              <td className="files-cell">{filesOf(sh)}</td>
              <td className="nowrap" data-testid="share-size">
                <ShareSize usage={sh.usage} />
              </td>
              <td>
                {sh.readOnly && <Badge kind="muted">read-only</Badge>}{' '}
                {sh.guestAccess === 'write' && <Badge kind="error">guests write</Badge>}
                {sh.guestAccess === 'read' && <Badge kind="info">guests read</Badge>}
                {sh.defaultAccess === 'write' && <Badge kind="warn">everyone writes</Badge>}
                {sh.defaultAccess === 'read' && <Badge kind="info">everyone reads</Badge>}
                {sh.guestAccess === 'none' && sh.defaultAccess === 'none' && (
                  <span className="muted small">people you chose</span>
                )}
              </td>
              <td>{sh.activeMounts}</td>
              <td>
                <Toggle
                  hideLabel
                  label={`${sh.name} enabled`}
                  checked={sh.enabled}
                  disabled={enable.isPending || disable.isPending}
                  onChange={(on) => (on ? enable : disable).mutate({ params: { name: sh.name } })}
                />
              </td>
              <td className="actions">
                <button type="button" className="small" onClick={() => setConnecting(sh)}>
                  Connect
                </button>
                <button type="button" className="small" onClick={() => setEditing(sh)}>
                  Edit
                </button>
                <button type="button" className="small danger" onClick={() => setDeleting(sh)}>
                  Delete
                </button>
              </td>
            </tr>
          )}
        </DataTable>
        <p className="muted small">
          Turning a share off keeps it and its files but ends every session on it until you turn it back on.
        </p>
      </section>
      {editing && <EditShare share={editing} onClose={() => setEditing(undefined)} />}
      {deleting && <DeleteShare share={deleting} onClose={() => setDeleting(undefined)} />}
      {connecting && <ConnectDialog share={connecting} onClose={() => setConnecting(undefined)} />}
    </div>
  );
}

function ShareSize({ usage }: { usage: ShareDto['usage'] }) {
  if (!usage) return <span className="muted small">measuring…</span>;
  const files = `${usage.files} ${usage.files === 1 ? 'file' : 'files'}`;
  return (
    <span title={`${files}, measured ${formatSince(usage.measuredAt)}`}>
      {usage.complete ? '' : 'over '}
      {formatBytes(usage.bytes)}
    </span>
  );
}

function ConnectDialog({ share, onClose }: { share: ShareDto; onClose: () => void }) {
  return (
    <Dialog title={`Connect to ${share.name}`} onClose={onClose} wide>
      <ShareConnect share={share} />
    </Dialog>
  );
}

const list = (s: string) =>
  s
    .split(/[\s,]+/)
    .map((x) => x.trim())
    .filter(Boolean);

function EditShare({ share, onClose }: { share: ShareDto; onClose: () => void }) {
  const update = useMutate('shares.update', ['shares.list']);
  const payload = useOp('stores.payload.list', {});
  const [f, setF] = useState({
    description: share.description,
    readOnly: share.readOnly,
    nfs: share.protocols.nfs,
    smb: share.protocols.smb,
    squash: share.squash,
    allowedNetworks: share.allowedNetworks.join(', '),
    guestAccess: share.guestAccess,
    defaultAccess: share.defaultAccess,
    browsable: share.smb.browsable,
    encrypt: share.smb.encrypt,
    hostsAllow: share.smb.hostsAllow.join(', '),
    hostsDeny: share.smb.hostsDeny.join(', '),
    payloadStore: share.payloadStore,
    durability: share.durability,
  });
  const [errors, setErrors] = useState<FieldErrors>({});
  const set = (p: Partial<typeof f>) => setF((o) => ({ ...o, ...p }));
  const save = () => {
    const e: FieldErrors = {};
    for (const k of ['allowedNetworks', 'hostsAllow', 'hostsDeny'] as const) {
      const bad = list(f[k]).find((n) => !CidrSchema.safeParse(n).success);
      if (bad) e[k] = `"${bad}" is not an address or network such as 192.168.1.0/24.`;
    }
    if (!f.nfs && !f.smb) e['protocols'] = 'Turn on NFS, SMB or both.';
    const v = check(UpdateShareRequest, {
      description: f.description,
      readOnly: f.readOnly,
      protocols: { nfs: f.nfs, smb: f.smb },
      squash: f.squash,
      allowedNetworks: list(f.allowedNetworks),
      guestAccess: f.guestAccess,
      defaultAccess: f.defaultAccess,
      smb: { browsable: f.browsable, encrypt: f.encrypt, hostsAllow: list(f.hostsAllow), hostsDeny: list(f.hostsDeny) },
      ...(f.payloadStore !== share.payloadStore ? { payloadStore: f.payloadStore } : {}),
      ...(f.durability !== share.durability ? { durability: f.durability } : {}),
    });
    if (!v.ok) Object.assign(e, v.errors);
    setErrors(e);
    if (Object.keys(e).length > 0 || !v.ok) return;
    update.mutate({ params: { name: share.name }, body: v.value }, { onSuccess: onClose });
  };
  return (
    <Dialog
      title={`Edit ${share.name}`}
      onClose={onClose}
      wide
      footer={<DialogButtons onCancel={onClose} label="Save" onAction={save} disabled={update.isPending} />}
    >
      <TextField
        label="Description"
        value={f.description}
        onChange={(v) => set({ description: v })}
        error={errors['description']}
      />
      <Toggle checked={f.smb} onChange={(v) => set({ smb: v })} label="SMB" />
      <Toggle checked={f.nfs} onChange={(v) => set({ nfs: v })} label="NFS" />
      <FieldError message={errors['protocols']} announce={false} />
      <Toggle checked={f.readOnly} onChange={(v) => set({ readOnly: v })} label="Read-only for everyone" />
      <SelectField
        label="Guests (no password)"
        value={f.guestAccess}
        onChange={(v) => set({ guestAccess: v })}
        options={[
          { value: 'none', label: 'No access' },
          { value: 'read', label: 'Read only' },
          { value: 'write', label: 'Read and write' },
        ]}
      />
      {f.guestAccess === 'write' && (
        <div className="warning-box">
          Guests need no password: anyone who can reach this computer can change or delete files.
        </div>
      )}
      <SelectField
        label="Everyone else"
        value={f.defaultAccess}
        onChange={(v) => set({ defaultAccess: v })}
        options={[
          { value: 'none', label: 'No access' },
          { value: 'read', label: 'Read only' },
          { value: 'write', label: 'Read and write' },
        ]}
        hint="Users without an entry of their own or of a group, and NFS user ids that are no user's."
      />
      {share.kind === 'folder' ? (
        <p>
          Files: the folder <strong>{share.path}</strong> on this computer.
        </p>
      ) : (
        <>
          <SelectField
            label="Store"
            value={f.payloadStore}
            onChange={(v) => set({ payloadStore: v })}
            options={(payload.data ?? [{ name: share.payloadStore }]).map((p) => ({ value: p.name, label: p.name }))}
            hint="Moving a share to another store does not move its files."
          />
          <SelectField
            label="Saved means"
            value={f.durability}
            onChange={(v) => set({ durability: v })}
            options={[
              { value: 'local', label: 'Safe on this computer (fast)' },
              { value: 'remote', label: 'Safe in the store, e.g. uploaded to S3 (waits for the upload)' },
            ]}
            hint="When a client's save (NFS COMMIT, SMB flush) is confirmed."
          />
        </>
      )}
      <details>
        <summary>Advanced settings</summary>
        <TextField
          label="NFS: networks allowed to mount"
          value={f.allowedNetworks}
          onChange={(v) => set({ allowedNetworks: v })}
          error={errors['allowedNetworks']}
          hint="Empty allows every network."
        />
        <SelectField
          label="NFS: root users of clients"
          value={f.squash}
          onChange={(v) => set({ squash: v })}
          options={SQUASH_OPTIONS}
        />
        {f.squash === 'none' && (
          <div className="warning-box">Without squashing, root on a client is root on these files.</div>
        )}
        <Toggle
          checked={f.browsable}
          onChange={(v) => set({ browsable: v })}
          label="SMB: visible when browsing the network"
        />
        <Toggle checked={f.encrypt} onChange={(v) => set({ encrypt: v })} label="SMB: require encryption" />
        <TextField
          label="SMB: hosts allowed"
          value={f.hostsAllow}
          onChange={(v) => set({ hostsAllow: v })}
          error={errors['hostsAllow'] ?? errors['smb.hostsAllow']}
        />
        <TextField
          label="SMB: hosts denied"
          value={f.hostsDeny}
          onChange={(v) => set({ hostsDeny: v })}
          error={errors['hostsDeny'] ?? errors['smb.hostsDeny']}
        />
      </details>
      <ErrorBox error={update.error} title="Not saved." />
    </Dialog>
  );
}

function DeleteShare({ share, onClose }: { share: ShareDto; onClose: () => void }) {
  const del = useMutate('shares.delete', ['shares.list', 'stats.get', 'stores.payload.list', 'stores.metadata.list']);
  return (
    <ConfirmDeleteDialog
      title={`Delete the share ${share.name}?`}
      onClose={onClose}
      keepLabel="Keep it"
      deleteLabel="Delete share"
      onDelete={() => del.mutate({ params: { name: share.name } }, { onSuccess: onClose })}
      busy={del.isPending}
      error={del.error}
    >
      <p>
        Devices will no longer see <strong>{share.name}</strong>
        {share.activeMounts > 0 ? `, and the ${share.activeMounts} connected now will be disconnected` : ''}.
      </p>
      <p>
        <strong>Your files are not deleted.</strong>{' '}
        {share.kind === 'folder' ? (
          <>
            They stay in the folder <strong>{share.path}</strong>, as they are; share it again to see them.
          </>
        ) : (
          <>
            They stay in the store <strong>{share.payloadStore}</strong>; create a share with the same name on that
            store to see them again.
          </>
        )}
      </p>
    </ConfirmDeleteDialog>
  );
}

/** Where a share's files are: its folder, or its DittoFS store. */
function filesOf(share: ShareDto): string {
  return share.kind === 'folder' ? share.path : `DittoFS storage ${share.payloadStore}`;
}
