// The Cluster page (issue 16) in Debian's Chromium: with two dfs on one PostgreSQL control
// plane, it lists both servers (this one marked), their health and PostgreSQL pool use, and
// shows the other one down once it was killed; screenshots under test-output/ui/.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../src/server/postgres/testing/database.ts';
import { startDfs, type DfsProcess } from '../helpers/dfs.ts';
import { POSTGRESQL, unmet } from '../helpers/requirements.ts';
import { hasChromium, screenshot, signInToDashboard, startReadyUiServer, type UiServer } from './helpers.ts';

describe.skipIf(!hasChromium() || unmet(POSTGRESQL) !== null)('the Cluster page (needs /usr/bin/chromium)', () => {
  let db: TestDatabase;
  let ui: UiServer | undefined;
  let other: DfsProcess | undefined;

  beforeAll(async () => {
    db = await createTestDatabase();
    const env = {
      DITTOFS_CONTROLPLANE_DATABASE: db.url,
      DITTOFS_ADMIN_INITIAL_PASSWORD: `e2e-${randomBytes(12).toString('hex')}`,
      DITTOFS_CLUSTER_HEARTBEAT_MS: '300',
      DITTOFS_CLUSTER_DOWN_AFTER_MS: '1500',
    };
    ui = await startReadyUiServer({ env });
    other = await startDfs({ env });
  }, 240_000);

  afterAll(async () => {
    await other?.stop();
    await ui?.close();
    await db?.drop();
  });

  it('lists both servers with health and pool use, then the killed one down', async () => {
    const { page } = ui!.browser;
    await signInToDashboard(page, ui!);
    await page.getByRole('link', { name: 'Cluster' }).click();
    await page.getByRole('heading', { name: 'Cluster' }).waitFor();
    const rows = page.getByTestId('instance-row');
    await expect.poll(() => rows.count()).toBe(2);
    const self = rows.filter({ hasText: 'this server' });
    await expect.poll(() => self.count()).toBe(1);
    expect(await self.getAttribute('data-state')).toBe('up');
    expect(await page.getByTestId('instance-pool').first().textContent()).toMatch(/^controlplane: \d+\/4 in use/);
    expect(await page.getByRole('table', { name: 'Servers' }).textContent()).toContain(`NFS ${other!.nfsPort}`);
    await screenshot(page, 'cluster-two-up');

    other!.kill('SIGKILL');
    await other!.exited;
    other = undefined;
    await expect
      .poll(() => page.locator('[data-testid="instance-row"][data-state="down"]').count(), { timeout: 60_000 })
      .toBe(1);
    await expect.poll(() => page.getByTestId('cluster-summary').textContent()).toBe('2 servers, 1 not running');
    await screenshot(page, 'cluster-one-down');
  });
});
