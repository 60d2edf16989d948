import type { StatsDto } from '../../shared/api/schemas.ts';
import { VERSION } from '../version.ts';
import { diskUsage } from './alerts.ts';
import type { Runtime } from './runtime.ts';

/** A snapshot of the whole server: traffic, sessions, shares, adapters, alerts, disk. */
export async function statsSnapshot(rt: Runtime): Promise<StatsDto> {
  const [shares, users, adapters, disk] = await Promise.all([
    rt.store.listShares(),
    rt.store.listUsers(),
    rt.adapters.list(),
    diskUsage(rt.config.dataDir).catch(() => undefined),
  ]);
  const mounts = rt.mounts.list();
  const alerts = rt.alerts.list();
  return {
    version: VERSION,
    launcher: rt.launcher,
    startedAt: rt.startedAt.toISOString(),
    uptimeSeconds: Math.round((Date.now() - rt.startedAt.getTime()) / 1000),
    totals: { ...rt.mounts.totals },
    throughput: rt.events.lastSample ?? null,
    mounts: mounts.length,
    clients: new Set(mounts.map((m) => m.clientAddr)).size,
    shares: { total: shares.length, enabled: shares.filter((s) => s.enabled).length },
    users: users.length,
    adapters: adapters.map((a) => ({ type: a.type, state: a.state, boundPort: a.boundPort ?? null })),
    alerts: { active: alerts.length, warnings: alerts.filter((a) => a.level !== 'info').length },
    dataDir: disk ? { path: rt.config.dataDir, ...disk } : null,
    writeCache: rt.payload.slices.stats(),
  };
}
