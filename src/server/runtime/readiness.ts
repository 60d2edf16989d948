/**
 * Whether this instance can serve: the control plane answers, every PostgreSQL database in
 * use answers (database-health.ts), and no enabled adapter is still starting. What
 * /health/ready answers and what each instance reports to the cluster view.
 */
import type { ReadinessDto } from '../../shared/api/cluster.ts';
import type { ControlPlaneStore } from '../controlplane/store/store.ts';
import type { AdaptersService } from './adapters.ts';
import type { DatabaseCheck } from './database-health.ts';

export async function readiness(
  controlPlane: ControlPlaneStore,
  adapters: AdaptersService,
  databases: readonly DatabaseCheck[],
): Promise<ReadinessDto> {
  const checks: Record<string, string> = {};
  let reachable = true;
  let started = true;
  try {
    await controlPlane.listAdapters();
    checks['controlplane'] = 'ok';
  } catch (err) {
    checks['controlplane'] = (err as Error).message;
    reachable = false;
  }
  // A share on an unreachable PostgreSQL cannot serve: not ready, and the reason shown.
  for (const db of databases) {
    checks[`postgres.${db.name}`] = db.error ?? 'ok';
    if (db.error !== undefined) reachable = false;
  }
  for (const a of await adapters.list().catch(() => [])) {
    if (!a.enabled) continue;
    checks[`adapter.${a.type}`] = a.state;
    if (a.state === 'starting') started = false;
  }
  return { status: !reachable ? 'unavailable' : started ? 'ready' : 'starting', checks };
}
