/**
 * Helpers for the UI tests: Debian's Chromium through playwright-core (never a downloaded
 * browser), the web UI of a started `dfs`, screenshots under test-output/ui/, and a typed
 * API client for setting up state.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import path from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import type { ApiClient } from '../../src/shared/api/client.ts';
import { adminClient } from '../helpers/api.ts';
import { REPO_ROOT, startDfs, type DfsProcess, type StartDfsOptions } from '../helpers/dfs.ts';
import { CHROMIUM_BROWSER, CHROMIUM_PATH, unmet } from '../helpers/requirements.ts';
import { makeTmpDir, removeTmpDir } from '../helpers/tmp.ts';

export const SHOTS_DIR = path.join(REPO_ROOT, 'test-output', 'ui');

/** Debian's Chromium is installed (a missing one fails the run under CI: requirements.ts). */
export const hasChromium = (): boolean => unmet(CHROMIUM_BROWSER) === null;

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

/** A lock left by a run that died while building is taken over after this long. */
const STALE_BUILD_LOCK_MS = 5 * 60_000;

/**
 * One `electron-vite build` per test run, shared by the UI test files (they run in parallel
 * workers of one vitest process, `process.ppid`): the first builds under a lock and records
 * the outcome; the others wait for it.
 */
export async function ensureAppBuilt(): Promise<{ status: number | null; output: string }> {
  const stamp = path.join(REPO_ROOT, 'out', `.e2e-build-${process.ppid}.json`);
  const lock = path.join(REPO_ROOT, 'test-output', '.e2e-build.lock');
  mkdirSync(path.dirname(lock), { recursive: true });
  for (;;) {
    if (existsSync(stamp)) return JSON.parse(readFileSync(stamp, 'utf8')) as { status: number | null; output: string };
    try {
      mkdirSync(lock);
    } catch {
      const since = statSync(lock, { throwIfNoEntry: false })?.mtimeMs ?? Date.now();
      if (Date.now() - since > STALE_BUILD_LOCK_MS) {
        rmSync(lock, { recursive: true, force: true });
      }
      await sleep(500);
      continue;
    }
    try {
      const result = buildApp();
      mkdirSync(path.dirname(stamp), { recursive: true });
      writeFileSync(stamp, JSON.stringify(result));
    } finally {
      rmSync(lock, { recursive: true, force: true });
    }
  }
}

export interface Browser {
  context: BrowserContext;
  page: Page;
  close(): Promise<void>;
}

export async function launchBrowser(): Promise<Browser> {
  const userDataDir = makeTmpDir('dittofs-chromium-');
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM_PATH,
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

/** The URL of the web UI a started dfs serves at / (its own, never a stand-in). */
export function webUi(dfs: DfsProcess): { url: string } {
  return { url: `http://127.0.0.1:${dfs.apiPort as number}/` };
}

export interface UiServer {
  dfs: DfsProcess;
  browser: Browser;
  /** The web UI the server serves. */
  url: string;
  close(): Promise<void>;
}

/** The app built (once per run), a started dfs serving its web UI, and a browser. */
export async function startUiServer(opts: StartDfsOptions = {}): Promise<UiServer> {
  const build = await ensureAppBuilt();
  if (build.status !== 0) throw new Error(`the app build failed:\n${build.output.slice(-2000)}`);
  const dfs = await startDfs(opts);
  const browser = await launchBrowser().catch(async (err: unknown) => {
    await dfs.stop();
    throw err;
  });
  return {
    dfs,
    browser,
    url: webUi(dfs).url,
    close: async () => {
      await browser.close();
      await dfs.stop();
    },
  };
}

/** A UiServer past its first-run wizard, and an admin API client for setting up state. */
export interface ReadyUiServer extends UiServer {
  api: ApiClient;
}

/** startUiServer, then the first-run wizard marked done, as for a user who has set up dfs. */
export async function startReadyUiServer(opts: StartDfsOptions = {}): Promise<ReadyUiServer> {
  const ui = await startUiServer(opts);
  try {
    const api = await adminClient(ui.dfs);
    await api.call('settings.set', { params: { key: 'ui.setupCompleted' }, body: { value: true } });
    return { ...ui, api };
  } catch (err) {
    await ui.close();
    throw err;
  }
}

/** Signs in as admin and waits for the dashboard. */
export async function signInToDashboard(page: Page, ui: Pick<UiServer, 'url' | 'dfs'>): Promise<void> {
  await signIn(page, ui.url, ui.dfs.adminPassword);
  await page.getByRole('heading', { name: 'Dashboard' }).waitFor();
}

/** Signs in through the login page (as admin unless told). */
export async function signIn(page: Page, url: string, password: string, username = 'admin'): Promise<void> {
  await page.goto(url);
  await page.getByLabel('User name').fill(username);
  await page.getByLabel('Password', { exact: true }).fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

/**
 * What sticks out sideways on the page: the document scrolling horizontally, and elements
 * whose box reaches past their card's (or the main area's) right edge. Empty when it fits.
 */
export async function horizontalOverflow(page: Page): Promise<string[]> {
  return page.evaluate<string[]>(OVERFLOW_SCRIPT);
}

// Runs in the page (plain JavaScript: the e2e code is type-checked without the DOM library).
const OVERFLOW_SCRIPT = `(() => {
  const out = [];
  const doc = document.documentElement;
  if (doc.scrollWidth > doc.clientWidth) out.push('document: ' + doc.scrollWidth + ' > ' + doc.clientWidth);
  const name = (el) => el.tagName.toLowerCase() + (typeof el.className === 'string' && el.className ? '.' + el.className.split(' ')[0] : '');
  for (const box of document.querySelectorAll('.card, .sidebar, .dialog, main')) {
    const edge = box.getBoundingClientRect().right + 0.5;
    if (box.scrollWidth > box.clientWidth + 1) out.push(name(box) + ' scrolls: ' + box.scrollWidth + ' > ' + box.clientWidth);
    for (const el of box.querySelectorAll('*')) {
      const r = el.getBoundingClientRect();
      if (r.width > 0 && r.right > edge && getComputedStyle(el).position !== 'fixed')
        out.push(name(el) + ' "' + (el.textContent || '').trim().slice(0, 30) + '" ends at ' + Math.round(r.right) + ' > ' + name(box) + ' ' + Math.round(edge));
    }
  }
  return [...new Set(out)].slice(0, 20);
})()`;
