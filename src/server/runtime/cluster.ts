/**
 * The cluster view (issue 16): every dfs instance on one control-plane database records
 * itself in its `instances` table — id, addresses, ports, version, up since — and every
 * heartbeat refreshes its row with a report (sessions, readiness, PostgreSQL pool use).
 * An instance silent for longer than `downAfterMs` is shown down; one that stopped cleanly
 * says so. On SQLite there is one instance, through the same code.
 *
 * Liveness compares the writer's clock (heartbeatAt) with the reader's: instances of one
 * cluster are expected to keep their clocks in step (NTP), as the seconds-long timeout allows.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import path from 'node:path';
import type { Logger } from 'pino';
import {
  InstanceReportSchema,
  type ClusterDto,
  type InstanceDto,
  type InstanceReportDto,
} from '../../shared/api/cluster.ts';
import { DittoError } from '../../shared/errors.ts';
import type { InstanceRecord } from '../controlplane/models.ts';
import type { ControlPlaneStore } from '../controlplane/store/store.ts';

const ID_FILE = 'instance-id';

export interface ClusterOptions {
  dataDir: string;
  version: string;
  heartbeatMs: number;
  downAfterMs: number;
  startedAt: Date;
}

/** What the runtime tells the cluster service about this instance, read at every heartbeat. */
export interface InstanceFacts {
  addresses(): string[];
  ports(): { nfs: number | null; smb: number | null };
  report(): Promise<InstanceReportDto>;
}

/** This instance's id, kept in its data directory so that a restart is the same instance. */
export function instanceId(dataDir: string): string {
  const file = path.join(dataDir, ID_FILE);
  try {
    const id = readFileSync(file, 'utf8').trim();
    if (/^[0-9a-f-]{36}$/.test(id)) return id;
  } catch {
    /* first start: made below */
  }
  const id = randomUUID();
  writeFileSync(file, `${id}\n`, { mode: 0o644 });
  return id;
}

export class ClusterService {
  readonly id: string;
  private apiPort: number | null = null;
  private timer: NodeJS.Timeout | undefined;
  /** The last heartbeat started or queued, and the one waiting to start (if any). */
  private latest: Promise<void> = Promise.resolve();
  private queued: Promise<void> | undefined;
  private lastReport: InstanceReportDto | null = null;

  constructor(
    private readonly store: ControlPlaneStore,
    private readonly facts: InstanceFacts,
    private readonly logger: Logger,
    private readonly options: ClusterOptions,
  ) {
    this.id = instanceId(options.dataDir);
  }

  /** Records this instance at once, then at every heartbeat. */
  async start(): Promise<void> {
    if (this.timer) return;
    await this.beat();
    this.timer = setInterval(() => void this.beat(), this.options.heartbeatMs);
    this.timer.unref();
  }

  /** The API listener's port, known once it listens (after start); recorded when this resolves. */
  setApiPort(port: number | null): Promise<void> {
    this.apiPort = port;
    return this.beat();
  }

  /** Records that this instance stopped cleanly (best effort: the database may be gone). */
  async stop(): Promise<void> {
    if (!this.timer) return;
    clearInterval(this.timer);
    this.timer = undefined;
    await this.latest;
    await this.store
      .putInstance({ ...this.record(this.lastReport), stoppedAt: new Date().toISOString() })
      .catch((err: unknown) => this.logger.warn({ err: (err as Error).message }, 'recording the stop failed'));
  }

  /** Every instance on the database, this one first. */
  async view(): Promise<ClusterDto> {
    const now = Date.now();
    const rows = await this.store.listInstances();
    const instances = rows.map((r) => this.dto(r, now));
    instances.sort((a, b) => Number(b.self) - Number(a.self));
    return { downAfterMs: this.options.downAfterMs, instances };
  }

  /** Removes a down or stopped instance from the view (one retired for good). */
  async forget(id: string): Promise<void> {
    const found = (await this.view()).instances.find((i) => i.id === id);
    if (!found) throw new DittoError('NOT_FOUND', `no instance ${id}`);
    if (found.state === 'up')
      throw new DittoError('CONFLICT', `instance ${id} is up: only a down or stopped one can be forgotten`);
    await this.store.deleteInstance(id);
  }

  /**
   * One heartbeat at a time, each reading the facts of when it runs; calls while one waits
   * to run share it. A failure (the database unreachable) is logged and the next one retries.
   */
  private beat(): Promise<void> {
    if (this.queued) return this.queued;
    const next = this.latest.then(async () => {
      this.queued = undefined;
      try {
        this.lastReport = await this.facts.report().catch(() => this.lastReport);
        await this.store.putInstance(this.record(this.lastReport));
      } catch (err) {
        this.logger.warn({ err: (err as Error).message }, 'cluster heartbeat failed');
      }
    });
    this.queued = next;
    this.latest = next;
    return next;
  }

  private record(report: InstanceReportDto | null): InstanceRecord {
    const ports = this.facts.ports();
    return {
      id: this.id,
      hostname: hostname(),
      addresses: this.facts.addresses(),
      ports: { api: this.apiPort, nfs: ports.nfs, smb: ports.smb },
      version: this.options.version,
      startedAt: this.options.startedAt.toISOString(),
      heartbeatAt: Date.now(),
      stoppedAt: null,
      report,
    };
  }

  private dto(r: InstanceRecord, now: number): InstanceDto {
    const self = r.id === this.id;
    const report = InstanceReportSchema.safeParse(r.report);
    const state: InstanceDto['state'] =
      r.stoppedAt !== null ? 'stopped' : self || now - r.heartbeatAt <= this.options.downAfterMs ? 'up' : 'down';
    return {
      id: r.id,
      hostname: r.hostname,
      addresses: r.addresses,
      ports: r.ports,
      version: r.version,
      startedAt: r.startedAt,
      lastSeen: new Date(r.heartbeatAt).toISOString(),
      state,
      self,
      report: report.success ? report.data : null,
    };
  }
}
