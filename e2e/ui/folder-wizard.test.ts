// The share wizard's folder step in Chromium against a started dfs: what the server's folder
// check says reaches the user in words before anything is created. A file, or a folder
// inside dfs's data dir, is refused; a missing folder is made only once the user ticks
// "Create this folder"; a folder shared already is marked and may be shared again; a folder
// inside another share's folder needs "Share it anyway". Screenshots in test-output/ui/.
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiClient } from '../../src/shared/api/client.ts';
import { makeTmpDir, removeTmpDir } from '../helpers/tmp.ts';
import {
  hasChromium,
  screenshot,
  signInToDashboard,
  startReadyUiServer,
  type Browser,
  type ReadyUiServer,
} from './helpers.ts';

describe.skipIf(!hasChromium())('share wizard: the folder step (Chromium)', () => {
  let ui: ReadyUiServer | undefined;
  let api: ApiClient;
  let browser: Browser;
  let url = '';
  const home = makeTmpDir('dittofs-ui-folders-');
  const photos = path.join(home, 'Photos');
  const notes = path.join(home, 'notes.txt');

  beforeAll(async () => {
    mkdirSync(path.join(photos, '2024'), { recursive: true });
    writeFileSync(notes, 'a file, not a folder\n');
    ui = await startReadyUiServer();
    ({ api, browser, url } = ui);
    await api.call('shares.create', { body: { name: '/photos', path: photos } });
    await signInToDashboard(browser.page, ui);
  }, 300_000);

  afterAll(async () => {
    await ui?.close();
    removeTmpDir(home);
  });

  /** Opens the wizard and answers its first question with `folder`. */
  async function answer(page: Page, folder: string): Promise<void> {
    await page.goto(`${url}#/shares`); // a new wizard, even if the last one is still open
    await page.goto(`${url}#/shares/new`);
    await page.getByTestId('share-wizard').waitFor();
    await page.getByLabel('Folder', { exact: true }).fill(folder);
  }

  const next = (page: Page) => page.getByRole('button', { name: 'Next' }).click();
  const nameStep = (page: Page) => page.getByLabel('Share name').waitFor();

  it('refuses a file and a folder inside the data dir, in words', async () => {
    const { page } = browser;
    await answer(page, notes);
    await next(page);
    await page.getByText(`${notes} is a file, not a folder.`).waitFor();
    await screenshot(page, 'folder-wizard-file');

    await answer(page, path.join(ui!.dfs.dataDir, 'folders'));
    await next(page);
    await page.getByText(/is inside dfs's data directory/).waitFor();
    expect(await page.getByLabel('Share name').count()).toBe(0);
  });

  it('asks before making a missing folder, and makes it only when told to', async () => {
    const { page } = browser;
    const missing = path.join(home, 'New Music');
    await answer(page, missing);
    const create = page.locator('label.toggle', { hasText: 'Create this folder' });
    await create.waitFor();
    await next(page);
    await page.getByText(`There is no folder ${missing}.`, { exact: false }).waitFor();
    await screenshot(page, 'folder-wizard-missing');
    expect(existsSync(missing)).toBe(false);

    await create.click();
    await next(page);
    await nameStep(page);
    expect(await page.getByLabel('Share name').inputValue()).toBe('/New Music');
    await next(page); // name
    await next(page); // protocols
    await next(page); // access: only me
    await page.getByText('Files: the new folder').waitFor();
    await page.getByRole('button', { name: 'Create share' }).click();
    await page.getByTestId('share-done').waitFor();
    expect(existsSync(missing)).toBe(true);
    expect(await api.call('shares.get', { params: { name: '/New Music' } })).toMatchObject({
      kind: 'folder',
      path: missing,
    });
  });

  it('marks a folder shared already, and lets it be shared again under another name', async () => {
    const { page } = browser;
    await answer(page, photos);
    await page.getByText('already shared as /photos').waitFor();
    await screenshot(page, 'folder-wizard-shared');
    await next(page);
    await nameStep(page);
    // The suggested name is taken: the user picks another.
    await page.getByLabel('Share name').fill('/photos-again');
    await next(page);
    await next(page);
    await next(page);
    await page.getByRole('button', { name: 'Create share' }).click();
    await page.getByTestId('share-done').waitFor();
    expect(await api.call('shares.get', { params: { name: '/photos-again' } })).toMatchObject({ path: photos });
  });

  it('asks before sharing a folder inside another share’s folder', async () => {
    const { page } = browser;
    await answer(page, path.join(photos, '2024'));
    const anyway = page.locator('label.toggle', { hasText: 'Share it anyway' });
    await anyway.waitFor();
    await next(page);
    await page
      .getByText(/It is inside the folder of \/photos/)
      .first()
      .waitFor();
    await screenshot(page, 'folder-wizard-nested');
    expect(await page.getByLabel('Share name').count()).toBe(0);
    await anyway.click();
    await next(page);
    await nameStep(page);
  });
});
