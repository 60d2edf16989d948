/**
 * Helpers for the UI tests: Debian's Chromium through playwright-core (never a downloaded
 * browser), the web UI of a started `dfs`, screenshots under test-output/ui/, and a typed
 * API client for setting up state.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import type { DfsProcess } from '../helpers/dfs.ts';
import { REPO_ROOT } from '../helpers/dfs.ts';
import { makeTmpDir, removeTmpDir } from '../helpers/tmp.ts';

export const CHROMIUM = process.env['DITTOFS_E2E_CHROMIUM'] ?? '/usr/bin/chromium';
export const SHOTS_DIR = path.join(REPO_ROOT, 'test-output', 'ui');
export const RENDERER_DIR = path.join(REPO_ROOT, 'out', 'renderer');

export const hasChromium = (): boolean => existsSync(CHROMIUM);

/** `electron-vite build`: main, preload and renderer bundles under out/. */
export function buildApp(): { status: number | null; output: string } {
  const r = spawnSync(
    process.execPath,
    [path.join(REPO_ROOT, 'node_modules', 'electron-vite', 'bin', 'electron-vite.js'), 'build'],
    {
      cwd: REPO_ROOT,
      encoding: 'utf8',
      env: { ...process.env, NODE_ENV: 'production' },
      timeout: 240_000,
    },
  );
  return { status: r.status, output: `${r.stdout}\n${r.stderr}` };
}

export interface Browser {
  context: BrowserContext;
  page: Page;
  close(): Promise<void>;
}

export async function launchBrowser(): Promise<Browser> {
  const userDataDir = makeTmpDir('dittofs-chromium-');
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
    viewport: { width: 1280, height: 860 },
  });
  const page = context.pages()[0] ?? (await context.newPage());
  return {
    context,
    page,
    close: async () => {
      await context.close().catch(() => undefined);
      removeTmpDir(userDataDir);
    },
  };
}

export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(SHOTS_DIR, { recursive: true });
  const file = path.join(SHOTS_DIR, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}

/** Does `dfs` itself serve the web UI at / ? */
export async function servesWebUi(apiPort: number): Promise<boolean> {
  try {
    const res = await fetch(`http://127.0.0.1:${apiPort}/`);
    const text = await res.text();
    return res.ok && (res.headers.get('content-type') ?? '').includes('text/html') && text.includes('id="root"');
  } catch {
    return false;
  }
}

/**
 * The URL of the web UI of a started dfs: its own / when it serves the UI; otherwise a
 * local stand-in that serves out/renderer and passes /api (SSE included) through to it.
 */
export async function webUi(dfs: DfsProcess): Promise<{ url: string; native: boolean; close(): Promise<void> }> {
  const apiPort = dfs.apiPort as number;
  if (await servesWebUi(apiPort))
    return { url: `http://127.0.0.1:${apiPort}/`, native: true, close: async () => undefined };
  const { readFile } = await import('node:fs/promises');
  const types: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css' };
  const server = http.createServer((req, res) => {
    const url = req.url ?? '/';
    if (url.startsWith('/api/')) {
      const up = http.request(
        { host: '127.0.0.1', port: apiPort, path: url, method: req.method, headers: req.headers },
        (ur) => {
          res.writeHead(ur.statusCode ?? 502, ur.headers);
          ur.pipe(res);
        },
      );
      up.on('error', () => res.destroy());
      req.pipe(up);
      return;
    }
    const rel = url === '/' ? 'index.html' : url.split('?')[0]!.replace(/^\/+/, '');
    if (rel.includes('..')) {
      res.writeHead(404).end();
      return;
    }
    readFile(path.join(RENDERER_DIR, rel)).then(
      (data) =>
        res.writeHead(200, { 'content-type': types[path.extname(rel)] ?? 'application/octet-stream' }).end(data),
      () => res.writeHead(404).end(),
    );
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/`,
    native: false,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

/** Signs in through the login page. */
export async function signIn(page: Page, url: string, password: string): Promise<void> {
  await page.goto(url);
  await page.getByLabel('User name').fill('admin');
  await page.getByLabel('Password', { exact: true }).fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}
