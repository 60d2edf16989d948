// The dashboard's write cache row (docs/write-log.md "Spilling"): a burst of small files past
// half of a small write cache leaves unsaved bytes both in memory and in the write log only,
// and the row tells them apart (the metrics count the spilled ones). A libnfs client
// (bench/nfs/nfsbench.c) writes; Debian's Chromium shows the page at 760 px, light and dark.
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { unmet, LIBNFS_DEV } from '../helpers/requirements.ts';
import { buildLibnfsProgram } from '../nfs/target.ts';
import { hasChromium, screenshot, signInToDashboard, startReadyUiServer } from './helpers.ts';

const MiB = 1024 * 1024;

describe.skipIf(!hasChromium() || unmet(LIBNFS_DEV) !== null)('the dashboard and spilled writes', () => {
  it('shows bytes not yet in blocks apart from those only in the write log', async () => {
    const ui = await startReadyUiServer({ env: { DITTOFS_CACHE_MEMORY_BYTES: String(16 * MiB) } });
    try {
      await ui.api.call('shares.update', { params: { name: '/export' }, body: { squash: 'none' } });
      const client = buildLibnfsProgram('bench/nfs/nfsbench.c', 'nfsbench');
      // ~3 s of 4 KiB files (tens of MiB): far past half of the 16 MiB cache.
      execFileSync(client, [
        ...['--nfsport', String(ui.dfs.nfsPort), '--mountport', String(ui.dfs.mountPort), '--export', '/export'],
        ...['--test', 'creates', '--seconds', '3', '--dir', 'burst'],
      ]);
      const metrics = await (await fetch(`http://127.0.0.1:${ui.dfs.metricsPort}/metrics`)).text();
      const gauge = (name: string): number => Number(new RegExp(`^${name} (\\d+)$`, 'm').exec(metrics)?.[1]);
      expect(gauge('dittofs_write_cache_spilled_bytes')).toBeGreaterThan(0);
      const { page } = ui.browser;
      await page.setViewportSize({ width: 760, height: 900 });
      await signInToDashboard(page, ui);
      for (const scheme of ['light', 'dark'] as const) {
        await page.emulateMedia({ colorScheme: scheme });
        await page.reload(); // fresh stats, not the ones cached at sign-in
        const row = page.getByText('more in the write log only');
        await row.waitFor();
        expect(await row.textContent()).toMatch(
          / · [\d.]+ [kMG]?B not yet in blocks · [\d.]+ [kMG]?B more in the write log only$/,
        );
        await screenshot(page, `dashboard-write-cache-spilled-760-${scheme}`);
      }
    } finally {
      await ui.close();
    }
  }, 180_000);
});
