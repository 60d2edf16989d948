/**
 * Cluster: every dfs instance on this control-plane database (several share one PostgreSQL
 * when the control plane lives there; on SQLite this one is alone), with its state,
 * address, version, sessions, health and PostgreSQL pool use. Refreshed every few seconds;
 * a down or stopped instance can be forgotten (admins).
 */
import { useState } from 'react';
import type { InstanceDto } from '../../shared/api/index.ts';
import { roleAllows } from '../../shared/api/index.ts';
import { DataTable } from '../components/DataTable.tsx';
import { DialogButtons } from '../components/DialogButtons.tsx';
import { Badge, Dialog, ErrorBox, Spinner } from '../components/ui.tsx';
import { useMutate, useOp, useSession } from '../lib/api.tsx';
import { formatSince } from '../lib/format.ts';

const STATE = { up: 'ok', down: 'error', stopped: 'muted' } as const;
const HEALTH = { ready: 'ok', starting: 'warn', unavailable: 'error' } as const;

function ports(i: InstanceDto): string {
  const p = [
    i.ports.nfs !== null && `NFS ${i.ports.nfs}`,
    i.ports.smb !== null && `SMB ${i.ports.smb}`,
    i.ports.api !== null && `API ${i.ports.api}`,
  ];
  return p.filter(Boolean).join(' · ') || '—';
}

/** Each PostgreSQL pool as "name: in use/max (waiting)", with its error when unreachable. */
function Pools({ instance }: { instance: InstanceDto }) {
  const dbs = instance.report?.databases ?? [];
  if (dbs.length === 0) return <span className="muted">no PostgreSQL</span>;
  return (
    <ul className="plain">
      {dbs.map((d) => (
        <li key={d.name} data-testid="instance-pool" title={d.error ?? undefined}>
          {d.name}: {d.pool.total - d.pool.idle}/{d.pool.max} in use, {d.pool.idle} idle
          {d.pool.waiting > 0 && `, ${d.pool.waiting} waiting`}
          {d.error !== null && (
            <>
              {' '}
              <Badge kind="error">unreachable</Badge>
            </>
          )}
        </li>
      ))}
    </ul>
  );
}

export function ClusterPage() {
  const session = useSession();
  const admin = session !== undefined && roleAllows(session.user.role, 'admin');
  const cluster = useOp('cluster.get', {}, { refetchInterval: 3000 });
  const forget = useMutate('cluster.forget', ['cluster.get']);
  const [forgetting, setForgetting] = useState<InstanceDto>();
  const instances = cluster.data?.instances;
  const down = instances?.filter((i) => i.state !== 'up').length ?? 0;
  return (
    <section className="card" aria-labelledby="cluster-h">
      <h1 id="cluster-h">Cluster</h1>
      <p className="hint">
        The dfs servers that share this control-plane database. Servers on one PostgreSQL database list each other here;
        one not heard from for {Math.round((cluster.data?.downAfterMs ?? 0) / 1000)} s is shown down.
      </p>
      {cluster.isPending && <Spinner />}
      <ErrorBox error={cluster.error} />
      {instances && (
        <p data-testid="cluster-summary">
          {instances.length} {instances.length === 1 ? 'server' : 'servers'}
          {down > 0 && `, ${down} not running`}
        </p>
      )}
      <DataTable
        label="Servers"
        columns={['Server', 'State', 'Address', 'Version', 'Up since', 'Sessions', 'Health', 'PostgreSQL pool']}
        actions={admin}
        scroll
        rows={instances}
      >
        {(i) => (
          <tr key={i.id} data-testid="instance-row" data-state={i.state}>
            <td title={i.id}>
              {i.hostname} <span className="muted small">{i.id.slice(0, 8)}</span>
              {i.self && (
                <>
                  {' '}
                  <Badge kind="info">this server</Badge>
                </>
              )}
            </td>
            <td title={`last heard from ${i.lastSeen}`}>
              <Badge kind={STATE[i.state]}>{i.state}</Badge>
            </td>
            <td>
              {i.addresses[0] ?? '—'}
              <div className="muted small">{ports(i)}</div>
            </td>
            <td>{i.version}</td>
            <td title={i.startedAt}>{formatSince(i.startedAt)}</td>
            <td>{i.report?.sessions ?? '—'}</td>
            <td
              title={
                i.report
                  ? Object.entries(i.report.health.checks)
                      .map(([k, v]) => `${k}: ${v}`)
                      .join('\n')
                  : undefined
              }
            >
              {!i.report ? (
                '—'
              ) : i.state === 'up' ? (
                <Badge kind={HEALTH[i.report.health.status]}>{i.report.health.status}</Badge>
              ) : (
                <span className="muted small">last: {i.report.health.status}</span>
              )}
            </td>
            <td>
              <Pools instance={i} />
            </td>
            {admin && (
              <td>
                {i.state !== 'up' && (
                  <button
                    type="button"
                    className="small"
                    onClick={() => setForgetting(i)}
                    aria-label={`Forget ${i.hostname} ${i.id.slice(0, 8)}`}
                  >
                    Forget
                  </button>
                )}
              </td>
            )}
          </tr>
        )}
      </DataTable>
      {forgetting && (
        <Dialog
          title="Forget this server?"
          onClose={() => setForgetting(undefined)}
          footer={
            <DialogButtons
              label="Forget"
              danger
              disabled={forget.isPending}
              onCancel={() => setForgetting(undefined)}
              onAction={() =>
                forget.mutate({ params: { id: forgetting.id } }, { onSuccess: () => setForgetting(undefined) })
              }
            />
          }
        >
          <p>
            {forgetting.hostname} ({forgetting.id.slice(0, 8)}) leaves the list. If it starts again it comes back by
            itself.
          </p>
          <ErrorBox error={forget.error} />
        </Dialog>
      )}
    </section>
  );
}
