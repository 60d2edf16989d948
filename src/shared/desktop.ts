/**
 * The desktop contract: what the Electron main process, the utility process that hosts
 * the server (src/server/entry/utility.ts), the preload and the renderer say to each
 * other. Platform-free: no node:, DOM or electron imports.
 *
 * renderer --window.api.call(op, params)--> preload --ipc 'dfs:call'--> main
 *   (sender frame checked, op allow-listed) --{type:'call'}--> utility, which runs the
 *   very same REST route in-process and replies {type:'reply', id, result | error}.
 * Live events: utility --MessagePort--> main --MessagePort (one per window)--> preload,
 *   which hands {topic, data} to the listeners of `api.subscribe(topic, listener)`.
 */

/** What the tray shows. */
export const SERVER_STATES = ['stopped', 'starting', 'serving', 'busy', 'degraded', 'error'] as const;
export type ServerState = (typeof SERVER_STATES)[number];

/** An RFC 9457 problem detail, as the REST API sends it (application/problem+json). */
export interface Problem {
  type?: string;
  title: string;
  status: number;
  detail?: string;
  /** The error-registry code (src/shared/errors.ts), when the server sent one. */
  code?: string;
  /** Field-level validation messages, when the server sent them. */
  errors?: { path: string; message: string }[];
  [extra: string]: unknown;
}

/** What `window.api.call` resolves with: errors are values, so nothing is lost crossing the bridge. */
export type CallResult<T = unknown> = { ok: true; result: T } | { ok: false; error: Problem };

/** Ports and names the UI needs to tell a user how to connect. */
export interface ServerInfo {
  hostname: string;
  nfsPort?: number;
  mountPort?: number;
  smbPort?: number;
  apiPort?: number;
  version?: string;
}

/** A once-a-second summary for the tray (tooltip, busy/degraded state). */
export interface LiveStatus {
  readBps: number;
  writeBps: number;
  opsPerSec: number;
  /** Active alerts at warning level or above. */
  warnings: number;
}

/** Main process -> utility process (parentPort). */
export type ToUtility =
  | { type: 'call'; id: number; op: string; params?: unknown; token?: string }
  /** Carries one MessagePort: the utility posts every live event on it as EventMessage. */
  | { type: 'events' }
  | { type: 'stop' };

/** Utility process -> main process. */
export type FromUtility =
  | { type: 'ready'; info: ServerInfo }
  | { type: 'reply'; id: number; result?: unknown; error?: Problem }
  | { type: 'status'; status: LiveStatus }
  | { type: 'fatal'; message: string }
  | { type: 'stopped' };

/** One live event, on every MessagePort hop. */
export interface EventMessage {
  topic: string;
  data: unknown;
}

/** Renderer -> main over its events port. */
export type PortControl = { subscribe: string } | { unsubscribe: string };

/** IPC channel names. */
export const IPC_CHANNELS = {
  call: 'dfs:call',
  /** Renderer asks for its events port; main answers with 'dfs:events-port' carrying one port. */
  requestEventsPort: 'dfs:request-events-port',
  eventsPort: 'dfs:events-port',
} as const;

/**
 * Operations the main process answers itself (they concern this computer, not the
 * server): they exist only over IPC, never over HTTP.
 */
export const DESKTOP_OPS = {
  getStartAtLogin: 'desktop.getStartAtLogin',
  setStartAtLogin: 'desktop.setStartAtLogin',
  serverInfo: 'desktop.serverInfo',
} as const;

/** What the preload exposes as `window.api`. */
export interface DesktopApi {
  call(op: string, params?: unknown): Promise<CallResult>;
  /** Returns the unsubscribe function. */
  subscribe(topic: string, listener: (data: unknown) => void): () => void;
  readonly platform: string;
}

/** A problem for failures that never reached a route (transport, bridge, supervision). */
export function problem(status: number, title: string, detail?: string, code?: string): Problem {
  const p: Problem = { title, status };
  if (detail !== undefined) p.detail = detail;
  if (code !== undefined) p.code = code;
  return p;
}
