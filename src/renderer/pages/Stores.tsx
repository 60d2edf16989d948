/** Metadata and payload stores: what exists, who uses it, a health probe, create, edit (S3) and delete. */
import { useState } from 'react';
import {
  CreateMetadataStoreRequest,
  CreatePayloadStoreRequest,
  METADATA_STORE_TYPES,
  PAYLOAD_STORE_TYPES,
  type MetadataStoreDto,
  type PayloadStoreDto,
} from '../../shared/api/index.ts';
import { ConfirmDeleteDialog } from '../components/ConfirmDeleteDialog.tsx';
import { DataTable } from '../components/DataTable.tsx';
import { DialogButtons } from '../components/DialogButtons.tsx';
import { S3StoreFields } from '../components/S3StoreFields.tsx';
import { AdminOnly, Badge, Dialog, EmptyState, ErrorBox, SelectField, Spinner, TextField } from '../components/ui.tsx';
import { useAllowed, useMutate, useOp, useTransport } from '../lib/api.tsx';
import { useAsyncAction } from '../lib/async-action.ts';
import { formatBytes } from '../lib/format.ts';
import { check, type FieldErrors } from '../lib/forms.ts';
import { EditS3Store } from './EditS3Store.tsx';
import { EMPTY_S3, s3Config, s3FormErrors, type S3Form } from '../lib/s3-form.ts';
import type { StoreHealth } from '../../shared/api/index.ts';

type Kind = 'metadata' | 'payload';

const TYPE_LABEL: Record<string, string> = {
  memory: 'In memory (lost at restart)',
  sqlite: 'SQLite file on this computer',
  postgres: 'PostgreSQL database',
  fs: 'Folder on this computer',
  s3: 'S3 bucket',
};

export function StoresPage() {
  const [creating, setCreating] = useState<Kind>();
  const manage = useAllowed('stores.payload.create');
  return (
    <div className="page">
      <header className="page-header">
        <h1>Stores</h1>
        {manage && (
          <div className="header-actions">
            <button type="button" onClick={() => setCreating('payload')}>
              New payload store
            </button>
            <button type="button" onClick={() => setCreating('metadata')}>
              New metadata store
            </button>
          </div>
        )}
      </header>
      <p className="muted">
        A share keeps its file names and attributes in a <strong>metadata store</strong> and the file contents in a{' '}
        <strong>payload store</strong>. Several shares can use the same stores.
      </p>
      {!manage && <AdminOnly what="stores" />}
      <StoreList kind="payload" manage={manage} />
      <StoreList kind="metadata" manage={manage} />
      {creating && <CreateStore kind={creating} onClose={() => setCreating(undefined)} />}
    </div>
  );
}

function StoreList({ kind, manage }: { kind: Kind; manage: boolean }) {
  const q = useOp(kind === 'metadata' ? 'stores.metadata.list' : 'stores.payload.list', {});
  const del = useMutate(kind === 'metadata' ? 'stores.metadata.delete' : 'stores.payload.delete', [
    'stores.metadata.list',
    'stores.payload.list',
  ]);
  const [deleting, setDeleting] = useState<MetadataStoreDto | PayloadStoreDto>();
  const [editing, setEditing] = useState<PayloadStoreDto>();
  return (
    <section className="card" aria-labelledby={`${kind}-h`}>
      <h2 id={`${kind}-h`}>{kind === 'metadata' ? 'Metadata stores' : 'Payload stores'}</h2>
      {q.isPending && <Spinner />}
      <ErrorBox error={q.error} />
      <DataTable<MetadataStoreDto | PayloadStoreDto>
        label={kind === 'metadata' ? 'Metadata stores' : 'Payload stores'}
        columns={['Name', 'Type', 'Options', 'Used by', 'Health']}
        actions={manage}
        rows={q.data}
        empty={
          <EmptyState title="None yet">
            {manage ? 'Create one with the button above; shares need one of each kind.' : 'No store of this kind.'}
          </EmptyState>
        }
      >
        {(st) => (
          <tr key={st.name}>
            <td>
              <strong>{st.name}</strong>
            </td>
            <td>{TYPE_LABEL[st.type] ?? st.type}</td>
            <td className="small">
              {Object.entries(st.config)
                .map(([k, v]) => `${k}: ${typeof v === 'string' ? v : JSON.stringify(v)}`)
                .join(' · ') || <span className="muted">defaults</span>}
            </td>
            <td>{st.usedBy.join(', ') || <span className="muted">no share</span>}</td>
            <td>
              <Health kind={kind} name={st.name} />
            </td>
            {manage && (
              <td className="actions">
                {kind === 'payload' && st.type === 's3' && (
                  <button
                    type="button"
                    className="small"
                    onClick={() => setEditing(st as PayloadStoreDto)}
                    aria-label={`Edit ${st.name}`}
                  >
                    Edit
                  </button>
                )}
                <button
                  type="button"
                  className="small danger"
                  disabled={st.usedBy.length > 0}
                  title={st.usedBy.length > 0 ? 'In use by a share: delete or move the share first' : undefined}
                  onClick={() => setDeleting(st)}
                >
                  Delete
                </button>
              </td>
            )}
          </tr>
        )}
      </DataTable>
      {editing && <EditS3Store store={editing} onClose={() => setEditing(undefined)} />}
      {deleting && (
        <ConfirmDeleteDialog
          title={`Delete the store ${deleting.name}?`}
          onClose={() => setDeleting(undefined)}
          deleteLabel="Delete store"
          onDelete={() => del.mutate({ params: { name: deleting.name } }, { onSuccess: () => setDeleting(undefined) })}
          error={del.error}
        >
          <p>
            DittoFS forgets this store. The files it wrote (a folder, a database, a bucket) are left where they are.
          </p>
        </ConfirmDeleteDialog>
      )}
    </section>
  );
}

