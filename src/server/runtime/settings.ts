import { EventEmitter } from 'node:events';
import { KNOWN_SETTINGS, SETTING_DEFAULTS } from '../../shared/api/schemas.ts';
import { DittoError } from '../../shared/errors.ts';
import type { SettingsStore } from '../controlplane/store/store.ts';

/** Keys starting with this hold server internals (signing secret, revoked tokens): never exposed. */
export const INTERNAL_PREFIX = '_internal.';

export interface SettingView {
  key: string;
  value: unknown;
  /** Absent for a known key still at its default. */
  updatedAt?: string;
}

type KnownKey = keyof typeof KNOWN_SETTINGS;
const isKnown = (key: string): key is KnownKey => Object.hasOwn(KNOWN_SETTINGS, key);

/**
 * Settings sub-service: server settings in the control plane, known keys checked and
 * defaulted, internal keys hidden. Emits 'change' (key) so dependants apply it live.
 */
export class SettingsService extends EventEmitter<{ change: [string] }> {
  constructor(private readonly store: SettingsStore) {
    super();
  }

  async list(): Promise<SettingView[]> {
    const stored = (await this.store.listSettings()).filter(
      (s) => !s.key.startsWith(INTERNAL_PREFIX) && !s.key.startsWith('_'),
    );
    const out: SettingView[] = stored.map((s) => ({ key: s.key, value: s.value, updatedAt: s.updatedAt }));
    for (const key of Object.keys(SETTING_DEFAULTS) as KnownKey[]) {
      if (!out.some((s) => s.key === key)) out.push({ key, value: SETTING_DEFAULTS[key] });
    }
    return out.sort((a, b) => a.key.localeCompare(b.key));
  }

  async get(key: string): Promise<SettingView> {
    this.assertPublic(key);
    const found = (await this.store.listSettings()).find((s) => s.key === key);
    if (found) return { key, value: found.value, updatedAt: found.updatedAt };
    if (isKnown(key)) return { key, value: SETTING_DEFAULTS[key] };
    throw new DittoError('NOT_FOUND', `no setting "${key}"`);
  }

  /** The effective value of a known key. */
  async value<K extends KnownKey>(key: K): Promise<(typeof SETTING_DEFAULTS)[K]> {
    const v = await this.store.getSetting(key);
    const parsed = KNOWN_SETTINGS[key].safeParse(v);
    return (parsed.success ? parsed.data : SETTING_DEFAULTS[key]) as (typeof SETTING_DEFAULTS)[K];
  }

  async set(key: string, value: unknown): Promise<SettingView> {
    this.assertPublic(key);
    if (isKnown(key)) {
      const parsed = KNOWN_SETTINGS[key].safeParse(value);
      if (!parsed.success) {
        const msg = parsed.error.issues[0]?.message ?? 'invalid value';
        throw new DittoError('VALIDATION', `setting ${key}: ${msg}`);
      }
      value = parsed.data;
    }
    await this.store.setSetting(key, value);
    this.emit('change', key);
    return this.get(key);
  }

  async delete(key: string): Promise<void> {
    this.assertPublic(key);
    const exists = (await this.store.listSettings()).some((s) => s.key === key);
    if (!exists && !isKnown(key)) throw new DittoError('NOT_FOUND', `no setting "${key}"`);
    if (exists) await this.store.deleteSetting(key);
    this.emit('change', key);
  }

  /** Server internals (not reachable through the API). */
  getInternal(name: string): Promise<unknown> {
    return this.store.getSetting(INTERNAL_PREFIX + name);
  }

  setInternal(name: string, value: unknown): Promise<void> {
    return this.store.setSetting(INTERNAL_PREFIX + name, value);
  }

  private assertPublic(key: string): void {
    if (key.startsWith('_')) throw new DittoError('NOT_FOUND', `no setting "${key}"`);
  }
}
