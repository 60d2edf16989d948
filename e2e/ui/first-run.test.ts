// The first run with a generated admin password (issue 11, item 5) in Debian's Chromium:
// the password is asked for once (the forced change), and the wizard then starts at the
// NAS name; reopened from Settings, the wizard can be left.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasChromium, screenshot, signIn, startUiServer, type Browser, type UiServer } from './helpers.ts';

describe.skipIf(!hasChromium())('first run with a generated password (needs /usr/bin/chromium)', () => {
  let ui: UiServer;
  let browser: Browser;
  let url: string;
  let generated: string;

  beforeAll(async () => {
    // An empty DITTOFS_ADMIN_INITIAL_PASSWORD counts as unset: dfs generates one and prints it once.
    ui = await startUiServer({ env: { DITTOFS_ADMIN_INITIAL_PASSWORD: '' } });
    ({ browser, url } = ui);
    generated = /the generated password: (\S+)/.exec(ui.dfs.logs())?.[1] ?? '';
    expect(generated).not.toBe('');
  }, 180_000);

  afterAll(() => ui?.close());

  it('asks for a new password once, then the wizard goes on with the NAS name', async () => {
    const { page } = browser;
    await signIn(page, url, generated);
    await page.getByRole('heading', { name: 'Choose your password' }).waitFor();
    await page.getByLabel('Current password').fill(generated);
    await page.getByLabel('New password', { exact: true }).fill('amber lantern over the bay');
    await page.getByLabel('Repeat the new password').fill('amber lantern over the bay');
    await page.getByRole('button', { name: 'Change password' }).click();
    await page.getByTestId('first-run').waitFor();
    await page.getByLabel('NAS name').waitFor();
    expect(await page.getByRole('heading', { name: 'Administrator password' }).count()).toBe(0);
    await expect(page.locator('.steps li.done').allInnerTexts()).resolves.toEqual(['Password']);
    // The first run itself cannot be left half-done: no way out but through it.
    expect(await page.getByRole('button', { name: 'Leave the wizard' }).count()).toBe(0);
    await screenshot(page, 'first-run-password-once');
  });

  it('the wizard reopened from Settings can be left', async () => {
    const { page } = browser;
    await page.getByLabel('NAS name').fill('Once NAS');
    await page.getByRole('button', { name: 'Next' }).click();
    // Skip the rest: storage, share, connect, login.
    await page.getByRole('button', { name: 'Next' }).click();
    await page.getByTestId('share-wizard').waitFor();
    await page.getByRole('button', { name: 'Cancel' }).click();
    await page.getByRole('button', { name: 'Next' }).click();
    await page.getByRole('button', { name: 'Finish' }).click();
    await page.getByRole('heading', { name: 'Dashboard' }).waitFor();

    await page.goto(`${url}#/settings`);
    await page.getByRole('button', { name: 'Open the first-run wizard' }).click();
    await page.getByTestId('first-run').waitFor();
    await page.getByRole('button', { name: 'Leave the wizard' }).click();
    await page.getByRole('heading', { name: 'Settings' }).waitFor();
  });
});
