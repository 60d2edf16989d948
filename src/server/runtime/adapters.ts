import { EventEmitter } from 'node:events';
import type { Logger } from 'pino';
import { DittoError } from '../../shared/errors.ts';
import type { AdapterConfig, AdapterPatch, AdapterType } from '../controlplane/models.ts';
import type { ControlPlaneStore } from '../controlplane/store/store.ts';
import type { AdapterFactory, DisconnectFilter, ProtocolAdapter, ProtocolRuntime } from './types.ts';

export type AdapterState = 'stopped' | 'starting' | 'running' | 'stopping' | 'error' | 'unavailable';

/** Listener keys an environment variable sets at every start. */
export type OverridableField = 'enabled' | 'port' | 'bind';

export interface AdapterStatus extends AdapterConfig {
  state: AdapterState;
  /** Fields a DITTOFS_* variable sets at every start (a change here lasts until the next start). */
  overrides: { field: OverridableField; env: string }[];
  /** The port actually bound while running (differs from `port` when that is 0). */
  boundPort: number | undefined;
  error: string | undefined;
}

interface Slot {
  adapter: ProtocolAdapter | undefined;
  state: AdapterState;
  error: string | undefined;
}

/** Why a listener could not start, in words (Node's listen errors carry a code). */
export function listenError(err: unknown, cfg: Pick<AdapterConfig, 'port' | 'bind'>): DittoError {
  const e = err as NodeJS.ErrnoException & { port?: number; address?: string };
  const port = e.port ?? cfg.port;
  switch (e.code) {
    case 'EADDRINUSE':
      return new DittoError('IN_USE', `port: port ${port} is already in use by another program`);
    case 'EACCES':
      return new DittoError(
        'PERMISSION_DENIED',
        `port: port ${port} needs administrator rights on this computer: choose one above 1023`,
      );
    case 'EADDRNOTAVAIL':
      return new DittoError('VALIDATION', `bind: ${e.address ?? cfg.bind} is not an address of this computer`);
    default:
      return err instanceof DittoError
        ? err
        : new DittoError('RETRY_LATER', `could not listen on ${cfg.bind}:${port}: ${(err as Error).message}`);
  }
}

/** Two configurations that would listen on the same port (the new one cannot bind first). */
function sameListener(a: AdapterConfig, b: AdapterConfig): boolean {
  const mount = (c: AdapterConfig) => (typeof c.settings['mountPort'] === 'number' ? c.settings['mountPort'] : 0);
  return (a.port !== 0 && a.port === b.port) || (mount(a) !== 0 && mount(a) === mount(b));
}

/**
 * Adapters sub-service: protocol listeners built by a factory registry. Create = persist
 * + start, delete = stop + remove. A change restarts only that adapter, and never leaves
 * it down: the new listener binds first and the old one keeps serving until it does (when
 * both want the same port, the old one stops first and comes back if the new one fails);
 * a change that cannot start is not saved and says why.
 */
export class AdaptersService extends EventEmitter<{ state: [AdapterStatus] }> {
  private readonly factories = new Map<AdapterType, AdapterFactory>();
  private readonly slots = new Map<AdapterType, Slot>();
  private readonly overridden = new Map<AdapterType, OverridableField[]>();

  constructor(
    private readonly store: ControlPlaneStore,
    private readonly runtime: ProtocolRuntime,
    private readonly logger: Logger,
    private readonly shutdownDeadlineMs: number,
  ) {
    super();
  }

  setFactory(type: AdapterType, factory: AdapterFactory): void {
    this.factories.set(type, factory);
  }

  /** Records which fields the environment sets at every start (shown with the adapter). */
  setOverridden(type: AdapterType, fields: OverridableField[]): void {
    this.overridden.set(type, fields);
  }

  /** Starts every enabled persisted adapter; one that fails is reported, the rest still start. */
  async startAll(): Promise<void> {
    for (const cfg of await this.store.listAdapters()) {
      if (cfg.enabled) await this.start(cfg);
    }
  }

  async list(): Promise<AdapterStatus[]> {
    return (await this.store.listAdapters()).map((cfg) => this.status(cfg));
  }

  async get(type: AdapterType): Promise<AdapterStatus> {
    return this.status(await this.store.getAdapter(type));
  }

  async create(cfg: AdapterConfig): Promise<AdapterStatus> {
    const saved = await this.store.createAdapter(cfg);
    if (saved.enabled) await this.start(saved);
    return this.status(saved);
  }

