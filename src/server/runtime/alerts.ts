import { randomUUID } from 'node:crypto';
import { statfs } from 'node:fs/promises';
import type { Logger } from 'pino';
import type { AlertDto } from '../../shared/api/schemas.ts';
import { DittoError } from '../../shared/errors.ts';
import { diskUsedPercent } from '../../shared/format.ts';
import type { AdapterStatus, AdaptersService } from './adapters.ts';
import type { EventHub } from './events.ts';
import type { SettingsService } from './settings.ts';

export type AlertLevel = AlertDto['level'];
const RANK: Record<AlertLevel, number> = { info: 0, warning: 1, error: 2, critical: 3 };

export interface DiskUsage {
  totalBytes: number;
  freeBytes: number;
  availBytes: number;
}

export async function diskUsage(dir: string): Promise<DiskUsage> {
  const s = await statfs(dir);
  return { totalBytes: s.blocks * s.bsize, freeBytes: s.bfree * s.bsize, availBytes: s.bavail * s.bsize };
}

export const DISK_CAUSE = 'disk.almost-full';
/** Past this the disk alert is critical whatever the threshold. */
const DISK_CRITICAL_PERCENT = 98;

interface Tracked extends AlertDto {
  dismissed: boolean;
}

export interface AlertsOptions {
  dataDir: string;
  /** How often the disk is checked (default 30 s). */
  intervalMs?: number;
  usage?: (dir: string) => Promise<DiskUsage>;
}

/**
 * Alerts: one per cause at a time (raised again only after it resolved, or when it gets
 * worse), dismissable, published on the event hub. Built-in causes: the data directory's
 * disk almost full (checked periodically and whenever its threshold setting changes) and a
 * protocol adapter in error.
 */
export class AlertsService {
  private readonly active = new Map<string, Tracked>();
  private timer: NodeJS.Timeout | undefined;
  private readonly detach: (() => void)[] = [];
  private readonly usage: (dir: string) => Promise<DiskUsage>;

  constructor(
    private readonly hub: EventHub,
    private readonly settings: SettingsService,
    private readonly adapters: AdaptersService,
    private readonly logger: Logger,
    private readonly options: AlertsOptions,
  ) {
    this.usage = options.usage ?? diskUsage;
  }

  start(): void {
    if (this.timer) return;
    const onAdapter = (s: AdapterStatus) => this.onAdapter(s);
    const onSetting = (key: string) => {
      if (key.startsWith('alerts.')) void this.checkDisk();
    };
    this.adapters.on('state', onAdapter);
    this.settings.on('change', onSetting);
    this.detach.push(
      () => this.adapters.off('state', onAdapter),
      () => this.settings.off('change', onSetting),
    );
    void this.checkDisk();
    this.timer = setInterval(() => void this.checkDisk(), this.options.intervalMs ?? 30_000);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    for (const d of this.detach.splice(0)) d();
  }

  /** Active, not dismissed, most severe first. */
  list(): AlertDto[] {
    return [...this.active.values()]
      .filter((a) => !a.dismissed)
      .sort((a, b) => RANK[b.level] - RANK[a.level] || b.time.localeCompare(a.time))
      .map(({ dismissed: _d, ...a }) => a);
  }

  dismiss(id: string): void {
    const a = [...this.active.values()].find((x) => x.id === id);
    if (!a || a.dismissed) throw new DittoError('NOT_FOUND', `no active alert ${id}`);
    a.dismissed = true;
  }

  raise(cause: string, level: AlertLevel, message: string, link?: string): AlertDto {
    const existing = this.active.get(cause);
    if (existing && RANK[existing.level] >= RANK[level]) {
      existing.message = message;
      return existing;
    }
    const alert: Tracked = {
      id: randomUUID(),
      level,
      cause,
      message,
      time: new Date().toISOString(),
      ...(link !== undefined && { link }),
      resolved: false,
      dismissed: false,
    };
    this.active.set(cause, alert);
    this.logger.warn({ cause, level, alert: message }, 'alert raised');
    const { dismissed: _d, ...dto } = alert;
    this.hub.publish({ type: 'alert', alert: dto });
    return dto;
  }

  resolve(cause: string): void {
    const a = this.active.get(cause);
    if (!a) return;
    this.active.delete(cause);
    this.logger.info({ cause }, 'alert resolved');
    const { dismissed: _d, ...dto } = a;
    this.hub.publish({ type: 'alert', alert: { ...dto, resolved: true, time: new Date().toISOString() } });
  }

  async checkDisk(): Promise<void> {
    try {
      const u = await this.usage(this.options.dataDir);
      if (u.totalBytes <= 0) return;
      const usedPct = diskUsedPercent(u);
      const threshold = await this.settings.value('alerts.diskAlmostFullPercent');
      if (usedPct >= threshold) {
        const level: AlertLevel = usedPct >= DISK_CRITICAL_PERCENT ? 'critical' : 'warning';
        const gib = (u.availBytes / 2 ** 30).toFixed(1);
        this.raise(
          DISK_CAUSE,
          level,
          `The disk holding the data directory is ${usedPct.toFixed(0)}% full (${gib} GiB free)`,
          'settings/alerts.diskAlmostFullPercent',
        );
      } else {
        this.resolve(DISK_CAUSE);
      }
    } catch (err) {
      this.logger.warn({ err: (err as Error).message }, 'disk check failed');
    }
  }

  private onAdapter(s: AdapterStatus): void {
    const cause = `adapter.${s.type}`;
    if (s.state === 'error')
      this.raise(
        cause,
        'error',
        `The ${s.type.toUpperCase()} adapter failed: ${s.error ?? 'unknown error'}`,
        `adapters/${s.type}`,
      );
    else if (s.state === 'running' || (s.state === 'stopped' && !s.enabled)) this.resolve(cause);
  }
}
