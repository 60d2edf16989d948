/**
 * The desktop app's security checklist (DESIGN.md "Electron specifics"), as plain
 * functions: which pages are ours, which links may open outside, the CSP, and the
 * webPreferences every window gets.
 */

/** Where our renderer is loaded from: the built index.html, or the dev server in development. */
export interface RendererOrigin {
  /** file:// URL of out/renderer/index.html. */
  fileUrl?: string;
  /** http://localhost:5173 style origin of the electron-vite dev server. */
  devServerUrl?: string;
}

function parse(url: string): URL | undefined {
  try {
    return new URL(url);
  } catch {
    return undefined;
  }
}

/** True when `url` is a page of our own renderer (any hash or query on it). */
export function isTrustedUrl(url: string, origin: RendererOrigin): boolean {
  const u = parse(url);
  if (!u) return false;
  if (origin.fileUrl) {
    const f = parse(origin.fileUrl);
    if (f && u.protocol === 'file:' && f.protocol === 'file:' && u.pathname === f.pathname && u.host === f.host)
      return true;
  }
  if (origin.devServerUrl) {
    const d = parse(origin.devServerUrl);
    if (d && (u.protocol === 'http:' || u.protocol === 'https:') && u.origin === d.origin) return true;
  }
  return false;
}

/** The part of Electron's WebFrameMain that a check needs. */
export interface FrameLike {
  url: string;
  parent: FrameLike | null;
}

/** IPC senders must be the top frame of one of our pages: no iframe, no foreign page. */
export function isTrustedFrame(frame: FrameLike | null | undefined, origin: RendererOrigin): boolean {
  if (!frame) return false;
  if (frame.parent !== null) return false;
  return isTrustedUrl(frame.url, origin);
}

/** Schemes `shell.openExternal` may be asked to open (share addresses and web links). */
export const EXTERNAL_SCHEMES: ReadonlySet<string> = new Set(['https:', 'http:', 'smb:', 'nfs:', 'mailto:']);

export function isAllowedExternal(url: string): boolean {
  const u = parse(url);
  return u !== undefined && EXTERNAL_SCHEMES.has(u.protocol);
}

/** The Content-Security-Policy of every page (index.html carries the same as a meta tag). */
export function contentSecurityPolicy(devServerUrl?: string): string {
  const dev = devServerUrl ? parse(devServerUrl) : undefined;
  // The dev server needs its websocket for hot reload; nothing else is ever allowed.
  const connect = dev ? `'self' ws://${dev.host}` : `'self'`;
  return [
    `default-src 'none'`,
    `script-src 'self'`,
    `style-src 'self'`,
    `img-src 'self' data:`,
    `font-src 'self'`,
    `connect-src ${connect}`,
    `base-uri 'none'`,
    `form-action 'none'`,
    `frame-ancestors 'none'`,
    `object-src 'none'`,
  ].join('; ');
}

/** webPreferences for every BrowserWindow. */
export function secureWebPreferences(preload: string) {
  return {
    preload,
    contextIsolation: true,
    sandbox: true,
    nodeIntegration: false,
    nodeIntegrationInWorker: false,
    nodeIntegrationInSubFrames: false,
    webSecurity: true,
    allowRunningInsecureContent: false,
    webviewTag: false,
    spellcheck: false,
    navigateOnDragDrop: false,
  } as const;
}