  async update(type: AdapterType, patch: AdapterPatch): Promise<AdapterStatus> {
    const before = await this.store.getAdapter(type);
    const after: AdapterConfig = { ...before, ...defined(patch) };
    const old = this.running(type);
    if (!after.enabled || !this.factories.has(type)) {
      const saved = await this.store.updateAdapter(type, patch);
      await this.stop(type);
      if (saved.enabled) await this.start(saved);
      return this.status(saved);
    }
    if (old && (sameListener(before, after) || old.port === after.port)) {
      // The same port: stop, start, and bring the old listener back if the new one fails.
      await this.stop(type);
      const failure = await this.tryStart(after);
      if (failure) {
        await this.start(before);
        throw failure;
      }
    } else {
      // Bind the new listener while the old one still serves; drain the old one after.
      const failure = await this.tryStart(after, old);
      if (failure) throw failure;
      if (old) {
        await old.stop(this.shutdownDeadlineMs);
        this.logger.info({ adapter: type }, 'previous listener stopped');
      }
    }
    return this.status(await this.store.updateAdapter(type, patch));
  }

  async delete(type: AdapterType): Promise<void> {
    await this.stop(type);
    await this.store.deleteAdapter(type);
    this.slots.delete(type);
  }

  /** Ends live sessions on every running adapter (or only one); returns how many were ended. */
  disconnect(filter: DisconnectFilter, only?: AdapterType): number {
    let n = 0;
    for (const [type, slot] of this.slots)
      if (only === undefined || type === only) n += slot.adapter?.disconnect(filter) ?? 0;
    return n;
  }

  /** Every running adapter ends what the control plane no longer allows (ProtocolAdapter.recheckAccess). */
  async recheckAccess(): Promise<number> {
    const ended = await Promise.all([...this.slots.values()].map((slot) => slot.adapter?.recheckAccess?.() ?? 0));
    return ended.reduce((a, b) => a + b, 0);
  }

  async stopAll(): Promise<void> {
    await Promise.all([...this.slots.keys()].map((t) => this.stop(t)));
  }

  /** The running adapter of a type, e.g. to learn its bound port. */
  running(type: AdapterType): ProtocolAdapter | undefined {
    const slot = this.slots.get(type);
    return slot?.state === 'running' ? slot.adapter : undefined;
  }

  /** Starts a listener at start-up or after a stop; a failure is kept as the adapter's error state. */
  private async start(cfg: AdapterConfig): Promise<void> {
    const failure = await this.tryStart(cfg);
    if (failure) this.logger.error({ adapter: cfg.type, err: failure.message }, 'adapter failed to start');
  }

  /**
   * Starts a listener for `cfg`; on success it becomes the adapter's running one. On failure
   * the slot goes back to `previous` (still serving) and the reason is returned in words.
   */
  private async tryStart(cfg: AdapterConfig, previous?: ProtocolAdapter): Promise<DittoError | undefined> {
    const factory = this.factories.get(cfg.type);
    if (!factory) {
      this.setState(cfg, { adapter: undefined, state: 'unavailable', error: `no ${cfg.type} adapter in this build` });
      return undefined;
    }
    const adapter = factory({ port: cfg.port, bind: cfg.bind, settings: cfg.settings }, this.runtime);
    if (!previous) this.setState(cfg, { adapter, state: 'starting', error: undefined });
    try {
      await adapter.serve();
    } catch (err) {
      const failure = listenError(err, cfg);
      if (previous) this.slots.set(cfg.type, { adapter: previous, state: 'running', error: undefined });
      else this.setState(cfg, { adapter: undefined, state: 'error', error: asSentence(failure.message) });
      return failure;
    }
    this.setState(cfg, { adapter, state: 'running', error: undefined });
    return undefined;
  }

  private async stop(type: AdapterType): Promise<void> {
    const slot = this.slots.get(type);
    if (!slot?.adapter) return;
    const cfg = await this.store.getAdapter(type).catch(() => undefined);
    slot.state = 'stopping';
    await slot.adapter.stop(this.shutdownDeadlineMs);
    slot.adapter = undefined;
    slot.state = 'stopped';
    if (cfg) this.emit('state', this.status(cfg));
    this.logger.info({ adapter: type }, 'adapter stopped');
  }

  private setState(cfg: AdapterConfig, slot: Slot): void {
    this.slots.set(cfg.type, slot);
    this.emit('state', this.status(cfg));
  }

  private status(cfg: AdapterConfig): AdapterStatus {
    const slot = this.slots.get(cfg.type);
    const state: AdapterState = slot?.state ?? (this.factories.has(cfg.type) ? 'stopped' : 'unavailable');
    return {
      ...cfg,
      state,
      overrides: (this.overridden.get(cfg.type) ?? []).map((field) => ({
        field,
        env: `DITTOFS_${cfg.type.toUpperCase()}_${field.toUpperCase()}`,
      })),
      boundPort: state === 'running' ? slot?.adapter?.port : undefined,
      error: slot?.error,
    };
  }
}

/** The keys of a patch that are set (undefined leaves a field as it is, as the store does). */
function defined<T extends object>(patch: T): Partial<T> {
  return Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** "port: port 2049 is in use" -> "Port 2049 is in use." (the field prefix is for forms). */
function asSentence(message: string): string {
  const m = message.replace(/^\w+: /, '');
  return `${m.charAt(0).toUpperCase()}${m.slice(1)}${/[.!?]$/.test(m) ? '' : '.'}`;
}
