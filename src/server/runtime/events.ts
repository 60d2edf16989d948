import type { Logger } from 'pino';
import type { EventTopic, ServerEvent } from '../../shared/api/events.ts';
import type { AdapterDto, MountDto, ThroughputSampleDto } from '../../shared/api/schemas.ts';
import type { AdapterStatus, AdaptersService } from './adapters.ts';
import type { MountsService } from './mounts.ts';
import type { MountRecord } from './types.ts';

export type EventListener = (event: ServerEvent) => void;

/** Mounts and sessions as the API shows them (SessionsService). */
export interface SessionsSource {
  list(): MountDto[];
  dto(m: MountRecord): MountDto;
}

export function adapterDto(s: AdapterStatus): AdapterDto {
  return {
    type: s.type,
    enabled: s.enabled,
    port: s.port,
    bind: s.bind,
    settings: s.settings,
    state: s.state,
    boundPort: s.boundPort ?? null,
    error: s.error ?? null,
    overrides: s.overrides,
  };
}

/**
 * The live event hub: once a second the throughput window of the MountsService, plus
 * mount / unmount, adapter state changes and alerts as they happen. SSE streams and the
 * Electron MessagePort subscribe here; nothing is buffered for late subscribers.
 */
export class EventHub {
  private readonly listeners = new Map<EventListener, ReadonlySet<EventTopic> | undefined>();
  private timer: NodeJS.Timeout | undefined;
  private last: ThroughputSampleDto | undefined;
  /** The sessions last published, to publish again only on a change. */
  private lastSessions = '';
  private readonly detach: (() => void)[] = [];

  constructor(
    private readonly mounts: MountsService,
    private readonly adapters: AdaptersService,
    private readonly sessions: SessionsSource,
    private readonly logger: Logger,
    private readonly intervalMs = 1000,
  ) {}

  /** Starts the once-a-second throughput sampling and forwards runtime events. */
  start(): void {
    if (this.timer) return;
    const onMount = (m: MountRecord) => this.publish({ type: 'mount', mount: this.sessions.dto(m) });
    const onUnmount = (m: MountRecord) => this.publish({ type: 'unmount', mount: this.sessions.dto(m) });
    const onAdapter = (s: AdapterStatus) => this.publish({ type: 'adapter', adapter: adapterDto(s) });
    this.mounts.on('mount', onMount);
    this.mounts.on('unmount', onUnmount);
    this.adapters.on('state', onAdapter);
    this.detach.push(
      () => this.mounts.off('mount', onMount),
      () => this.mounts.off('unmount', onUnmount),
      () => this.adapters.off('state', onAdapter),
    );
    this.timer = setInterval(() => this.tick(), this.intervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    for (const d of this.detach.splice(0)) d();
  }

  /** The last complete one-second window (undefined before the first). */
  get lastSample(): ThroughputSampleDto | undefined {
    return this.last;
  }

  /** Listens to every topic, or to the given ones; returns the unsubscribe function. */
  subscribe(listener: EventListener, topics?: Iterable<EventTopic>): () => void {
    this.listeners.set(listener, topics ? new Set(topics) : undefined);
    return () => this.listeners.delete(listener);
  }

  get subscribers(): number {
    return this.listeners.size;
  }

  publish(event: ServerEvent): void {
    for (const [listener, topics] of this.listeners) {
      if (topics && !topics.has(event.type)) continue;
      try {
        listener(event);
      } catch (err) {
        this.logger.warn({ err: (err as Error).message, event: event.type }, 'event listener failed');
      }
    }
  }

  /** The sessions' bytes and states, when anything changed since the last time (and someone listens). */
  private publishSessions(): void {
    if (![...this.listeners.values()].some((t) => !t || t.has('sessions'))) return;
    const sessions = this.sessions.list();
    const text = JSON.stringify(sessions);
    if (text === this.lastSessions) return;
    this.lastSessions = text;
    this.publish({ type: 'sessions', sessions });
  }

  /** Closes the current throughput window and publishes it (the timer calls this). */
  tick(): ThroughputSampleDto {
    const sample = this.mounts.takeSample();
    this.last = sample;
    this.publish({ type: 'throughput', ...sample });
    this.publishSessions();
    return sample;
  }
}
