/**
 * Wires the desktop app together: single instance, tray, window, server host, IPC bridge.
 * Takes the `electron` module as a parameter (index.ts passes the real one), so the whole
 * lifecycle can be exercised with a mock.
 */
import path from 'node:path';
import { DESKTOP_OPS, type EventMessage } from '../shared/desktop.ts';
import { loadConnectChoices, type ConnectChoices } from './connect-menu.ts';
import { EventsRelay } from './events-relay.ts';
import { registerIpc, type IpcMainLike } from './ipc.ts';
import { createLoginItem, type LoginItemApp } from './login-item.ts';
import { contentSecurityPolicy, type RendererOrigin } from './security.ts';
import { ServerHost, type PortLike, type UtilityChild } from './server-host.ts';
import { TrayController, type MenuItemSpec, type TrayLike } from './tray.ts';
import { createMainWindow, focusWindow, lockDownContents, type WebContentsLike, type WindowLike } from './window.ts';

/** The slice of the electron module the app uses; typed loosely on purpose (tests mock it). */
export interface ElectronLike {
  app: LoginItemApp & {
    requestSingleInstanceLock(): boolean;
    on(event: string, listener: (...args: never[]) => void): unknown;
    whenReady(): Promise<void>;
    quit(): void;
    exit(code?: number): void;
    isPackaged: boolean;
    dock?: { hide(): void; show(): unknown };
  };
  BrowserWindow: new (options: Record<string, unknown>) => WindowLike;
  Tray: new (image: unknown) => TrayLike;
  Menu: { buildFromTemplate(items: MenuItemSpec[]): unknown };
  nativeImage: { createFromPath(file: string): unknown };
  clipboard: { writeText(text: string): void };
  shell: { openExternal(url: string): Promise<void> };
  ipcMain: IpcMainLike;
  utilityProcess: { fork(modulePath: string, args?: string[], options?: Record<string, unknown>): UtilityChild };
  MessageChannelMain: new () => { port1: PortLike; port2: PortLike };
  /** System shutdown / reboot (Linux, macOS); usable once the app is ready. */
  powerMonitor?: { on(event: 'shutdown', listener: (e?: { preventDefault(): void }) => void): unknown };
  /** Desktop notifications (first connection of a client, alerts). */
  Notification?: (new (options: { title: string; body: string; silent?: boolean }) => { show(): void }) & {
    isSupported(): boolean;
  };
  session: {
    defaultSession: {
      webRequest: {
        onHeadersReceived(
          listener: (
            details: { responseHeaders?: Record<string, string[]> },
            callback: (response: { responseHeaders?: Record<string, string[]> }) => void,
          ) => void,
        ): void;
      };
      setPermissionRequestHandler(
        handler: (wc: unknown, permission: string, callback: (ok: boolean) => void) => void,
      ): void;
    };
  };
}

export interface AppPaths {
  /** Directory holding main bundle (out/main): utility.js is beside it. */
  mainDir: string;
  /** resources/ (icons). */
  resourcesDir: string;
}

export interface AppOptions {
  electron: ElectronLike;
  paths: AppPaths;
  /** Operation names of the shared operation table. */
  operations: readonly string[];
  env?: NodeJS.ProcessEnv;
  argv?: string[];
  platform?: NodeJS.Platform;
  /** Where SIGTERM / SIGINT arrive (process by default): a session logout on Linux sends SIGTERM. */
  signals?: { on(signal: 'SIGTERM' | 'SIGINT', listener: () => void): unknown };
}

/** How long a quit waits for the server to drain (in-flight calls, unwritten data) before killing it. */
export const QUIT_DEADLINE_MS = 10_000;

/**
 * UX.md: a notification when a client connects for the first time (since the app started)
 * or when an alert of warning level or above is raised.
 */