function Health({ kind, name }: { kind: Kind; name: string }) {
  const t = useTransport();
  const [h, setH] = useState<StoreHealth>();
  const probing = useAsyncAction();
  const probe = () =>
    probing.run(async () =>
      setH(
        await t.call(kind === 'metadata' ? 'stores.metadata.health' : 'stores.payload.health', { params: { name } }),
      ),
    );
  return (
    <div>
      {h &&
        (h.healthy ? (
          <Badge kind="ok">
            healthy · {Math.round(h.latencyMs)} ms{h.bytes !== undefined ? ` · ${formatBytes(h.bytes)}` : ''}
          </Badge>
        ) : (
          <Badge kind="error">{h.error ?? 'unhealthy'}</Badge>
        ))}
      <button type="button" className="small" onClick={() => void probe()} disabled={probing.busy}>
        {probing.busy ? 'Checking…' : 'Check'}
      </button>
      <ErrorBox error={probing.error} />
    </div>
  );
}

function CreateStore({ kind, onClose }: { kind: Kind; onClose: () => void }) {
  const create = useMutate(kind === 'metadata' ? 'stores.metadata.create' : 'stores.payload.create', [
    'stores.metadata.list',
    'stores.payload.list',
  ]);
  const types = kind === 'metadata' ? METADATA_STORE_TYPES : PAYLOAD_STORE_TYPES;
  const [name, setName] = useState('');
  const [type, setType] = useState<string>(kind === 'metadata' ? 'sqlite' : 'fs');
  const [opts, setOpts] = useState<Record<string, string>>({});
  const [errors, setErrors] = useState<FieldErrors>({});
  const fields: [string, string, string?][] =
    type === 'fs' || type === 'sqlite'
      ? [['path', 'Folder or file path (empty: inside the data folder)', '/srv/dittofs/blocks']]
      : type === 'postgres'
        ? [['dsn', 'Connection string', 'postgres://user@host:5432/dittofs']]
        : [];
  const [s3, setS3] = useState<S3Form>(EMPTY_S3);
  const submit = () => {
    const config =
      type === 's3'
        ? s3Config(s3)
        : Object.fromEntries(Object.entries(opts).filter(([k, v]) => v.trim() !== '' && fields.some(([f]) => f === k)));
    const schema = kind === 'metadata' ? CreateMetadataStoreRequest : CreatePayloadStoreRequest;
    const v = check(schema, { name: name.trim(), type, config });
    const e = { ...(v.ok ? {} : v.errors), ...(type === 's3' ? s3FormErrors(s3) : {}) };
    setErrors(e);
    if (!v.ok || Object.keys(e).length > 0) return;
    create.mutate({ body: v.value } as never, { onSuccess: onClose });
  };
  return (
    <Dialog
      title={kind === 'metadata' ? 'New metadata store' : 'New payload store'}
      onClose={onClose}
      footer={
        <DialogButtons
          onCancel={onClose}
          label={create.isPending ? 'Opening the store…' : 'Create store'}
          onAction={submit}
          disabled={create.isPending}
        />
      }
    >
      <TextField label="Name" value={name} onChange={setName} error={errors['name']} />
      <SelectField
        label="Type"
        value={type}
        onChange={setType}
        options={types.map((t) => ({ value: t, label: TYPE_LABEL[t] ?? t }))}
        error={errors['type']}
      />
      {fields.map(([k, label, placeholder]) => (
        <TextField
          key={k}
          label={label}
          value={opts[k] ?? ''}
          placeholder={placeholder}
          onChange={(v) => setOpts((o) => ({ ...o, [k]: v }))}
          error={errors[`config.${k}`]}
        />
      ))}
      {type === 's3' && <S3StoreFields value={s3} onChange={setS3} errors={errors} onErrors={setErrors} />}
      <p className="muted small">The store is opened once to prove it works before it is saved.</p>
      <ErrorBox error={create.error} title="The store was not created." />
    </Dialog>
  );
}
