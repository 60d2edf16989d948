/** Live dashboard: throughput and ops/s (pushed, not polled), mounts, stores, alerts. */
import { useQueryClient } from '@tanstack/react-query';
import { useMemo, useState } from 'react';
import type { AlertDto } from '../../shared/api/index.ts';
import { LineChart, Sparkline } from '../components/Chart.tsx';
import { DataTable } from '../components/DataTable.tsx';
import { Badge, ErrorBox, Meter } from '../components/ui.tsx';
import { useEvent, useLiveConnected, useLiveSamples, useMutate, useOp } from '../lib/api.tsx';
import { diskUsedPercent } from '../../shared/format.ts';
import { formatBytes, formatDuration, formatOps, formatRate } from '../lib/format.ts';
import { HISTORY_SECONDS, type ThroughputEvent } from '../lib/live.ts';
import { CloudUploads } from './CloudUploads.tsx';
import { Sessions } from './Sessions.tsx';

const TOTAL = '__total__';

function pick(s: ThroughputEvent, client: string) {
  return client === TOTAL ? s.total : (s.byClient[client] ?? { bytesRead: 0, bytesWritten: 0, ops: 0 });
}

export function Dashboard() {
  const samples = useLiveSamples();
  const live = useLiveConnected();
  const [client, setClient] = useState(TOTAL);
  const clients = useMemo(() => {
    const seen = new Map<string, number>();
    for (const s of samples)
      for (const [c, t] of Object.entries(s.byClient))
        seen.set(c, (seen.get(c) ?? 0) + t.bytesRead + t.bytesWritten + t.ops);
    return [...seen.entries()].sort((a, b) => b[1] - a[1]).map(([c]) => c);
  }, [samples]);
  const read = samples.map((s) => pick(s, client).bytesRead);
  const write = samples.map((s) => pick(s, client).bytesWritten);
  const ops = samples.map((s) => pick(s, client).ops);

  return (
    <div className="page dashboard">
      <header className="page-header">
        <h1>Dashboard</h1>
        <span className={`live-dot${live ? ' on' : ''}`} role="status">
          {live ? 'Live' : 'Reconnecting…'}
        </span>
      </header>
      <Alerts />
      <section className="card" aria-labelledby="traffic-h">
        <div className="card-header">
          <h2 id="traffic-h">Traffic</h2>
          <label className="inline">
            Show{' '}
            <select value={client} onChange={(e) => setClient(e.target.value)} aria-label="Client shown in the charts">
              <option value={TOTAL}>All clients</option>
              {clients.map((c) => (
                <option key={c} value={c}>
                  {c}
                </option>
              ))}
            </select>
          </label>
        </div>
        <div className="charts">
          <LineChart
            title="Throughput"
            testId="throughput-chart"
            span={HISTORY_SECONDS}
            format={formatRate}
            series={[
              { name: 'Read', className: 'series-read', values: read },
              { name: 'Write', className: 'series-write', values: write },
            ]}
          />
          <LineChart
            title="Operations"
            testId="ops-chart"
            span={HISTORY_SECONDS}
            format={formatOps}
            series={[{ name: 'Ops', className: 'series-ops', values: ops }]}
          />
        </div>
        {samples.length === 0 && (
          <p className="muted">Waiting for the first live sample… the charts fill in once a second.</p>
        )}
        {clients.length > 0 && <PerClient samples={samples} clients={clients} />}
      </section>
      <Sessions />
      <Storage />
      <CloudUploads />
    </div>
  );
}

function PerClient({ samples, clients }: { samples: ThroughputEvent[]; clients: string[] }) {
  const recent = samples.slice(-60);
  return (
    <DataTable
      className="table compact"
      label="Traffic per client"
      columns={['Client', 'Read now', 'Write now', 'Ops now', 'Last minute']}
      rows={clients}
    >
      {(c) => {
        const last = samples[samples.length - 1]?.byClient[c] ?? { bytesRead: 0, bytesWritten: 0, ops: 0 };
        return (
          <tr key={c}>
            <td>{c}</td>
            <td>{formatRate(last.bytesRead)}</td>
            <td>{formatRate(last.bytesWritten)}</td>
            <td>{formatOps(last.ops)}</td>
            <td>
              <Sparkline
                className="series-write"
                values={recent.map((s) => (s.byClient[c]?.bytesRead ?? 0) + (s.byClient[c]?.bytesWritten ?? 0))}
              />
            </td>
          </tr>
        );
      }}
    </DataTable>
  );
}

/** While clients work, usage is looked up again at most this often (and not at all when idle). */
const USAGE_REFRESH_MS = 3_000;