export function createNotifier(electron: Pick<ElectronLike, 'Notification'>): (ev: EventMessage) => void {
  const seenClients = new Set<string>();
  return (ev) => {
    const N = electron.Notification;
    if (!N || !N.isSupported()) return;
    const data = ev.data as {
      mount?: { clientAddr: string; share: string; protocol: string };
      alert?: { level: string; message: string; resolved: boolean };
    };
    if (ev.topic === 'mount' && data.mount && !seenClients.has(data.mount.clientAddr)) {
      seenClients.add(data.mount.clientAddr);
      const proto = data.mount.protocol === 'smb' ? 'SMB' : 'NFS';
      new N({
        title: 'New device connected',
        body: `${data.mount.clientAddr} opened ${data.mount.share} over ${proto}.`,
      }).show();
    }
    if (ev.topic === 'alert' && data.alert && !data.alert.resolved && data.alert.level !== 'info') {
      new N({
        title: data.alert.level === 'warning' ? 'DittoFS warning' : 'DittoFS problem',
        body: data.alert.message,
      }).show();
    }
  };
}

export async function startApp(opts: AppOptions): Promise<void> {
  const { electron, paths } = opts;
  const { app } = electron;
  const env = opts.env ?? process.env;
  const argv = opts.argv ?? process.argv;
  const platform = opts.platform ?? process.platform;

  // A second launch only focuses the first instance's window.
  if (!app.requestSingleInstanceLock()) {
    app.quit();
    return;
  }

  const rendererDir = path.join(paths.mainDir, '..', 'renderer');
  const indexHtml = path.join(rendererDir, 'index.html');
  const origin: RendererOrigin = {
    fileUrl: new URL(
      `file://${indexHtml
        .split(path.sep)
        .join('/')
        .replace(/^([^/])/, '/$1')}`,
    ).href,
    devServerUrl: app.isPackaged ? undefined : env['ELECTRON_RENDERER_URL'],
  };

  let quitting = false;
  let win: WindowLike | undefined;
  const loginItem = createLoginItem({
    platform,
    app,
    exec: env['APPIMAGE'] ?? process.execPath,
    configHome: env['XDG_CONFIG_HOME'] ?? path.join(env['HOME'] ?? '', '.config'),
  });

  const host = new ServerHost({
    fork: () =>
      electron.utilityProcess.fork(path.join(paths.mainDir, 'utility.js'), [], {
        serviceName: 'DittoFS server',
        stdio: 'inherit',
        env: { ...env, DITTOFS_WEBUI_DIR: rendererDir },
      }),
    createChannel: () => new electron.MessageChannelMain(),
    log: (level, msg, extra) => console[level === 'info' ? 'log' : level](`[dittofs] ${msg}`, extra ?? ''),
  });
  const relay = new EventsRelay();
  host.on('event', (ev) => relay.publish(ev));
  const notify = createNotifier(electron);
  host.on('event', (ev) => notify(ev));

  const showWindow = (): void => {
    if (!win || win.isDestroyed()) {
      win = createMainWindow(
        { createWindow: (o) => new electron.BrowserWindow(o), openExternal: (u) => electron.shell.openExternal(u) },
        {
          preload: path.join(paths.mainDir, '..', 'preload', 'index.cjs'),
          indexHtml,
          origin,
          icon: path.join(paths.resourcesDir, 'icon.png'),
          isQuitting: () => quitting,
        },
      );
      // Windows ends a session without before-quit / will-quit: at least ask the server to drain.
      win.on('session-end', () => void quitGracefully());
    } else focusWindow(win);
    app.dock?.show();
  };

  // Every way out (the tray's Quit, Cmd+Q, app.quit(), logout, system shutdown, SIGTERM)
  // drains the server first: in-flight calls finish and written data is stored, within
  // QUIT_DEADLINE_MS; then the app quits for real.
  let drain: Promise<void> | undefined;
  let drained = false;
  const quitGracefully = (): Promise<void> => {
    quitting = true;
    drain ??= host.stop(QUIT_DEADLINE_MS).finally(() => {
      drained = true;
      app.quit();
    });
    return drain;
  };
  const holdQuit = (e: { preventDefault(): void }): void => {
    quitting = true;
    if (drained || (!host.running && !drain)) return;
    e.preventDefault();
    void quitGracefully();
  };

  app.on('second-instance', () => showWindow());
  // A tray app keeps running with no window open.
  app.on('window-all-closed', () => undefined);
  app.on('before-quit', holdQuit);
  // Also reached without before-quit (Windows logout/shutdown closes windows, then quits).
  app.on('will-quit', holdQuit);
  const signals = opts.signals ?? process;
  signals.on('SIGTERM', () => void quitGracefully());
  signals.on('SIGINT', () => void quitGracefully());
  app.on('web-contents-created', (_e: never, contents: WebContentsLike) => {
    lockDownContents(contents, origin, (u) => electron.shell.openExternal(u));
  });

  await app.whenReady();

  electron.session.defaultSession.webRequest.onHeadersReceived((details, callback) => {
    callback({
      responseHeaders: {
        ...details.responseHeaders,
        'Content-Security-Policy': [contentSecurityPolicy(origin.devServerUrl)],
      },
    });
  });
  // Shutdown or reboot: hold it (Electron asks the system to wait) while the server drains.
  electron.powerMonitor?.on('shutdown', (e) => {
    e?.preventDefault();
    void quitGracefully();
  });
  // The UI needs no camera, microphone, notifications prompt, ...
  electron.session.defaultSession.setPermissionRequestHandler((_wc, _permission, callback) => callback(false));

  let connectChoices: ConnectChoices | undefined;
  const tray = new TrayController(
    {
      createTray: (image) => new electron.Tray(image),
      createImage: (file) => electron.nativeImage.createFromPath(file),
      buildMenu: (items) => electron.Menu.buildFromTemplate(items),
      writeClipboard: (text) => electron.clipboard.writeText(text),
    },
    paths.resourcesDir,
    {
      open: showWindow,
      startServer: () => host.start(),
      stopServer: () => void host.stop(),
      quit: () => void quitGracefully(),
      getStartAtLogin: () => loginItem.get(),
      setStartAtLogin: (on) => loginItem.set(on),
      connectChoices: () => connectChoices,
    },
  );
  host.on('state', (s) => {
    if (s === 'stopped' || s === 'error') connectChoices = undefined;
    tray.setState(s);
  });
  // The tray's connect lines follow the shares and adapters (ports change, shares come and go).
  const refreshConnect = (): void => {
    void loadConnectChoices((op, params) => host.call(op, params)).then((c) => {
      connectChoices = c;
      tray.refresh();
    });
  };
  host.on('ready', refreshConnect);
  host.on('event', (ev) => {
    if (ev.topic === 'adapter') refreshConnect();
  });
  host.on('status', (s) => tray.setStatus(s));

  registerIpc(electron.ipcMain, {
    origin,
    allowedOps: new Set(opts.operations),
    forward: async (op, params) => {
      const r = await host.call(op, params);
      if (r.ok && /^(shares|adapters)\.(?!list|get|permissions)/.test(op)) refreshConnect();
      return r;
    },
    local: {
      [DESKTOP_OPS.getStartAtLogin]: () => loginItem.get(),
      [DESKTOP_OPS.setStartAtLogin]: (p) => {
        loginItem.set(Boolean((p as { enabled?: unknown } | undefined)?.enabled));
        tray.refresh();
        return loginItem.get();
      },
      [DESKTOP_OPS.serverInfo]: () => ({ state: host.state, info: host.info ?? null }),
    },
    relay,
    createChannel: () => new electron.MessageChannelMain(),
    log: (_level, msg, extra) => console.warn(`[dittofs] ${msg}`, extra ?? ''),
  });

  host.start();
  // Started at login (or with --hidden): the tray only, no window.
  if (!loginItem.openedAtLogin(argv)) showWindow();
  else app.dock?.hide();
}
