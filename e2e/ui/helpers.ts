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
import type { DfsProcess } from '../helpers/dfs.ts';
import { REPO_ROOT } from '../helpers/dfs.ts';
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

/** Signs in through the login page. */
export async function signIn(page: Page, url: string, password: string): Promise<void> {
  await page.goto(url);
  await page.getByLabel('User name').fill('admin');
  await page.getByLabel('Password', { exact: true }).fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}
