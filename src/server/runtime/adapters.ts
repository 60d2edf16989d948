import { EventEmitter } from 'node:events';
import type { Logger } from 'pino';
import type { AdapterConfig, AdapterPatch, AdapterType } from '../controlplane/models.ts';
import type { ControlPlaneStore } from '../controlplane/store/store.ts';
import type { AdapterFactory, ProtocolAdapter, ProtocolRuntime } from './types.ts';

export type AdapterState = 'stopped' | 'starting' | 'running' | 'stopping' | 'error' | 'unavailable';

export interface AdapterStatus extends AdapterConfig {
  state: AdapterState;
  /** The port actually bound while running (differs from `port` when that is 0). */
  boundPort: number | undefined;
  error: string | undefined;
}

interface Slot {
  adapter: ProtocolAdapter | undefined;
  state: AdapterState;
  error: string | undefined;
}

/**
 * Adapters sub-service: protocol listeners built by a factory registry. Create = persist
 * + start, delete = stop + remove, a settings change restarts only that adapter.
 */
export class AdaptersService extends EventEmitter<{ state: [AdapterStatus] }> {
  private readonly factories = new Map<AdapterType, AdapterFactory>();
  private readonly slots = new Map<AdapterType, Slot>();

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
    const saved = await this.store.updateAdapter(type, patch);
    await this.stop(type);
    if (saved.enabled) await this.start(saved);
    return this.status(saved);
  }

  async delete(type: AdapterType): Promise<void> {
    await this.stop(type);
    await this.store.deleteAdapter(type);
    this.slots.delete(type);
  }

  /** Ends live sessions on every running adapter; returns how many were ended. */
  disconnect(filter: { clientAddr?: string; share?: string }): number {
    let n = 0;
    for (const slot of this.slots.values()) n += slot.adapter?.disconnect(filter) ?? 0;
    return n;
  }

  async stopAll(): Promise<void> {
    await Promise.all([...this.slots.keys()].map((t) => this.stop(t)));
  }

  /** The running adapter of a type, e.g. to learn its bound port. */
  running(type: AdapterType): ProtocolAdapter | undefined {
    const slot = this.slots.get(type);
    return slot?.state === 'running' ? slot.adapter : undefined;
  }

  private async start(cfg: AdapterConfig): Promise<void> {
    const factory = this.factories.get(cfg.type);
    if (!factory) {
      this.setState(cfg, { adapter: undefined, state: 'unavailable', error: `no ${cfg.type} adapter in this build` });
      return;
    }
    const adapter = factory({ port: cfg.port, bind: cfg.bind, settings: cfg.settings }, this.runtime);
    this.setState(cfg, { adapter, state: 'starting', error: undefined });
    try {
      await adapter.serve();
      this.setState(cfg, { adapter, state: 'running', error: undefined });
    } catch (err) {
      const message = (err as Error).message;
      this.setState(cfg, { adapter: undefined, state: 'error', error: message });
      this.logger.error({ adapter: cfg.type, err: message }, 'adapter failed to start');
    }
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
      boundPort: state === 'running' ? slot?.adapter?.port : undefined,
      error: slot?.error,
    };
  }
}
