// A file written through the runtime's services survives a clean SIGTERM and a restart on
// the embedded defaults (SQLite metadata + filesystem blocks), byte for byte.
import { createHash, randomBytes } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { startDfs, type DfsProcess } from '../helpers/dfs.ts';
import { makeTmpDir, removeTmpDir } from '../helpers/tmp.ts';

const dataDir = makeTmpDir('dittofs-restart-');
afterAll(() => removeTmpDir(dataDir));

/** Sends one test-hook request and waits for its JSON reply line on stdout. */
async function hook(dfs: DfsProcess, req: Record<string, unknown> & { id: number }): Promise<Record<string, unknown>> {
  const seen = dfs.logs().length;
  dfs.stdin?.write(`${JSON.stringify(req)}\n`);
  for (let waited = 0; waited < 30_000; waited += 50) {
    const lines = dfs.logs().slice(seen).split('\n');
    lines.pop(); // the last piece may be a line still being written
    for (const line of lines) {
      if (!line.startsWith(`{"id":${req.id},`)) continue;
      return JSON.parse(line) as Record<string, unknown>;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`no reply to hook request ${req.id}. Output:\n${dfs.logs()}`);
}

describe('dfs start: persistence across a restart', () => {
  it('reads back, after SIGTERM and a new start, the bytes written before', async () => {
    // Crosses a 4 MiB block boundary so more than one block is stored.
    const content = randomBytes(5 * 1024 * 1024 + 123);
    const env = { DITTOFS_TEST_HOOKS: '1' };

    const first = await startDfs({ dataDir, env, stdin: true });
    const written = await hook(first, {
      id: 1,
      op: 'write',
      share: '/export',
      name: 'kept.bin',
      data: content.toString('base64'),
    });
    expect(written).toMatchObject({ ok: true, size: content.length });
    expect(await first.stop()).toBe(0);
    expect(first.logs()).toContain('"msg":"stopped"');

    const second = await startDfs({ dataDir, env, stdin: true });
    try {
      const read = await hook(second, { id: 2, op: 'read', share: '/export', name: 'kept.bin' });
      expect(read.ok).toBe(true);
      expect(read.size).toBe(content.length);
      expect(read.sha256).toBe(createHash('sha256').update(content).digest('hex'));
      const missing = await hook(second, { id: 3, op: 'read', share: '/export', name: 'never-written' });
      expect(missing).toMatchObject({ ok: false, error: 'NOT_FOUND' });
    } finally {
      expect(await second.stop()).toBe(0);
    }
  });
});