function Storage() {
  const qc = useQueryClient();
  const stats = useOp('stats.get', {});
  const payload = useOp('stores.payload.list', {});
  const [refresh] = useState({ at: 0, dirty: false });
  useEvent('throughput', (ev) => {
    // Activity marks usage stale; the look-up runs once the throttle allows (also after the traffic stopped).
    if (ev.total.ops > 0) refresh.dirty = true;
    if (!refresh.dirty || Date.now() - refresh.at < USAGE_REFRESH_MS) return;
    refresh.dirty = false;
    refresh.at = Date.now();
    void qc.invalidateQueries({ queryKey: ['stats.get'] });
    void qc.invalidateQueries({ queryKey: ['stores.payload.health'] });
  });
  const d = stats.data?.dataDir;
  return (
    <section className="card" aria-labelledby="storage-h">
      <h2 id="storage-h">Storage</h2>
      <ErrorBox error={stats.error} />
      {d && (
        <div className="stat-block">
          <div className="stat-row">
            <span>Disk holding the data folder</span>
            <span>
              {formatBytes(d.totalBytes - d.freeBytes)} used, {formatBytes(d.availBytes)} free of{' '}
              {formatBytes(d.totalBytes)} ({Math.round(diskUsedPercent(d))}% used)
            </span>
          </div>
          <Meter value={diskUsedPercent(d)} label="Disk used" />
          <div className="muted small">{d.path}</div>
        </div>
      )}
      {payload.data?.map((p) => (
        <StoreUsage
          key={p.name}
          name={p.name}
          // A shared S3 store's index is in PostgreSQL; the Cloud stores card shows it in full.
          type={p.config['blockIndex'] === undefined ? p.type : `${p.type}, shared`}
        />
      ))}
      {stats.data && (
        <dl className="facts">
          <dt>Up for</dt>
          <dd>{formatDuration(stats.data.uptimeSeconds)}</dd>
          <dt>Moved since start</dt>
          <dd>
            ↓ {formatBytes(stats.data.totals.bytesRead)} · ↑ {formatBytes(stats.data.totals.bytesWritten)}
          </dd>
          <dt>Shares</dt>
          <dd>
            {stats.data.shares.enabled} of {stats.data.shares.total} enabled
          </dd>
          <dt>Write cache (memory)</dt>
          <dd>
            {formatBytes(stats.data.writeCache.bytes)} of {formatBytes(stats.data.writeCache.capBytes)}
            {stats.data.writeCache.dirtyBytes > 0 &&
              ` · ${formatBytes(stats.data.writeCache.dirtyBytes)} not yet in blocks`}
            {/* Unsaved bytes dropped from memory (docs/write-log.md "Spilling"): beside the memory, not in it. */}
            {stats.data.writeCache.spilledBytes > 0 &&
              ` · ${formatBytes(stats.data.writeCache.spilledBytes)} more in the write log only`}
          </dd>
          <dt>Version</dt>
          <dd>{stats.data.version}</dd>
        </dl>
      )}
    </section>
  );
}

function StoreUsage({ name, type }: { name: string; type: string }) {
  const h = useOp('stores.payload.health', { params: { name } });
  return (
    <div className="stat-row">
      <span>
        Payload store <strong>{name}</strong> <span className="muted">({type})</span>
      </span>
      <span>
        {h.data ? (
          h.data.healthy ? (
            <>
              {formatBytes(h.data.bytes ?? 0)} in {h.data.objects ?? 0} blocks
              {h.data.writeLog && <WriteLogLine log={h.data.writeLog} />}
            </>
          ) : (
            <Badge kind="error">{h.data.error ?? 'unhealthy'}</Badge>
          )
        ) : (
          '…'
        )}
      </span>
    </div>
  );
}

/** The store's write log: how full it is, and how many files still wait to reach their blocks. */
function WriteLogLine({ log }: { log: { bytes: number; capBytes: number; carveBacklogFiles: number } }) {
  return (
    <span className="muted small" data-testid="write-log">
      {' '}
      · write log {formatBytes(log.bytes)} of {formatBytes(log.capBytes)}
      {log.carveBacklogFiles > 0 &&
        ` · ${log.carveBacklogFiles} file${log.carveBacklogFiles === 1 ? '' : 's'} waiting to be stored`}
    </span>
  );
}

const LEVEL_KIND = { info: 'info', warning: 'warn', error: 'error', critical: 'error' } as const;

function alertHref(link: string | undefined): string | undefined {
  if (!link) return undefined;
  return `#/${link.replace(/^[#/]+/, '')}`;
}

export function Alerts() {
  const qc = useQueryClient();
  const alerts = useOp('alerts.list', {});
  const dismiss = useMutate('alerts.dismiss', ['alerts.list', 'stats.get']);
  useEvent('alert', () => void qc.invalidateQueries({ queryKey: ['alerts.list'] }));
  const list = (alerts.data ?? []).filter((a: AlertDto) => !a.resolved);
  if (list.length === 0) return null;
  return (
    <section className="alerts" aria-label="Alerts">
      {list.map((a) => (
        <div key={a.id} className={`alert alert-${a.level}`} role={a.level === 'info' ? 'status' : 'alert'}>
          <Badge kind={LEVEL_KIND[a.level]}>{a.level}</Badge>
          <span className="alert-msg">{a.message}</span>
          {alertHref(a.link) && <a href={alertHref(a.link)}>Fix this</a>}
          <button
            type="button"
            className="small"
            onClick={() => dismiss.mutate({ params: { id: a.id } })}
            aria-label={`Dismiss: ${a.message}`}
          >
            Dismiss
          </button>
        </div>
      ))}
    </section>
  );
}
