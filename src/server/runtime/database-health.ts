/**
 * Reachability of the PostgreSQL servers this instance depends on: the control plane (when
 * it is on PostgreSQL), every open metadata store on PostgreSQL and the block index of
 * every open S3 store served by several instances. Probed every interval
 * and on demand (/health/ready); while any is unreachable an alert says which and why, and
 * it resolves by itself once every probe answers again (the pools reconnect on their own).
 */
import type { ControlPlaneStore } from '../controlplane/store/store.ts';
import { PostgresControlPlaneStore } from '../controlplane/store/postgres/postgres.ts';
import { PostgresMetadataStore } from '../metadata/stores/postgres/postgres-store.ts';
import type { PoolHealth, PoolUse } from '../postgres/pool-health.ts';
import type { AlertsService } from './alerts.ts';
import type { StoresService } from './stores.ts';

export const DATABASE_CAUSE = 'postgres.unreachable';
/** A probe that takes longer than this counts as unreachable. */
const PING_TIMEOUT_MS = 3000;

export interface DatabaseCheck {
  /** "controlplane", "metadata:<store name>" or "blocks:<payload store name>". */
  name: string;
  /** undefined: answered; else why not. */
  error: string | undefined;
  pool: PoolUse;
}

export interface DatabaseHealthOptions {
  /** How often every pool is probed (default 5 s). */
  intervalMs?: number;
}

export class DatabaseHealth {
  private timer: NodeJS.Timeout | undefined;
  private last: DatabaseCheck[] = [];

  constructor(
    private readonly controlPlane: ControlPlaneStore,
    private readonly stores: StoresService,
    private readonly alerts: AlertsService,
    private readonly options: DatabaseHealthOptions = {},
  ) {}

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => void this.check(), this.options.intervalMs ?? 5000);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  /** The latest probe results (empty when nothing is on PostgreSQL). */
  latest(): DatabaseCheck[] {
    return this.last;
  }

  /** Probes every pool now, raises or resolves the alert, returns the results. */
  async check(): Promise<DatabaseCheck[]> {
    const pools = await this.pools();
    const checks = await Promise.all(
      [...pools].map(async ([name, health]): Promise<DatabaseCheck> => {
        const error = await health.ping(PING_TIMEOUT_MS).then(
          () => undefined,
          (err: unknown) => (err as Error).message,
        );
        return { name, error, pool: health.use() };
      }),
    );
    this.last = checks;
    const down = checks.filter((c) => c.error !== undefined);
    if (down.length > 0) {
      const what = down.map((c) => `${label(c.name)} (${c.error})`).join('; ');
      this.alerts.raise(DATABASE_CAUSE, 'critical', `PostgreSQL is unreachable: ${what}`, 'cluster');
    } else {
      this.alerts.resolve(DATABASE_CAUSE);
    }
    return checks;
  }

  private async pools(): Promise<Map<string, PoolHealth>> {
    const out = new Map<string, PoolHealth>();
    if (this.controlPlane instanceof PostgresControlPlaneStore) out.set('controlplane', this.controlPlane.poolHealth);
    for (const [name, store] of await this.stores.openMetadataStores()) {
      if (store instanceof PostgresMetadataStore) out.set(`metadata:${name}`, store.poolHealth);
    }
    for (const [name, store] of await this.stores.sharedStores()) out.set(`blocks:${name}`, store.poolHealth);
    return out;
  }
}

function label(name: string): string {
  if (name === 'controlplane') return 'the control-plane database';
  const [kind, store] = [name.slice(0, name.indexOf(':')), name.slice(name.indexOf(':') + 1)];
  return kind === 'blocks' ? `the block index of payload store "${store}"` : `metadata store "${store}"`;
}
