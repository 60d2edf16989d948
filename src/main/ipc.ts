/**
 * The IPC bridge: one invoke channel for operations, one message channel to hand a window
 * its live-events port. Every handler first checks `event.senderFrame` (our page, top
 * frame) and the operation against the allow-list (the shared operation table plus the
 * desktop-only operations); only then is the call forwarded to the server.
 */
import { IPC_CHANNELS, problem, type CallResult } from '../shared/desktop.ts';
import type { EventsRelay } from './events-relay.ts';
import { isTrustedFrame, type FrameLike, type RendererOrigin } from './security.ts';
import type { PortLike } from './server-host.ts';

/** The part of an IpcMainInvokeEvent / IpcMainEvent we read. */
export interface IpcEventLike {
  senderFrame: (FrameLike & { postMessage?(channel: string, message: unknown, transfer?: unknown[]): void }) | null;
}

/** The part of Electron's ipcMain we use. */
export interface IpcMainLike {
  handle(channel: string, listener: (event: IpcEventLike, ...args: unknown[]) => unknown): void;
  on(channel: string, listener: (event: IpcEventLike, ...args: unknown[]) => void): unknown;
  removeHandler(channel: string): void;
  removeAllListeners(channel: string): unknown;
}

export interface IpcBridgeOptions {
  origin: RendererOrigin;
  /** Operations the renderer may call (names from the shared operation table). */
  allowedOps: ReadonlySet<string>;
  /** Forwards one call to the server. */
  forward(op: string, params: unknown): Promise<CallResult>;
  /** Operations answered by the main process itself (start at login, ...). */
  local?: Record<string, (params: unknown) => Promise<unknown> | unknown>;
  relay?: EventsRelay;
  createChannel?: () => { port1: PortLike; port2: unknown };
  log?: (level: 'warn', msg: string, extra?: Record<string, unknown>) => void;
}

/** Validates and runs one call; exported for tests (the handler is this plus the channel). */
export async function handleCall(
  opts: IpcBridgeOptions,
  event: IpcEventLike,
  op: unknown,
  params: unknown,
): Promise<CallResult> {
  if (!isTrustedFrame(event.senderFrame, opts.origin)) {
    opts.log?.('warn', 'refused an IPC call from a foreign frame', { url: event.senderFrame?.url });
    return { ok: false, error: problem(403, 'Forbidden', 'This page may not manage the server.', 'FORBIDDEN') };
  }
  if (
    typeof op !== 'string' ||
    !(opts.allowedOps.has(op) || (opts.local !== undefined && Object.hasOwn(opts.local, op)))
  ) {
    opts.log?.('warn', 'refused an unknown IPC operation', { op: String(op) });
    return {
      ok: false,
      error: problem(404, 'Unknown operation', `"${String(op)}" is not an operation of this server.`, 'NOT_FOUND'),
    };
  }
  const local = opts.local?.[op];
  if (local) {
    try {
      return { ok: true, result: await local(params) };
    } catch (err) {
      return { ok: false, error: problem(500, 'Failed', (err as Error).message) };
    }
  }
  return opts.forward(op, params ?? {});
}

export function registerIpc(ipcMain: IpcMainLike, opts: IpcBridgeOptions): () => void {
  ipcMain.handle(IPC_CHANNELS.call, (event, op, params) => handleCall(opts, event, op, params));
  ipcMain.on(IPC_CHANNELS.requestEventsPort, (event) => {
    const frame = event.senderFrame;
    if (!isTrustedFrame(frame, opts.origin) || !opts.relay || !opts.createChannel || !frame?.postMessage) {
      opts.log?.('warn', 'refused an events port to a foreign frame', { url: frame?.url });
      return;
    }
    const { port1, port2 } = opts.createChannel();
    opts.relay.attach(port1);
    frame.postMessage(IPC_CHANNELS.eventsPort, null, [port2]);
  });
  return () => {
    ipcMain.removeHandler(IPC_CHANNELS.call);
    ipcMain.removeAllListeners(IPC_CHANNELS.requestEventsPort);
  };
}
