// The web UI in Debian's Chromium (playwright-core) against really started `dfs` servers:
// the first-run wizard, the share wizard (then nfs-ls), live throughput while nfs-cp copies
// 64 MiB, a user granted read-only access in the grid, and a server-side validation error
// shown in words. Every test leaves a screenshot under test-output/ui/.
//
// The renderer is built first (`electron-vite build`, which also checks that the main,
// preload and renderer bundles come out).
import { fork, spawn } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  openSync,
  closeSync,
  writeSync,
  readFileSync,
  readdirSync,
  writeFileSync,
} from 'node:fs';
import { hostname, networkInterfaces } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiClient } from '../../src/shared/api/client.ts';
import { adminClient } from '../helpers/api.ts';
import { REPO_ROOT, startDfs, type DfsProcess } from '../helpers/dfs.ts';
import { makeTmpDir, removeTmpDir } from '../helpers/tmp.ts';
import {
  ensureAppBuilt,
  hasChromium,
  launchBrowser,
  screenshot,
  servesWebUi,
  signIn,
  webUi,
  type Browser,
} from './helpers.ts';

const SETUP_KEY = 'ui.setupCompleted';

function run(cmd: string, args: string[], timeoutMs = 120_000): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? -1, output });
    });
    child.on('error', (err) => {
      clearTimeout(timer);
      resolve({ code: 127, output: String(err) });
    });
  });
}

/** This machine's addresses another device could use (not loopback, not link-local). */
const lanAddresses = () =>
  Object.values(networkInterfaces())
    .flat()
    .filter((a) => a && !a.internal && !a.address.startsWith('169.254.') && !/^fe[89ab]/i.test(a.address))
    .map((a) => a!.address);

const nfsUrl = (dfs: DfsProcess, share: string, file = '') =>
  `nfs://127.0.0.1${share}${file ? `/${file}` : ''}?nfsport=${dfs.nfsPort}&mountport=${dfs.mountPort}&version=3`;

let build: { status: number | null; output: string } | undefined;
beforeAll(async () => {
  build = await ensureAppBuilt();
}, 300_000);

