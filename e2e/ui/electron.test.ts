// The real desktop app through Playwright's Electron driver — only where an Electron binary
// is installed (it cannot be downloaded on the build machines here, so this is skipped in
// CI). Run `npm run build:app` first. Checks the window opens on our page with the secure
// bridge, and the server inside answers through IPC.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { _electron as electron } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../helpers/dfs.ts';
import { makeTmpDir, removeTmpDir } from '../helpers/tmp.ts';

function electronBinary(): string | undefined {
  const dir = path.join(REPO_ROOT, 'node_modules', 'electron');
  const pathFile = path.join(dir, 'path.txt');
  if (!existsSync(pathFile)) return undefined;
  const bin = path.join(dir, 'dist', readFileSync(pathFile, 'utf8').trim());
  return existsSync(bin) && existsSync(path.join(REPO_ROOT, 'out', 'main', 'index.js')) ? bin : undefined;
}

const bin = electronBinary();

describe.skipIf(!bin)('desktop app (Electron binary present)', () => {
  it('opens the window and manages the embedded server over IPC', async () => {
    const data = makeTmpDir('dittofs-electron-');
    const app = await electron.launch({
      executablePath: bin as string,
      args: [REPO_ROOT, '--no-sandbox'],
      env: {
        ...(process.env as Record<string, string>),
        DITTOFS_DATA_DIR: data,
        DITTOFS_NFS_PORT: '0',
        DITTOFS_NFS_BIND: '127.0.0.1',
        DITTOFS_API_PORT: '0',
        DITTOFS_METRICS_ENABLED: 'false',
        DITTOFS_SMB_ENABLED: 'false',
        XDG_CONFIG_HOME: data,
      },
    });
    try {
      const page = await app.firstWindow();
      // No Node in the page; only the allow-listed bridge.
      expect(await page.evaluate('typeof require')).toBe('undefined');
      expect(await page.evaluate('Object.keys(window.api).sort().join(",")')).toBe('call,platform,subscribe');
      const r = (await page.evaluate('window.api.call("shares.list", {})')) as {
        ok: boolean;
        result: { name: string }[];
      };
      expect(r.ok).toBe(true);
      expect(r.result.map((s) => s.name)).toContain('/export');
      const denied = (await page.evaluate('window.api.call("nope", {})')) as { ok: boolean };
      expect(denied.ok).toBe(false);
    } finally {
      await app.close();
      removeTmpDir(data);
    }
  }, 120_000);
});
