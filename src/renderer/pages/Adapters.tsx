/** Protocol adapters: NFS and SMB status, ports, enable/disable, settings. */
import { useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { UpdateAdapterRequest, type AdapterDto } from '../../shared/api/index.ts';
import { DialogButtons } from '../components/DialogButtons.tsx';
import { AdminOnly, Badge, Dialog, ErrorBox, Spinner, TextField, Toggle } from '../components/ui.tsx';
import { useAllowed, useEvent, useMutate, useOp } from '../lib/api.tsx';
import { check, explain, type FieldErrors } from '../lib/forms.ts';

const NAME = { nfs: 'NFS', smb: 'SMB' } as const;
const STATE_KIND = {
  running: 'ok',
  starting: 'info',
  stopping: 'info',
  stopped: 'muted',
  error: 'error',
  unavailable: 'warn',
} as const;

export function AdaptersPage() {
  const qc = useQueryClient();
  const adapters = useOp('adapters.list', {});
  const enable = useMutate('adapters.enable', ['adapters.list', 'stats.get']);
  const disable = useMutate('adapters.disable', ['adapters.list', 'stats.get']);
  const [editing, setEditing] = useState<AdapterDto>();
  const manage = useAllowed('adapters.update');
  useEvent('adapter', () => void qc.invalidateQueries({ queryKey: ['adapters.list'] }));
  return (
    <div className="page">
      <header className="page-header">
        <h1>Adapters</h1>
      </header>
      <p className="muted">
        Each adapter serves every enabled share over one protocol. Changing a port restarts only that adapter.
      </p>
      {!manage && <AdminOnly what="adapters" />}
      {adapters.isPending && <Spinner />}
      <ErrorBox error={adapters.error} />
      <ErrorBox error={enable.error ?? disable.error} title="Could not change the adapter." />
      <div className="grid-2">
        {adapters.data?.map((a) => (
          <section className="card" key={a.type} aria-labelledby={`ad-${a.type}`} data-adapter={a.type}>
            <div className="card-header">
              <h2 id={`ad-${a.type}`}>{NAME[a.type]}</h2>
              <Badge kind={STATE_KIND[a.state]}>{a.state}</Badge>
            </div>
            <dl className="facts">
              <dt>Listening on</dt>
              <dd>
                {a.bind}:{a.boundPort ?? a.port}
                {a.boundPort !== null && a.boundPort !== a.port && a.port !== 0 ? ` (configured ${a.port})` : ''}
              </dd>
              {Object.entries(a.settings).map(([k, v]) => (
                <div key={k} className="fact">
                  <dt>{k}</dt>
                  <dd>{typeof v === 'string' ? v : JSON.stringify(v)}</dd>
                </div>
              ))}
            </dl>
            {a.error && <div className="error-box">{a.error}</div>}
            <Overrides adapter={a} />
            {a.state === 'starting' && (
              <div className="progress" role="status">
                <span className="spin" aria-hidden="true" /> Starting…
              </div>
            )}
            {manage && (
              <div className="card-actions">
                <Toggle
                  label={a.enabled ? 'Enabled' : 'Disabled'}
                  checked={a.enabled}
                  disabled={enable.isPending || disable.isPending}
                  onChange={(on) => (on ? enable : disable).mutate({ params: { type: a.type } })}
                />
                <button type="button" onClick={() => setEditing(a)}>
                  Change port…
                </button>
              </div>
            )}
          </section>
        ))}
      </div>
      {editing && <EditAdapter adapter={editing} onClose={() => setEditing(undefined)} />}
    </div>
  );
}

const FIELD = { enabled: 'Whether it runs', port: 'The port', bind: 'The address' } as const;

/** Fields a DITTOFS_* variable sets at every start: a change here does not survive a restart. */
function Overrides({ adapter }: { adapter: AdapterDto }) {
  if (adapter.overrides.length === 0) return null;
  return (
    <ul className="notes" data-testid="overrides">
      {adapter.overrides.map((o) => (
        <li key={o.field} className="note warn">
          {FIELD[o.field]} is set by the environment variable <code>{o.env}</code> each time the server starts: a change
          here lasts only until then. Remove the variable to keep the change.
        </li>
      ))}
    </ul>
  );
}

function EditAdapter({ adapter, onClose }: { adapter: AdapterDto; onClose: () => void }) {
  const update = useMutate('adapters.update', ['adapters.list', 'stats.get']);
  const [port, setPort] = useState(String(adapter.port));
  const [bind, setBind] = useState(adapter.bind);
  const [errors, setErrors] = useState<FieldErrors>({});
  const serverFields = update.error ? explain(update.error).fields : {};
  const save = () => {
    const n = Number(port);
    const v = check(UpdateAdapterRequest, {
      port: port.trim() === '' || !Number.isFinite(n) ? port : n,
      bind: bind.trim(),
    });
    setErrors(v.ok ? {} : v.errors);
    if (v.ok) update.mutate({ params: { type: adapter.type }, body: v.value }, { onSuccess: onClose });
  };
  return (
    <Dialog
      title={`${NAME[adapter.type]} listener`}
      onClose={onClose}
      footer={
        <DialogButtons
          onCancel={onClose}
          label={update.isPending ? 'Restarting…' : 'Save and restart'}
          onAction={save}
          disabled={update.isPending}
        />
      }
    >
      <TextField
        label="Port"
        value={port}
        onChange={setPort}
        error={errors['port'] ?? serverFields['port']}
        hint="0 picks any free port. Ports below 1024 need administrator rights."
      />
      <TextField
        label="Address to listen on"
        value={bind}
        onChange={setBind}
        error={errors['bind'] ?? serverFields['bind']}
        hint="0.0.0.0 for every network, 127.0.0.1 for this computer only."
      />
      <Overrides adapter={adapter} />
      <ErrorBox error={update.error} title={`Not saved: ${NAME[adapter.type]} still serves as before.`} />
    </Dialog>
  );
}
