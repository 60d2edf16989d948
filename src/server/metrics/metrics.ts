/**
 * Prometheus metrics (prom-client, own registry, names prefixed `dittofs_`), fed by the
 * runtime: every protocol request arrives as an OpSample on MountsService 'sample', API
 * requests through recordApi; gauges are read from the runtime at scrape time.
 */
import { createServer, type Server } from 'node:http';
import { collectDefaultMetrics, Counter, Gauge, Registry } from 'prom-client';
import { diskUsage } from '../runtime/alerts.ts';
import type { Runtime } from '../runtime/runtime.ts';
import { registerOffloaderMetrics } from './offloader-metrics.ts';
import { RequestMetrics } from './request-metrics.ts';
import type { ConnectionLimitStats, OpSample, ProtocolAdapter } from '../runtime/types.ts';

const LATENCY_BUCKETS = [
  0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10,
];
/** Store sizes can be costly to compute (a walk of a block directory): cached this long. */
const STORE_SIZE_TTL_MS = 15_000;

export interface Metrics {
  registry: Registry;
  /** A finished API request (protocol "api", op = operation id). */
  recordApi(op: string, status: number, seconds: number): void;
  dispose(): void;
}

/** Adapters may expose their live connections (`sessions()`, as the NFS adapter does) or a count. */
function connectionsOf(adapter: ProtocolAdapter | undefined): number | undefined {
  const a = adapter as { connections?: unknown; sessions?: unknown } | undefined;
  if (typeof a?.sessions === 'function') {
    const list = (a.sessions as () => unknown)();
    if (Array.isArray(list)) return list.length;
  }
  return typeof a?.connections === 'number' ? a.connections : undefined;
}

/** The connection-limit counters of each running adapter that has them. */
function connectionLimitsOf(runtime: Runtime): [string, ConnectionLimitStats][] {
  const out: [string, ConnectionLimitStats][] = [];
  for (const type of ['nfs', 'smb'] as const) {
    const stats = runtime.adapters.running(type)?.connectionLimits?.();
    if (stats) out.push([type, stats]);
  }
  return out;
}

