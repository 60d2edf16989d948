// Narrow windows (issue 11, item 7): every page at 760 px (the desktop window's minimum)
// fits without sideways scrolling: no element reaches past its card or the page, the
// Shares table keeps its actions in view, and the sidebar folds into a menu. Measured in
// Debian's Chromium against a started dfs; screenshots in light and dark mode.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  hasChromium,
  horizontalOverflow,
  screenshot,
  signIn,
  signInToDashboard,
  startReadyUiServer,
  type Browser,
  type ReadyUiServer,
} from './helpers.ts';

const PAGES = [
  'dashboard',
  'shares',
  'shares/new',
  'stores',
  'users',
  'adapters',
  'cluster',
  'settings',
  'setup',
] as const;
const USER_PAGES = ['mine', 'password'] as const;
const USER = { username: 'nina', password: 'nina-long-passphrase' };

describe.skipIf(!hasChromium())('every page at 760 px (needs /usr/bin/chromium)', () => {
  let ui: ReadyUiServer;
  let browser: Browser;
  let url: string;

  beforeAll(async () => {
    ui = await startReadyUiServer();
    ({ browser, url } = ui);
    const { api } = ui;
    // Long names are what spill out of a narrow table.
    for (const name of ['/Family photos and videos from every holiday', '/média/été 2024 — sauvegardes']) {
      await api.call('shares.create', {
        body: { name, metadataStore: 'default-metadata', payloadStore: 'default-payload', description: 'x' },
      });
    }
    await api.call('users.create', { body: { ...USER, role: 'user' } });
    await browser.page.setViewportSize({ width: 760, height: 900 });
    await signInToDashboard(browser.page, ui);
  }, 180_000);

  afterAll(() => ui?.close());

  for (const scheme of ['light', 'dark'] as const) {
    it(`${scheme}: no page scrolls sideways or spills out of its cards`, async () => {
      const { page } = browser;
      await page.emulateMedia({ colorScheme: scheme });
      const found: Record<string, string[]> = {};
      for (const p of PAGES) {
        await page.goto(`${url}#/${p}`);
        await page.locator('h1').first().waitFor();
        await page.waitForLoadState('networkidle');
        const o = await horizontalOverflow(page);
        if (o.length > 0) found[p] = o;
        await screenshot(page, `narrow-760-${p.replace('/', '-')}-${scheme}`);
      }
      expect(found).toEqual({});
    });
  }

  it("a plain user's pages fit too", async () => {
    const { page } = browser;
    await page.goto(`${url}#/dashboard`);
    await page.getByRole('button', { name: 'Menu' }).click();
    await page.getByRole('button', { name: 'Sign out' }).click();
    await signIn(page, url, USER.password, USER.username);
    const found: Record<string, string[]> = {};
    for (const p of USER_PAGES) {
      await page.goto(`${url}#/${p}`);
      await page.locator('main h1').first().waitFor();
      await page.waitForLoadState('networkidle');
      const o = await horizontalOverflow(page);
      if (o.length > 0) found[p] = o;
      await screenshot(page, `narrow-760-user-${p}`);
    }
    expect(found).toEqual({});
    await page.getByRole('button', { name: 'Menu' }).click();
    await page.getByRole('button', { name: 'Sign out' }).click();
    await signInToDashboard(page, ui);
  });

  it("the Shares table's actions are in view without scrolling sideways", async () => {
    const { page } = browser;
    await page.goto(`${url}#/shares`);
    const row = page.locator('tr[data-share="/Family photos and videos from every holiday"]');
    await row.waitFor();
    const width = await page.evaluate<number>('document.documentElement.clientWidth');
    for (const button of await row.getByRole('button').all()) {
      const box = await button.boundingBox();
      expect(box === null ? 'hidden' : 'shown', (await button.textContent()) ?? '').toBe('shown');
      expect((box?.x ?? 0) + (box?.width ?? 0)).toBeLessThanOrEqual(width);
    }
  });

  it('the sidebar folds into a menu that opens and closes', async () => {
    const { page } = browser;
    await page.goto(`${url}#/dashboard`);
    const menu = page.getByRole('button', { name: 'Menu' });
    await menu.waitFor();
    await expect(page.getByRole('link', { name: 'Adapters' }).isVisible()).resolves.toBe(false);
    await menu.click();
    await page.getByRole('link', { name: 'Adapters' }).click();
    await page.getByRole('heading', { name: 'Adapters' }).waitFor();
    await expect(page.getByRole('link', { name: 'Stores' }).isVisible()).resolves.toBe(false);
    await screenshot(page, 'narrow-760-menu');
    // Wide again: the sidebar is back and the menu button gone.
    await page.setViewportSize({ width: 1280, height: 860 });
    await expect(page.getByRole('link', { name: 'Stores' }).isVisible()).resolves.toBe(true);
    await expect(menu.isVisible()).resolves.toBe(false);
    await page.setViewportSize({ width: 760, height: 900 });
  });
});