describe('desktop bundles', () => {
  it('electron-vite build produces the main, preload and renderer bundles', () => {
    expect(build?.status, build?.output.slice(-4000)).toBe(0);
    for (const f of ['out/main/index.js', 'out/main/utility.js', 'out/preload/index.cjs', 'out/renderer/index.html']) {
      expect(existsSync(path.join(REPO_ROOT, f)), f).toBe(true);
    }
    // The sandboxed preload must be one CommonJS file needing nothing but electron.
    const preload = readFileSync(path.join(REPO_ROOT, 'out/preload/index.cjs'), 'utf8');
    expect([...preload.matchAll(/require\("([^"]+)"\)/g)].map((m) => m[1])).toEqual(['electron']);
    // The renderer page carries the strict CSP.
    const html = readFileSync(path.join(REPO_ROOT, 'out/renderer/index.html'), 'utf8');
    expect(html).toContain("script-src 'self'");
  });

  it('the bundled utility process boots the server and answers a call like the API', async () => {
    expect(build?.status).toBe(0);
    const data = makeTmpDir('dittofs-utility-');
    const child = fork(path.join(REPO_ROOT, 'out/main/utility.js'), [], {
      execArgv: ['--import', path.join(REPO_ROOT, 'e2e/ui/parent-port-shim.mjs')],
      env: {
        ...process.env,
        DITTOFS_DATA_DIR: data,
        DITTOFS_NFS_PORT: '0',
        DITTOFS_NFS_BIND: '127.0.0.1',
        DITTOFS_API_PORT: '0',
        DITTOFS_METRICS_ENABLED: 'false',
        DITTOFS_SMB_ENABLED: 'false',
        DITTOFS_LOGGING_LEVEL: 'warn',
      },
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    });
    let output = '';
    child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
    const next = (type: string) =>
      new Promise<Record<string, unknown>>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no ${type} message; output:\n${output}`)), 60_000);
        const on = (m: Record<string, unknown>) => {
          if (m.type !== type) return;
          clearTimeout(timer);
          child.off('message', on);
          resolve(m);
        };
        child.on('message', on);
      });
    try {
      const ready = await next('ready');
      expect((ready.info as { nfsPort?: number }).nfsPort).toBeGreaterThan(0);
      child.send({ type: 'call', id: 1, op: 'shares.list', params: {} });
      const reply = await next('reply');
      expect((reply.result as { name: string }[]).map((s) => s.name)).toEqual(['/export']);
      child.send({ type: 'call', id: 2, op: 'shares.get', params: { params: { name: '/nope' } } });
      const missing = await next('reply');
      expect(missing.error).toMatchObject({ status: 404, code: 'NOT_FOUND' });
      const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
      child.send({ type: 'stop' });
      expect(await exited).toBe(0);
    } finally {
      child.kill('SIGKILL');
      removeTmpDir(data);
    }
  }, 90_000);
});

describe.skipIf(!hasChromium())('the web UI in Chromium (needs /usr/bin/chromium)', () => {
  describe('first run', () => {
    let dfs: DfsProcess;
    let browser: Browser;
    let ui: ReturnType<typeof webUi>;
    const folder = makeTmpDir('dittofs-ui-folder-');

    beforeAll(async () => {
      writeFileSync(path.join(folder, 'holiday.jpg'), 'a photo that was there before');
      chmodSync(folder, 0o755); // a home folder's mode: its owner's NFS uid may list it
      dfs = await startDfs();
      ui = webUi(dfs);
      browser = await launchBrowser();
    }, 120_000);

    afterAll(async () => {
      await browser?.close();
      await dfs?.stop();
      removeTmpDir(folder);
    });

    it('dfs serves the web UI at /', async () => {
      expect(
        await servesWebUi(dfs.apiPort as number),
        'GET / on the API port should return the built renderer (registerWebUi)',
      ).toBe(true);
    });

    it('walks through the first-run wizard to the dashboard', async () => {
      const { page } = browser;
      await signIn(page, ui.url, dfs.adminPassword);
      await page.getByTestId('first-run').waitFor();

      // 1. Administrator password.
      await page.getByLabel('Current password').fill(dfs.adminPassword);
      await page.getByLabel('New password', { exact: true }).fill('a-new-admin-password');
      await page.getByLabel('Repeat the new password').fill('a-new-admin-password');
      await page.getByRole('button', { name: 'Set password' }).click();
      // 2. NAS name.
      await page.getByLabel('NAS name').fill('Test NAS');
      await page.getByRole('button', { name: 'Next' }).click();
      // 3. The share wizard: a folder of this computer is the first answer offered.
      await page.getByTestId('share-wizard').waitFor();
      expect(await page.getByRole('radio', { name: /A folder on this computer/ }).isChecked()).toBe(true);
      await page.getByLabel('Folder', { exact: true }).fill(folder);
      await page.getByRole('button', { name: 'Next' }).click();
      await page.getByLabel('Share name').fill('/photos');
      await page.getByRole('button', { name: 'Next' }).click();
      await page.getByRole('button', { name: 'Next' }).click(); // protocols
      await page.getByRole('button', { name: 'Next' }).click(); // access: only me
      await page.getByRole('button', { name: 'Create share' }).click();
      // 4. Connect another device: the real NFS port in the mount lines.
      await page.getByRole('heading', { name: 'Connect another device' }).waitFor();
      const lines = await page.getByTestId('connect-line').allTextContents();
      expect(lines.join('\n')).toContain(`port=${dfs.nfsPort}`);
      expect(lines.some((l) => l.includes('mount -t nfs') && l.includes(':/photos'))).toBe(true);
      expect(lines.some((l) => l.includes('mount_nfs'))).toBe(true);
      await screenshot(page, 'first-run-connect');
      await page.getByRole('button', { name: 'Next' }).click();
      // 5. Start at login (a desktop-app setting): finish.
      await page.getByRole('button', { name: 'Finish' }).click();
      await page.getByRole('heading', { name: 'Dashboard' }).waitFor();
      await screenshot(page, 'first-run-done');

      // What the wizard did, as the server sees it (signed in with the new password).
      const api = await adminClient({ ...dfs, adminPassword: 'a-new-admin-password' });
      expect((await api.call('settings.get', { params: { key: 'server.name' } })).value).toBe('Test NAS');
      expect((await api.call('settings.get', { params: { key: SETUP_KEY } })).value).toBe(true);
      const share = await api.call('shares.get', { params: { name: '/photos' } });
      expect(share).toMatchObject({ kind: 'folder', path: folder });
      // Served as it is: the file already there is listed, and nothing of dfs's is added.
      const { uid } = await api.call('users.get', { params: { username: 'admin' } });
      const ls = await run('nfs-ls', [`${nfsUrl(dfs, '/photos')}&uid=${uid}&gid=${uid}`]);
      expect(ls.output).toContain('holiday.jpg');
      expect(readdirSync(folder)).toEqual(['holiday.jpg']);
    });
  });

  describe('a set-up server', () => {
    let dfs: DfsProcess;
    let browser: Browser;
    let ui: ReturnType<typeof webUi>;
    let api: ApiClient;
    const tmp = makeTmpDir('dittofs-ui-');

    beforeAll(async () => {
      dfs = await startDfs();
      api = await adminClient(dfs);
      await api.call('settings.set', { params: { key: SETUP_KEY }, body: { value: true } });
      // /export as the NFS tests use it: root from the client stays root (the root dir is 0:0 0755).
      await api.call('shares.update', { params: { name: '/export' }, body: { squash: 'none' } });
      ui = webUi(dfs);
      browser = await launchBrowser();
      await signIn(browser.page, ui.url, dfs.adminPassword);
      await browser.page.getByRole('heading', { name: 'Dashboard' }).waitFor();
    }, 120_000);

    afterAll(async () => {
      await browser?.close();
      await dfs?.stop();
      removeTmpDir(tmp);
    });

    it('creates a share with the share wizard, then nfs-ls lists it', async () => {
      const { page } = browser;
      await page.goto(`${ui.url}#/shares/new`);
      await page.getByTestId('share-wizard').waitFor();
      await page.getByRole('radio', { name: /default-payload/ }).check();
      await page.getByRole('button', { name: 'Next' }).click();
      const name = page.getByLabel('Share name');
      // Validated as you type: an existing name is refused before anything is sent.
      await name.fill('/export');
      await page.getByText('exists already').waitFor();
      await name.fill('/e2e-share');
      await page.getByRole('button', { name: 'Next' }).click();
      await page.getByRole('button', { name: 'Next' }).click();
      await page.getByText('Guests can read and write').click();
      await page.getByText(/guests need no password/).waitFor();
      await page.getByText('Only me').click();
      await page.getByRole('button', { name: 'Next' }).click();
      await page.getByRole('button', { name: 'Create share' }).click();
      await page.getByTestId('share-done').waitFor();
      const lines = await page.getByTestId('connect-line').allTextContents();
      expect(lines.join('\n')).toContain(`mountport=${dfs.mountPort}`);
      await screenshot(page, 'share-wizard-done');
      await page.getByRole('button', { name: 'Finish' }).click();
      await page.locator('tr[data-share="/e2e-share"]').waitFor();
      await screenshot(page, 'share-list');

      // "Only me" is a real grant over NFS too: the admin's uid mounts, a squashed root does not.
      const { uid } = await api.call('users.get', { params: { username: 'admin' } });
      const ls = await run('nfs-ls', [`${nfsUrl(dfs, '/e2e-share')}&uid=${uid}&gid=${uid}`]);
      expect(ls.code, ls.output).toBe(0);
      const asRoot = await run('nfs-ls', [`${nfsUrl(dfs, '/e2e-share')}&uid=0&gid=0`]);
      expect(asRoot.output).toMatch(/MNT3ERR_ACCES/);
      const perms = await api.call('shares.permissions', { params: { name: '/e2e-share' } });
      expect(perms.entries).toEqual([{ principalType: 'user', principal: 'admin', access: 'write' }]);
      expect((await api.call('shares.get', { params: { name: '/e2e-share' } })).defaultAccess).toBe('none');
    });

    it('the other access presets create their grants', async () => {
      const { page } = browser;
      const create = async (name: string, preset: string): Promise<void> => {
        await page.goto(`${ui.url}#/shares/new`);
        await page.getByTestId('share-wizard').waitFor();
        await page.getByRole('radio', { name: /default-payload/ }).check();
        await page.getByRole('button', { name: 'Next' }).click();
        await page.getByLabel('Share name').fill(name);
        await page.getByRole('button', { name: 'Next' }).click();
        await page.getByRole('button', { name: 'Next' }).click();
        await page.getByText(preset).click();
        await screenshot(page, `share-wizard-access${name.replace('/', '-')}`);
        await page.getByRole('button', { name: 'Next' }).click();
        await page.getByRole('button', { name: 'Create share' }).click();
        await page.getByTestId('share-done').waitFor();
        await page.getByRole('button', { name: 'Finish' }).click();
        await page.locator(`tr[data-share="${name}"]`).waitFor();
      };
      await create('/e2e-lan', 'Everyone on my network, read-only');
      const lan = await api.call('shares.get', { params: { name: '/e2e-lan' } });
      const networks = (await api.call('networks.list', {})).map((n) => n.cidr);
      expect(lan).toMatchObject({ defaultAccess: 'read', guestAccess: 'read', allowedNetworks: networks });
      expect((await api.call('shares.permissions', { params: { name: '/e2e-lan' } })).entries).toEqual([
        { principalType: 'user', principal: 'admin', access: 'write' },
      ]);
      expect((await api.call('guest.get', {})).enabled).toBe(true);

      // "People I choose" starts with the person creating the share.
      await create('/e2e-chosen', 'People I choose');
      expect((await api.call('shares.get', { params: { name: '/e2e-chosen' } })).defaultAccess).toBe('none');
      expect((await api.call('shares.permissions', { params: { name: '/e2e-chosen' } })).entries).toEqual([
        { principalType: 'user', principal: 'admin', access: 'write' },
      ]);
    });

    it('draws non-zero throughput on the dashboard while nfs-cp copies 64 MiB', async () => {
      const { page } = browser;
      await page.goto(`${ui.url}#/dashboard`);
      const chart = page.getByTestId('throughput-chart');
      await chart.waitFor();
      const src = path.join(tmp, 'big.bin');
      const fd = openSync(src, 'w');
      const chunk = Buffer.alloc(4 * 1024 * 1024, 0x5a);
      for (let i = 0; i < 16; i++) writeSync(fd, chunk);
      closeSync(fd);
      const copy = run('nfs-cp', [src, nfsUrl(dfs, '/export', 'big.bin')], 180_000);
      let max = 0;
      const deadline = Date.now() + 60_000;
      while (Date.now() < deadline && max <= 0) {
        max = Number(await chart.getAttribute('data-max'));
        if (max <= 0) await page.waitForTimeout(250);
      }
      const cp = await copy;
      expect(cp.code, cp.output).toBe(0);
      // Samples keep coming for a second after the copy: wait for the last one.
      await page.waitForTimeout(1500);
      max = Number(await chart.getAttribute('data-max'));
      expect(max).toBeGreaterThan(0);
      const legend = await chart.locator('figcaption').textContent();
      expect(legend).toMatch(/Write/);
      // The Storage card shows the default store's write log with its cap.
      await expect.poll(() => page.getByTestId('write-log').first().textContent()).toMatch(/write log .+ of .+/);
      await screenshot(page, 'dashboard-throughput');
    });

    it('creates a user and grants it read-only access in the grid', async () => {
      const { page } = browser;
      await page.goto(`${ui.url}#/users`);
      await page.getByRole('button', { name: 'New user' }).click();
      const dialog = page.getByRole('dialog');
      await dialog.getByLabel('User name').fill('bob');
      await dialog.getByLabel('Password', { exact: true }).fill('short');
      await dialog.getByRole('button', { name: 'Create user' }).click();
      // Checked with the shared schema before sending.
      await dialog.getByText('Use at least 8 characters.').waitFor();
      await dialog.getByLabel('Password', { exact: true }).fill('bob-password-1');
      await dialog.getByLabel('Repeat the password').fill('bob-password-1');
      await dialog.getByLabel('User id (uid, optional)').fill('501'); // a Mac's first user
      await dialog.getByRole('button', { name: 'Create user' }).click();
      await page.locator('tr[data-user="bob"]').getByText('uid 501').waitFor();

      await page.getByLabel('Access of bob to /export').selectOption('read');
      const cell = page.locator('td[data-cell="bob|/export"] [data-testid="effective"]');
      await expect.poll(async () => cell.textContent(), { timeout: 15_000 }).toContain('Read only');
      await screenshot(page, 'users-grid');

      const perms = await api.call('shares.permissions', { params: { name: '/export' } });
      expect(perms.effective.find((e) => e.username === 'bob')?.access).toBe('read');
    });

    it('shows a server-side validation error in words', async () => {
      const { page } = browser;
      await page.goto(`${ui.url}#/settings`);
      await page.getByLabel('Current password').fill('not-the-password');
      await page.getByLabel('New password', { exact: true }).fill('another-password-1');
      await page.getByLabel('Repeat the new password').fill('another-password-1');
      await page.getByRole('button', { name: 'Change password' }).click();
      const alert = page.locator('.error-box').filter({ hasText: 'Not changed.' });
      await alert.waitFor();
      const text = (await alert.textContent()) ?? '';
      // In words: the reason, without HTTP-speak ("Validation failed:", "Conflict:").
      expect(text).toMatch(/current password is wrong/i);
      expect(text).not.toMatch(/Validation failed|Conflict:|Bad Request/);
      await screenshot(page, 'validation-error');
      // Readable in dark mode too.
      await page.emulateMedia({ colorScheme: 'dark' });
      await page.goto(`${ui.url}#/dashboard`);
      await page.getByTestId('throughput-chart').waitFor();
      await screenshot(page, 'dashboard-dark');
      await page.emulateMedia({ colorScheme: 'light' });
    });

    it("connect lines name this computer's LAN address (or its .local name) and the real ports", async () => {
      const { page } = browser;
      const lan = lanAddresses();
      const dotLocal = `${hostname().split('.')[0]}.local`;
      for (const scheme of ['light', 'dark'] as const) {
        await page.emulateMedia({ colorScheme: scheme });
        await page.setViewportSize({ width: 760, height: 900 });
        await page.goto(`${ui.url}#/shares`);
        await page.locator('tr[data-share="/export"]').getByRole('button', { name: 'Connect' }).click();
        const dialog = page.getByRole('dialog');
        const select = dialog.getByTestId('connect-address');
        await select.waitFor();
        const host = await select.inputValue();
        // The default is a non-loopback address of this machine; with none, its .local name.
        if (lan.length === 0) {
          console.warn('this machine has no non-loopback address: the connect lines use its .local name');
          expect(host).toBe(dotLocal);
        } else expect(lan).toContain(host);
        const lines = (await dialog.getByTestId('connect-line').allTextContents()).join('\n');
        expect(lines).not.toMatch(/127\.0\.0\.1|localhost/);
        expect(lines).toContain(`mount -t nfs -o nfsvers=3,tcp,port=${dfs.nfsPort},mountport=${dfs.mountPort}`);
        expect(lines).toContain(`${host.includes(':') ? `[${host}]` : host}:/export`);
        expect(lines).toContain('~/mnt/export');
        // No SMB adapter runs here: no SMB lines.
        expect(lines).not.toMatch(/smb:\/\/|\\\\/);
        // The test server's NFS listens on 127.0.0.1 only, and the dialog says so.
        await dialog.getByText('listens on this computer only').waitFor();
        // The other address can be chosen, and the lines follow.
        await select.selectOption(dotLocal);
        expect((await dialog.getByTestId('connect-line').first().textContent()) ?? '').toContain(`${dotLocal}:/export`);
        await select.selectOption(host);
        await screenshot(page, `connect-dialog-760-${scheme}`);
        await dialog.getByRole('button', { name: 'Close' }).click();
      }
      await page.emulateMedia({ colorScheme: 'light' });
      await page.setViewportSize({ width: 1280, height: 860 });
    });

    it("the session table's bytes grow during nfs-cp, pushed live; Disconnect asks first", async () => {
      const { page } = browser;
      await page.goto(`${ui.url}#/dashboard`);
      await page.getByTestId('throughput-chart').waitFor();
      const src = path.join(tmp, 'session.bin');
      const fd = openSync(src, 'w');
      const chunk = Buffer.alloc(4 * 1024 * 1024, 0x33);
      for (let i = 0; i < 8; i++) writeSync(fd, chunk);
      closeSync(fd);
      const row = page.getByTestId('session-row').filter({ hasText: '/export' });
      const moved = async () => Number(await row.getByTestId('session-moved').getAttribute('data-bytes'));
      const seen: number[] = [(await row.count()) > 0 ? await moved() : 0];
      for (const name of ['one.bin', 'two.bin']) {
        const cp = await run('nfs-cp', [src, nfsUrl(dfs, '/export', name)], 120_000);
        expect(cp.code, cp.output).toBe(0);
        // No reload: the sessions event brings the new counters within a few seconds.
        const before = seen.at(-1)!;
        await expect.poll(moved, { timeout: 15_000 }).toBeGreaterThanOrEqual(before + 32 * 1024 * 1024);
        seen.push(await moved());
      }
      expect(seen[2]).toBeGreaterThan(seen[1]!);
      // A user's name when a user has the uid nfs-cp sent (this process's), else "uid N".
      const uid = process.getuid?.() ?? 0;
      const named = (await api.call('users.list', {})).find((u) => u.uid === uid)?.username;
      expect(await row.locator('td').nth(2).textContent()).toBe(named ?? `uid ${uid}`);
      await screenshot(page, 'dashboard-sessions');
      await row.getByRole('button', { name: /Disconnect/ }).click();
      const dialog = page.getByRole('dialog');
      await dialog.getByText('closes the connections').waitFor();
      await screenshot(page, 'dashboard-disconnect-confirm');
      await dialog.getByRole('button', { name: 'Disconnect' }).click();
      await row.waitFor({ state: 'detached' });
    });

    it('the share list shows what each share holds', async () => {
      const { page } = browser;
      await page.goto(`${ui.url}#/shares`);
      const size = page.locator('tr[data-share="/export"]').getByTestId('share-size');
      // big.bin (64 MiB) and one.bin + two.bin (32 MiB each) from the tests above: 134 MB.
      await expect.poll(async () => size.textContent(), { timeout: 20_000 }).toBe('134 MB');
      await screenshot(page, 'share-list-size');
    });

    it('serves a favicon at /favicon.ico', async () => {
      const res = await fetch(`${ui.url}favicon.ico`);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('image/png');
      expect(
        Buffer.from(await res.arrayBuffer())
          .subarray(1, 4)
          .toString(),
      ).toBe('PNG');
    });
  });
});