export function createMetrics(runtime: Runtime): Metrics {
  const registry = new Registry();
  const registers = [registry];
  collectDefaultMetrics({ register: registry, prefix: 'dittofs_' });

  const requests = new RequestMetrics(registry, LATENCY_BUCKETS);

  new Gauge({
    name: 'dittofs_active_mounts',
    help: 'Active mounts / sessions by protocol',
    labelNames: ['protocol'] as const,
    registers,
    collect() {
      this.reset();
      for (const p of ['nfs3', 'nfs4', 'smb']) this.set({ protocol: p }, 0);
      const counts = new Map<string, number>();
      for (const m of runtime.mounts.list()) counts.set(m.protocol, (counts.get(m.protocol) ?? 0) + 1);
      for (const [p, n] of counts) this.set({ protocol: p }, n);
    },
  });
  registerOffloaderMetrics(registers, runtime);
  // The write path of managed stores (cache/journal.ts).
  new Gauge({
    name: 'dittofs_write_log_bytes',
    help: 'Bytes in the write log of each payload store (segments not yet reclaimed)',
    labelNames: ['store'] as const,
    registers,
    async collect() {
      this.reset();
      for (const [store, stats] of await runtime.stores.journalStats()) this.set({ store }, stats.bytes);
    },
  });
  new Gauge({
    name: 'dittofs_write_log_cap_bytes',
    help: 'How large the write log of each payload store may grow before writers wait',
    labelNames: ['store'] as const,
    registers,
    async collect() {
      this.reset();
      for (const [store, stats] of await runtime.stores.journalStats()) this.set({ store }, stats.capBytes);
    },
  });
  new Gauge({
    name: 'dittofs_carve_backlog_files',
    help: 'Files with written data not yet carved into the block store, by payload store',
    labelNames: ['store'] as const,
    registers,
    async collect() {
      this.reset();
      for (const [store, stats] of await runtime.stores.journalStats()) this.set({ store }, stats.carveBacklogFiles);
    },
  });
  new Gauge({
    name: 'dittofs_write_cache_dirty_bytes',
    help: 'Written bytes held in memory and not yet in the block store (all stores)',
    registers,
    collect() {
      this.set(runtime.payload.slices.stats().dirtyBytes);
    },
  });
  new Gauge({
    name: 'dittofs_write_cache_spilled_bytes',
    help: 'Written bytes not yet in the block store that only the write log holds: spilled from memory (all stores)',
    registers,
    collect() {
      this.set(runtime.payload.slices.stats().spilledBytes);
    },
  });
  new Gauge({
    name: 'dittofs_write_cache_bytes',
    help: 'Memory of the slice cache (dirty and clean), against its cap dittofs_write_cache_cap_bytes',
    registers,
    collect() {
      this.set(runtime.payload.slices.stats().bytes);
    },
  });
  new Gauge({
    name: 'dittofs_write_cache_cap_bytes',
    help: 'The memory cap of the slice cache (cache.memoryBytes)',
    registers,
    collect() {
      this.set(runtime.payload.slices.capBytes);
    },
  });
  new Gauge({
    name: 'dittofs_active_clients',
    help: 'Distinct client addresses with a mount or session',
    registers,
    collect() {
      this.set(new Set(runtime.mounts.list().map((m) => m.clientAddr)).size);
    },
  });
  new Gauge({
    name: 'dittofs_active_connections',
    help: 'Open client connections by adapter',
    labelNames: ['adapter'] as const,
    registers,
    collect() {
      this.reset();
      for (const type of ['nfs', 'smb'] as const) {
        const a = runtime.adapters.running(type);
        if (a)
          this.set(
            { adapter: type },
            connectionsOf(a) ?? runtime.mounts.list().filter((m) => m.protocol.startsWith(type)).length,
          );
      }
    },
  });
  // Counters kept by the running adapter, read at scrape time (they restart with it).
  new Counter({
    name: 'dittofs_connections_refused_total',
    help: 'Connections refused by a connection limit (reason: max_connections, max_connections_per_client)',
    labelNames: ['adapter', 'reason'] as const,
    registers,
    collect() {
      this.reset();
      for (const [adapter, stats] of connectionLimitsOf(runtime))
        for (const [reason, n] of Object.entries(stats.refused)) this.inc({ adapter, reason }, n);
    },
  });
  new Counter({
    name: 'dittofs_connections_timed_out_total',
    help: 'Connections closed by a timeout (reason: idle, or record: a record not completed in time)',
    labelNames: ['adapter', 'reason'] as const,
    registers,
    collect() {
      this.reset();
      for (const [adapter, stats] of connectionLimitsOf(runtime))
        for (const [reason, n] of Object.entries(stats.timedOut)) this.inc({ adapter, reason }, n);
    },
  });
  new Counter({
    name: 'dittofs_record_memory_waits_total',
    help: 'Records that waited because partially received records held all the memory allowed them',
    labelNames: ['adapter'] as const,
    registers,
    collect() {
      this.reset();
      for (const [adapter, stats] of connectionLimitsOf(runtime)) this.inc({ adapter }, stats.recordMemoryWaits);
    },
  });
  new Gauge({
    name: 'dittofs_record_memory_bytes',
    help: 'Bytes reserved by partially received records',
    labelNames: ['adapter'] as const,
    registers,
    collect() {
      this.reset();
      for (const [adapter, stats] of connectionLimitsOf(runtime)) this.set({ adapter }, stats.recordMemoryBytes);
    },
  });
  new Gauge({
    name: 'dittofs_adapter_up',
    help: '1 while the protocol adapter is running',
    labelNames: ['adapter', 'state'] as const,
    registers,
    async collect() {
      this.reset();
      for (const a of await runtime.adapters.list())
        this.set({ adapter: a.type, state: a.state }, a.state === 'running' ? 1 : 0);
    },
  });
  new Gauge({
    name: 'dittofs_shares',
    help: 'Shares by state',
    labelNames: ['state'] as const,
    registers,
    async collect() {
      const shares = await runtime.store.listShares();
      this.set({ state: 'enabled' }, shares.filter((s) => s.enabled).length);
      this.set({ state: 'disabled' }, shares.filter((s) => !s.enabled).length);
    },
  });
  new Gauge({
    name: 'dittofs_alerts_active',
    help: 'Active alerts by level',
    labelNames: ['level'] as const,
    registers,
    collect() {
      this.reset();
      for (const l of ['info', 'warning', 'error', 'critical']) this.set({ level: l }, 0);
      for (const a of runtime.alerts.list()) this.inc({ level: a.level });
    },
  });
  new Gauge({
    name: 'dittofs_datadir_bytes',
    help: 'The disk holding the data directory (kind: total, free, avail)',
    labelNames: ['kind'] as const,
    registers,
    async collect() {
      const u = await diskUsage(runtime.config.dataDir).catch(() => undefined);
      if (!u) return;
      this.set({ kind: 'total' }, u.totalBytes);
      this.set({ kind: 'free' }, u.freeBytes);
      this.set({ kind: 'avail' }, u.availBytes);
    },
  });

  let sizes: { at: number; rows: { kind: string; store: string; objects: number; bytes?: number }[] } | undefined;
  const storeSizes = async () => {
    if (sizes && Date.now() - sizes.at < STORE_SIZE_TTL_MS) return sizes.rows;
    const rows: { kind: string; store: string; objects: number; bytes?: number }[] = [];
    for (const s of await runtime.store.listMetadataStores()) {
      const h = await runtime.storeAdmin.health('metadata', s.name).catch(() => undefined);
      if (h?.healthy) rows.push({ kind: 'metadata', store: s.name, objects: h.objects ?? 0 });
    }
    for (const s of await runtime.store.listPayloadStores()) {
      const h = await runtime.storeAdmin.health('payload', s.name).catch(() => undefined);
      if (h?.healthy) rows.push({ kind: 'payload', store: s.name, objects: h.objects ?? 0, bytes: h.bytes ?? 0 });
    }
    sizes = { at: Date.now(), rows };
    return rows;
  };
  new Gauge({
    name: 'dittofs_store_objects',
    help: 'Objects in a store (metadata: files; payload: blocks)',
    labelNames: ['kind', 'store'] as const,
    registers,
    async collect() {
      this.reset();
      for (const r of await storeSizes()) this.set({ kind: r.kind, store: r.store }, r.objects);
    },
  });
  new Gauge({
    name: 'dittofs_store_bytes',
    help: 'Bytes held by a payload store',
    labelNames: ['kind', 'store'] as const,
    registers,
    async collect() {
      this.reset();
      for (const r of await storeSizes())
        if (r.bytes !== undefined) this.set({ kind: r.kind, store: r.store }, r.bytes);
    },
  });

  const onSample = (s: OpSample) => {
    requests.request(s.protocol, s.op, s.status, s.latencyMs / 1000);
    requests.bytes(s.protocol, s.share ?? '', s.bytesRead, s.bytesWritten);
  };
  runtime.mounts.on('sample', onSample);

  return {
    registry,
    recordApi(op, status, seconds) {
      requests.request('api', op, String(status), seconds);
    },
    dispose() {
      runtime.mounts.off('sample', onSample);
      registry.clear();
    },
  };
}

export interface MetricsServer {
  port: number;
  close(): Promise<void>;
}

/** Serves GET /metrics (Prometheus text) on bind:port; everything else is 404. */
export async function startMetricsServer(metrics: Metrics, bind: string, port: number): Promise<MetricsServer> {
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET' || path !== '/metrics') {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found: try /metrics\n');
      return;
    }
    metrics.registry.metrics().then(
      (text) => res.writeHead(200, { 'content-type': metrics.registry.contentType }).end(text),
      (err: unknown) =>
        res.writeHead(500, { 'content-type': 'text/plain' }).end(`metrics failed: ${(err as Error).message}\n`),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, bind, () => resolve());
  });
  const addr = server.address();
  return {
    port: typeof addr === 'object' && addr ? addr.port : port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
