/**
 * The main window: secure webPreferences, closing hides it (the app lives in the tray),
 * no navigation away from our page, no new windows (allow-listed links open in the
 * system browser / file manager instead).
 */
import { isAllowedExternal, isTrustedUrl, secureWebPreferences, type RendererOrigin } from './security.ts';

export interface WebContentsLike {
  on(event: 'will-navigate' | 'will-redirect', listener: (e: { preventDefault(): void }, url: string) => void): unknown;
  on(event: 'will-attach-webview', listener: (e: { preventDefault(): void }) => void): unknown;
  setWindowOpenHandler(handler: (details: { url: string }) => { action: 'deny' }): void;
}

export interface WindowLike {
  webContents: WebContentsLike;
  on(event: 'close', listener: (e: { preventDefault(): void }) => void): unknown;
  /** Windows: the session ends (logout, shutdown); no before-quit / will-quit follows. */
  on(event: 'session-end', listener: () => void): unknown;
  once(event: 'ready-to-show', listener: () => void): unknown;
  show(): void;
  hide(): void;
  focus(): void;
  restore(): void;
  isMinimized(): boolean;
  isDestroyed(): boolean;
  loadURL(url: string): Promise<void>;
  loadFile(file: string): Promise<void>;
}

export interface WindowDeps {
  createWindow(options: Record<string, unknown>): WindowLike;
  openExternal(url: string): Promise<void> | void;
}

export interface WindowOptions {
  preload: string;
  /** out/renderer/index.html */
  indexHtml: string;
  origin: RendererOrigin;
  icon?: string;
  /** True once the user chose Quit: then closing really closes. */
  isQuitting(): boolean;
  startHidden?: boolean;
}

/** Applies the navigation rules to any web contents (also used for `web-contents-created`). */
export function lockDownContents(
  contents: WebContentsLike,
  origin: RendererOrigin,
  openExternal: (url: string) => unknown,
): void {
  const guard = (e: { preventDefault(): void }, url: string): void => {
    if (!isTrustedUrl(url, origin)) e.preventDefault();
  };
  contents.on('will-navigate', guard);
  contents.on('will-redirect', guard);
  contents.on('will-attach-webview', (e) => e.preventDefault());
  contents.setWindowOpenHandler(({ url }) => {
    if (isAllowedExternal(url)) void openExternal(url);
    return { action: 'deny' };
  });
}

export function createMainWindow(deps: WindowDeps, opts: WindowOptions): WindowLike {
  const win = deps.createWindow({
    width: 1180,
    height: 780,
    minWidth: 760,
    minHeight: 520,
    show: false,
    title: 'DittoFS',
    icon: opts.icon,
    autoHideMenuBar: true,
    webPreferences: secureWebPreferences(opts.preload),
  });
  lockDownContents(win.webContents, opts.origin, (url) => deps.openExternal(url));
  win.on('close', (e) => {
    if (opts.isQuitting()) return;
    e.preventDefault();
    win.hide();
  });
  if (!opts.startHidden) win.once('ready-to-show', () => win.show());
  if (opts.origin.devServerUrl) void win.loadURL(opts.origin.devServerUrl);
  else void win.loadFile(opts.indexHtml);
  return win;
}

/** Brings the window to the front (tray click, second launch). */
export function focusWindow(win: WindowLike | undefined): void {
  if (!win || win.isDestroyed()) return;
  if (win.isMinimized()) win.restore();
  win.show();
  win.focus();
}
