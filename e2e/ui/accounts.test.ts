// Accounts and safe settings in Debian's Chromium against a started dfs (issue 11, items
// 2, 3, 5): admin signs out and a plain user signs in in the same page and sees nothing of
// admin's (no cached list, no admin action, no live stream, no "Forbidden"), only their own
// page; an operator sees no control only an administrator may use; a weak password is
// refused with the reason; a port change to a port another program holds is refused in
// words and NFS keeps serving on the old port (nfs-ls).
import { createServer, type Server } from 'node:net';
import type { Response } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiClient } from '../../src/shared/api/client.ts';
import { hasLibnfs, nfsUrl, run } from '../api/helpers.ts';
import type { DfsProcess } from '../helpers/dfs.ts';
import {
  hasChromium,
  screenshot,
  signInToDashboard,
  startReadyUiServer,
  type Browser,
  type ReadyUiServer,
} from './helpers.ts';

const CAROL = { username: 'carol', password: 'carol-long-passphrase' };
const OLIVE = { username: 'olive', password: 'olive-long-passphrase' };
/** Names only admin's pages show: none may appear on carol's. */
const ADMIN_ONLY = ['zed-secret-user', '/admin-only', 'default-metadata', 'Users & Groups', 'Adapters'];

describe.skipIf(!hasChromium())('accounts and safe settings in the web UI (needs /usr/bin/chromium)', () => {
  let ui: ReadyUiServer;
  let dfs: DfsProcess;
  let api: ApiClient;
  let browser: Browser;
  let url: string;

  beforeAll(async () => {
    ui = await startReadyUiServer();
    ({ dfs, browser, url, api } = ui);
    await api.call('users.create', { body: { ...CAROL, role: 'user' } });
    await api.call('users.create', { body: { ...OLIVE, role: 'operator' } });
    await api.call('users.create', { body: { username: 'zed-secret-user', password: 'zed-long-passphrase' } });
    const stores = { metadataStore: 'default-metadata', payloadStore: 'default-payload' };
    await api.call('shares.create', { body: { name: '/carol docs', ...stores, defaultAccess: 'none' } });
    await api.call('shares.setPermission', {
      params: { name: '/carol docs', principalType: 'user', principal: 'carol' },
      body: { access: 'read' },
    });
    await api.call('shares.create', { body: { name: '/admin-only', ...stores, defaultAccess: 'none' } });
  }, 180_000);

  afterAll(() => ui?.close());

  it('the share wizard says which rule a name breaks, and takes spaces and any script', async () => {
    const { page } = browser;
    await signInToDashboard(page, ui);
    await page.goto(`${url}#/shares/new`);
    await page.getByRole('radio', { name: /default-payload/ }).check();
    await page.getByRole('button', { name: 'Next' }).click();
    const name = page.getByLabel('Share name');
    const says = async (value: string, message: string) => {
      await name.fill(value);
      await page.getByText(message, { exact: true }).waitFor();
    };
    await says('/a:b', 'A share name cannot contain ":" (SMB share names exclude " \\ [ ] : | < > + = ; , * and ?).');
    await says(`/${'x'.repeat(85)}`, 'Use at most 80 characters (this name has 86): longer names do not fit SMB.');
    await says('/a/ b', 'A part of a share name cannot start or end with a space.');
    await screenshot(page, 'share-name-rules');
    await name.fill(`/Été — ${'x'.repeat(62)}`); // 70 characters, spaces and accents: fine
    await page.getByRole('button', { name: 'Next' }).click();
    await page.getByText('How will devices connect?').waitFor();
    await page.getByRole('button', { name: 'Sign out' }).click();
  });

  it('admin signs out, a plain user signs in in the same page and sees only what is theirs', async () => {
    const { page } = browser;
    await signInToDashboard(page, ui);
    // Admin's data in the page's cache: users, stores, shares.
    for (const p of ['users', 'stores', 'shares']) {
      await page.goto(`${url}#/${p}`);
      await page.locator('main h1').first().waitFor();
      await page.waitForLoadState('networkidle');
    }
    await page.getByText('/admin-only').first().waitFor();
    await page.getByRole('button', { name: 'Sign out' }).click();

    // Everything carol's page asks the server for, and how it answers.
    const responses: Response[] = [];
    page.on('response', (r) => void responses.push(r));
    await page.getByLabel('User name').fill(CAROL.username);
    await page.getByLabel('Password', { exact: true }).fill(CAROL.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'My shares' }).waitFor();
    await page.getByTestId('my-share').first().waitFor();
    await page.waitForLoadState('networkidle');
    await page.waitForTimeout(1500); // a live stream would have tried to connect by now

    const text = await page.locator('body').innerText();
    for (const s of ADMIN_ONLY) expect(text, s).not.toContain(s);
    expect(text).not.toMatch(/Forbidden|Reconnecting|may not do this/i);
    const cards = (await page.getByTestId('my-share').allInnerTexts()).sort();
    expect(cards).toEqual([
      expect.stringMatching(/^\/carol docs\nRead only\n+Your access is given to you\.\n[\s\S]*Connect/),
      expect.stringMatching(/^\/export\nRead and write\n+Your access is open to everyone with an account\./),
    ]);
    const links = await page.getByRole('navigation', { name: 'Main' }).getByRole('link').allInnerTexts();
    expect(links).toEqual(['My shares', 'My password']);
    // No admin action anywhere: the only buttons are copying a connect line, the menu, and signing out.
    const buttons = await page.getByRole('button').allInnerTexts();
    expect(buttons.filter((b) => !/^(Copy|Menu|Sign out)/.test(b.trim()))).toEqual([]);
    // Nothing asked that carol may not have: no 4xx, no event stream.
    const asked = responses.map((r) => `${r.status()} ${new URL(r.url()).pathname}`);
    expect(asked.filter((a) => /^4/.test(a) || a.includes('/events'))).toEqual([]);
    await screenshot(page, 'plain-user-my-shares');

    // The connect lines use the real NFS ports.
    const lines = await page.getByTestId('connect-line').allTextContents();
    expect(lines.join('\n')).toContain(`port=${dfs.nfsPort}`);
  });

  it('refuses a weak password with the reason, on the form and before anything is sent', async () => {
    const { page } = browser;
    await page.goto(`${url}#/password`);
    await page.getByRole('heading', { name: 'My password' }).waitFor();
    await page.getByLabel('Current password').fill(CAROL.password);
    await page.getByLabel('New password', { exact: true }).fill('password');
    await expect(page.getByTestId('password-strength').innerText()).resolves.toBe(
      'Strength: Very weak — This is one of the ten most used passwords.',
    );
    await page.getByLabel('Repeat the new password').fill('password');
    const sent: string[] = [];
    page.on('request', (r) => void (r.url().includes('/auth/password') && sent.push(r.url())));
    await page.getByRole('button', { name: 'Change password' }).click();
    await page
      .getByText('Too easy to guess: this is one of the ten most used passwords; add more words or characters.')
      .waitFor();
    expect(sent).toEqual([]);
    await screenshot(page, 'weak-password-refused');
    // A strong one goes through.
    await page.getByLabel('New password', { exact: true }).fill('violet kettle harbour 42');
    await page.getByLabel('Repeat the new password').fill('violet kettle harbour 42');
    await expect(page.getByTestId('password-strength').innerText()).resolves.toMatch(
      /^Strength: (Strong|Very strong)$/,
    );
    await page.getByRole('button', { name: 'Change password' }).click();
    await page.getByText('Password changed').waitFor();
    await page.getByRole('button', { name: 'Sign out' }).click();
  });

  it('an operator sees stores, users, adapters and settings without the controls only an administrator may use', async () => {
    const { page } = browser;
    await page.goto(url);
    if (await page.getByRole('button', { name: 'Sign out' }).isVisible()) {
      await page.getByRole('button', { name: 'Sign out' }).click();
    }
    await page.getByLabel('User name').fill(OLIVE.username);
    await page.getByLabel('Password', { exact: true }).fill(OLIVE.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Dashboard' }).waitFor();
    const refused: string[] = [];
    page.on('response', (r) => {
      if (r.status() === 403) refused.push(new URL(r.url()).pathname);
    });
    const absent = {
      stores: ['New payload store', 'New metadata store', 'Delete'],
      users: ['New user', 'New group', 'Edit', 'Delete', 'Members'],
      adapters: ['Change port…'],
    } as const;
    for (const [p, names] of Object.entries(absent)) {
      await page.goto(`${url}#/${p}`);
      await page.getByTestId('admin-only').waitFor();
      await page.waitForLoadState('networkidle');
      for (const name of names)
        expect(await page.getByRole('button', { name, exact: true }).count(), `${p}: ${name}`).toBe(0);
    }
    expect(await page.getByRole('switch').count()).toBe(0); // no enable/disable toggle on an adapter
    // Share access stays theirs: the grid is on the Users page.
    await page.goto(`${url}#/users`);
    await page.getByRole('heading', { name: 'Who can use which share' }).waitFor();
    await page.goto(`${url}#/settings`);
    await page.getByTestId('admin-only').waitFor();
    expect(await page.getByLabel('Name', { exact: true }).count()).toBe(0);
    // The share wizard offers folders and existing storage, not a new bucket (a new store).
    await page.goto(`${url}#/shares/new`);
    await page.getByRole('radio', { name: /A folder on this computer/ }).waitFor();
    expect(await page.getByRole('radio', { name: /An S3 bucket/ }).count()).toBe(0);
    expect(refused).toEqual([]);
    await screenshot(page, 'operator-stores');
    await page.getByRole('button', { name: 'Sign out' }).click();
  });

  describe.skipIf(!hasLibnfs())('a port change to a busy port (needs libnfs-utils)', () => {
    let other: Server;
    let busy: number;
    beforeAll(async () => {
      other = createServer();
      busy = await new Promise<number>((r) =>
        other.listen(0, '127.0.0.1', () => r((other.address() as { port: number }).port)),
      );
    });
    afterAll(() => new Promise<void>((r) => other.close(() => r())));

    it('says why in words, saves nothing, and NFS keeps serving on the old port', async () => {
      const { page } = browser;
      await signInToDashboard(page, ui);
      await page.goto(`${url}#/adapters`);
      const nfs = page.locator('[data-adapter="nfs"]');
      await nfs.getByRole('button', { name: 'Change port…' }).click();
      const port = page.getByLabel('Port', { exact: true });
      // A range error says the range.
      await port.fill('70000');
      await page.getByRole('button', { name: 'Save and restart' }).click();
      await page.getByText('Expected a port between 1 and 65535 (or 0 for any free port).').waitFor();
      await port.fill(String(busy));
      await page.getByRole('button', { name: 'Save and restart' }).click();
      const why = `Port ${busy} is already in use by another program.`;
      await page.getByRole('dialog').getByText(why).first().waitFor();
      await expect(page.getByRole('dialog').innerText()).resolves.toContain('NFS still serves as before');
      await screenshot(page, 'port-busy-refused');

      const ls = await run('nfs-ls', [nfsUrl(dfs, '/export')]);
      expect(ls.code, ls.stderr).toBe(0);
      const adapter = await api.call('adapters.get', { params: { type: 'nfs' } });
      expect(adapter).toMatchObject({ state: 'running', boundPort: dfs.nfsPort, error: null });
      // Set by DITTOFS_NFS_PORT at every start (the e2e server's environment): shown as such.
      expect(adapter.overrides).toContainEqual({ field: 'port', env: 'DITTOFS_NFS_PORT' });
      await expect(page.getByRole('dialog').getByTestId('overrides').innerText()).resolves.toContain(
        'DITTOFS_NFS_PORT',
      );
    });
  });
});
