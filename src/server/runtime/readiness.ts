/**
 * Whether this instance can serve: the control plane answers, every PostgreSQL database in
 * use answers (database-health.ts), the endpoint of every S3 store in use answers, and no
 * enabled adapter is still starting. What /health/ready answers and what each instance
 * reports to the cluster view.
 */
import type { ReadinessDto } from '../../shared/api/cluster.ts';
import type { ControlPlaneStore } from '../controlplane/store/store.ts';
import type { AdaptersService } from './adapters.ts';
import type { DatabaseCheck } from './database-health.ts';

/** A remote payload store's probe: its name, and why it did not answer (undefined: it did). */
export interface RemoteCheck {
  name: string;
  error: string | undefined;
}

export async function readiness(
  controlPlane: ControlPlaneStore,
  adapters: AdaptersService,
  databases: readonly DatabaseCheck[],
  remotes: readonly RemoteCheck[],
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
  // Nor can a share whose S3 endpoint is away (its reads of data not cached fail meanwhile).
  for (const r of remotes) {
    checks[`s3.${r.name}`] = r.error ?? 'ok';
    if (r.error !== undefined) reachable = false;
  }
  for (const a of await adapters.list().catch(() => [])) {
    if (!a.enabled) continue;
    checks[`adapter.${a.type}`] = a.state;
    if (a.state === 'starting') started = false;
  }
  return { status: !reachable ? 'unavailable' : started ? 'ready' : 'starting', checks };
}
