import type { DesktopApi } from '../../shared/desktop.ts';
import { HttpTransport } from './http.ts';
import { IpcTransport } from './ipc.ts';
import type { Transport } from './types.ts';

export type { Transport, Session } from './types.ts';

/** IPC when the desktop preload exposed `window.api`, HTTP (same origin) otherwise. */
export function pickTransport(): Transport {
  const api = (globalThis as { api?: DesktopApi }).api;
  if (api && typeof api.call === 'function') return new IpcTransport(api);
  return new HttpTransport();
}
