/**
 * The only bridge between the page and Electron: `window.api.call(op, input)` and
 * `window.api.subscribe(topic, listener)`. Runs sandboxed (no Node), so it imports nothing
 * but electron and the platform-free shared contract (bundled in).
 */
import { contextBridge, ipcRenderer } from 'electron';
import { IPC_CHANNELS, type CallResult, type DesktopApi, type EventMessage } from '../shared/desktop.ts';

const listeners = new Map<string, Set<(data: unknown) => void>>();
let port: MessagePort | undefined;

function dispatch(ev: EventMessage): void {
  if (!ev || typeof ev.topic !== 'string') return;
  for (const l of listeners.get(ev.topic) ?? []) {
    try {
      l(ev.data);
    } catch (err) {
      console.error('event listener failed', err);
    }
  }
}

ipcRenderer.on(IPC_CHANNELS.eventsPort, (event) => {
  const p = event.ports[0];
  if (!p) return;
  port?.close();
  port = p;
  p.onmessage = (m: MessageEvent<EventMessage>) => dispatch(m.data);
  for (const topic of listeners.keys()) p.postMessage({ subscribe: topic });
});
ipcRenderer.send(IPC_CHANNELS.requestEventsPort);

const api: DesktopApi = {
  call: (op: string, input?: unknown): Promise<CallResult> =>
    ipcRenderer.invoke(IPC_CHANNELS.call, String(op), input ?? {}),
  subscribe(topic: string, listener: (data: unknown) => void): () => void {
    const t = String(topic);
    let set = listeners.get(t);
    if (!set) {
      set = new Set();
      listeners.set(t, set);
      port?.postMessage({ subscribe: t });
    }
    set.add(listener);
    return () => {
      const s = listeners.get(t);
      if (!s?.delete(listener) || s.size > 0) return;
      listeners.delete(t);
      port?.postMessage({ unsubscribe: t });
    };
  },
  platform: process.platform,
};

contextBridge.exposeInMainWorld('api', api);
