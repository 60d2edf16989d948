// The S3 store form in Chromium against a started dfs and s3rver (a real S3-compatible
// server): on the Stores page, "Test connection" shows a missing bucket failing at the
// bucket stage, then every stage ok once the bucket is right; the store is saved and
// listed. The share wizard's "An S3 bucket" answer (also in the first-run wizard) has the
// same form and test, and creates the store and the share on it.
// Screenshots in test-output/ui/.
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { S3rver, type S3rverStoreConfig } from '../../src/server/payload/stores/s3/testing/s3rver.ts';
import type { ApiClient } from '../../src/shared/api/client.ts';
import {
  hasChromium,
  screenshot,
  signInToDashboard,
  startReadyUiServer,
  type Browser,
  type ReadyUiServer,
} from './helpers.ts';

const STAGES = ['connect', 'auth', 'bucket', 'write', 'read', 'delete'];

describe.skipIf(!hasChromium())('the S3 store form (Chromium, s3rver)', () => {
  let s3: S3rver;
  let bucket: S3rverStoreConfig;
  let ui: ReadyUiServer | undefined;
  let api: ApiClient;
  let browser: Browser;
  let url = '';

  beforeAll(async () => {
    s3 = await S3rver.start();
    bucket = await s3.bucket('ui-bucket');
    ui = await startReadyUiServer();
    ({ api, browser, url } = ui);
    await signInToDashboard(browser.page, ui);
  }, 300_000);

  afterAll(async () => {
    await ui?.close();
    await s3?.remove();
  });

  async function fillS3(page: Page, bucketName: string): Promise<void> {
    await page.getByLabel(/^Endpoint/).fill(bucket.endpoint);
    await page.getByLabel('Bucket', { exact: true }).fill(bucketName);
    await page.getByLabel('Access key', { exact: true }).fill(bucket.accessKeyId);
    await page.getByLabel('Secret key', { exact: true }).fill(bucket.secretAccessKey);
  }

  /** Clicks "Test connection" and returns each stage's status once the result shows. */
  async function testConnection(page: Page): Promise<Record<string, string | null>> {
    await page.getByRole('button', { name: 'Test connection' }).click();
    const list = page.getByRole('list', { name: 'Connection test' });
    await list.waitFor();
    const out: Record<string, string | null> = {};
    for (const stage of STAGES)
      out[stage] = await list.locator(`li[data-stage="${stage}"]`).getAttribute('data-status');
    return out;
  }

  it('tests the connection stage by stage, then saves the store and lists it', async () => {
    const { page } = browser;
    await page.goto(`${url}#/stores`);
    await page.getByRole('button', { name: 'New payload store' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('Name', { exact: true }).fill('cloud');
    await dialog.getByLabel('Type').selectOption('s3');
    await fillS3(page, 'no-such-bucket');
    expect(await testConnection(page)).toEqual({
      connect: 'ok',
      auth: 'ok',
      bucket: 'failed',
      write: 'skipped',
      read: 'skipped',
      delete: 'skipped',
    });
    await page.getByText('There is no bucket no-such-bucket').waitFor();
    await screenshot(page, 's3-store-test-failed');

    await page.getByLabel('Bucket', { exact: true }).fill(bucket.bucket);
    // The old result belongs to the old answers: it is gone.
    expect(await page.getByRole('list', { name: 'Connection test' }).count()).toBe(0);
    expect(await testConnection(page)).toEqual(Object.fromEntries(STAGES.map((s) => [s, 'ok'])));
    await page.getByText('Everything works').waitFor();
    await screenshot(page, 's3-store-test-ok');

    await dialog.getByRole('button', { name: 'Create store' }).click();
    await dialog.waitFor({ state: 'detached' });
    const row = page.getByRole('row', { name: /cloud/ });
    await row.waitFor();
    expect(await row.textContent()).toContain('S3 bucket');
    // The secret is shown hidden, never as typed.
    expect(await row.textContent()).toContain('secretAccessKey: ********');
  });

  it("offers the same form and test in the share wizard's first step, and the share lands in the bucket", async () => {
    const { page } = browser;
    await page.goto(`${url}#/shares/new`);
    await page.getByTestId('share-wizard').waitFor();
    await page.getByRole('radio', { name: /An S3 bucket/ }).check();
    await fillS3(page, bucket.bucket);
    expect(await testConnection(page)).toEqual(Object.fromEntries(STAGES.map((s) => [s, 'ok'])));
    await screenshot(page, 's3-share-wizard-test-ok');
    await page.getByRole('button', { name: 'Next' }).click();
    await page.getByLabel('Share name').fill('/bucketshare');
    await page.getByRole('button', { name: 'Next' }).click();
    await page.getByRole('button', { name: 'Next' }).click(); // protocols
    await page.getByRole('button', { name: 'Next' }).click(); // access: only me
    await page.getByRole('button', { name: 'Create share' }).click();
    await page.getByTestId('connect-line').first().waitFor();
    const share = (await api.call('shares.list', {})).find((s) => s.name === '/bucketshare');
    const store = (await api.call('stores.payload.list', {})).find((p) => p.name === share?.payloadStore);
    expect(store?.type).toBe('s3');
    expect(store?.config).toMatchObject({ bucket: bucket.bucket, endpoint: bucket.endpoint, forcePathStyle: true });
  });

  it('edits a store in use: the bucket stays, the hidden secret is kept and tested, the region changes', async () => {
    const { page } = browser;
    const share = (await api.call('shares.list', {})).find((s) => s.name === '/bucketshare');
    const name = share!.payloadStore;
    await page.goto(`${url}#/stores`);
    await page.getByRole('row', { name: new RegExp(`${name}.*/bucketshare`) }).waitFor();
    await page.getByRole('button', { name: `Edit ${name}` }).click();
    const dialog = page.getByRole('dialog');
    const bucketField = dialog.getByLabel('Bucket', { exact: true });
    expect(await bucketField.inputValue()).toBe(bucket.bucket);
    expect(await bucketField.getAttribute('readonly')).not.toBeNull();
    await dialog.getByText('Holds the files of /bucketshare').waitFor();
    // The secret is not sent to the page: the form holds the placeholder, and the test uses the saved one.
    expect(await dialog.getByLabel('Secret key', { exact: true }).inputValue()).toBe('********');
    await dialog.getByLabel('Region').fill('eu-west-1');
    expect(await testConnection(page)).toEqual(Object.fromEntries(STAGES.map((s) => [s, 'ok'])));
    await screenshot(page, 's3-store-edit');
    await page.setViewportSize({ width: 760, height: 900 });
    for (const scheme of ['light', 'dark'] as const) {
      await page.emulateMedia({ colorScheme: scheme });
      await screenshot(page, `s3-store-edit-760-${scheme}`);
    }
    await page.emulateMedia({ colorScheme: 'light' });
    await page.setViewportSize({ width: 1280, height: 860 });
    await dialog.getByRole('button', { name: 'Save' }).click();
    await dialog.waitFor({ state: 'detached' });
    await page.getByRole('row', { name: new RegExp(`${name}.*region: eu-west-1`) }).waitFor();
    const saved = await api.call('stores.payload.get', { params: { name } });
    expect(saved.config).toMatchObject({ region: 'eu-west-1', bucket: bucket.bucket, secretAccessKey: '********' });
  });

  it("sets a share on the bucket to confirm saves only once uploaded ('Saved means')", async () => {
    const { page } = browser;
    await page.goto(`${url}#/shares`);
    await page.locator('tr[data-share="/bucketshare"]').getByRole('button', { name: 'Edit' }).click();
    const dialog = page.getByRole('dialog');
    const savedMeans = dialog.getByLabel('Saved means');
    expect(await savedMeans.inputValue()).toBe('local');
    await savedMeans.selectOption('remote');
    await screenshot(page, 's3-share-durability-remote');
    await dialog.getByRole('button', { name: 'Save' }).click();
    await dialog.waitFor({ state: 'detached' });
    const share = (await api.call('shares.list', {})).find((s) => s.name === '/bucketshare');
    expect(share?.durability).toBe('remote');
  });

  it('offers the bucket with the same test in the first-run wizard', async () => {
    const { page } = browser;
    await page.goto(`${url}#/settings`);
    await page.getByRole('button', { name: 'Open the first-run wizard' }).click();
    await page.getByTestId('first-run').waitFor();
    await page.getByRole('button', { name: 'Skip' }).click(); // password
    await page.getByLabel('NAS name').waitFor();
    await page.getByRole('button', { name: 'Next' }).click();
    await page.getByTestId('share-wizard').waitFor();
    await page.getByRole('radio', { name: /An S3 bucket/ }).check();
    await fillS3(page, bucket.bucket);
    expect(await testConnection(page)).toEqual(Object.fromEntries(STAGES.map((s) => [s, 'ok'])));
    await screenshot(page, 's3-first-run-test-ok');
    await page.getByRole('button', { name: 'Leave the wizard' }).click();
    await page.getByRole('heading', { name: 'Settings' }).waitFor();
  });
});
