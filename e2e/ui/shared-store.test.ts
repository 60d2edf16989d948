// A shared S3 store (block index in PostgreSQL, docs/cluster.md) on the dashboard, in Debian's
// Chromium against a started dfs, s3rver and PostgreSQL: the Cloud stores card shows it
// beside an offloaded store, with its bucket, its block index database (reachable), its
// local cache, and no upload button; the Storage card marks it shared. Screenshot
// test-output/ui/shared-store-dashboard.png.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../src/server/postgres/testing/database.ts';
import { S3rver } from '../../src/server/payload/stores/s3/testing/s3rver.ts';
import { POSTGRESQL, unmet } from '../helpers/requirements.ts';
import { hasChromium, screenshot, signInToDashboard, startReadyUiServer, type ReadyUiServer } from './helpers.ts';

describe.skipIf(!hasChromium() || unmet(POSTGRESQL) !== null)('a shared S3 store on the dashboard (Chromium)', () => {
  let s3: S3rver;
  let db: TestDatabase;
  let ui: ReadyUiServer | undefined;

  beforeAll(async () => {
    [s3, db] = await Promise.all([S3rver.start(), createTestDatabase()]);
    const bucket = await s3.bucket('ui-shared');
    ui = await startReadyUiServer();
    await ui.api.call('stores.payload.create', {
      body: { name: 'team', type: 's3', config: { ...bucket, prefix: 'nas/', blockIndex: { url: db.url } } },
    });
    await ui.api.call('stores.payload.create', {
      body: { name: 'laptop', type: 's3', config: { ...bucket, prefix: 'laptop/' } },
    });
  }, 300_000);

  afterAll(async () => {
    await ui?.close();
    await Promise.allSettled([s3?.remove(), db?.drop()]);
  });

  it('shows the shared store with its bucket, reachable block index and cache, without upload actions', async () => {
    const { page } = ui!.browser;
    await signInToDashboard(page, ui!);
    const card = page.getByTestId('cloud-uploads');
    const team = card.locator('[data-testid="shared-store"][data-store="team"]');
    await team.waitFor();
    const text = (await team.textContent()) ?? '';
    expect(text).toContain('shared by several instances');
    expect(text).toContain('Block index reachable');
    expect(text).toContain('Bucket ui-shared under nas/');
    expect(text).toMatch(/block index [\w.-]+:\d+\/dittofs_test_\w+/);
    expect(text).toMatch(/Local cache 0 B of /);
    expect(await team.getByRole('button').count()).toBe(0);
    expect(await team.getByRole('meter', { name: 'Local cache of team' }).count()).toBe(1);
    // The offloaded store keeps its own row, with its upload action.
    await card.getByRole('button', { name: 'Upload now' }).waitFor();
    await expect.poll(() => page.getByText('(s3, shared)').count()).toBe(1);
    console.log(`screenshot: ${await screenshot(page, 'shared-store-dashboard')}`);
    await page.setViewportSize({ width: 760, height: 900 });
    await team.scrollIntoViewIfNeeded();
    for (const scheme of ['light', 'dark'] as const) {
      await page.emulateMedia({ colorScheme: scheme });
      console.log(`screenshot: ${await screenshot(page, `shared-store-dashboard-760-${scheme}`)}`);
    }
    await page.emulateMedia({ colorScheme: 'light' });
  });
});
