// SIGTERM and SIGINT during start-up: whenever the signal comes — while the code still
// loads, at the first log line, with the control plane open but nothing served, with every
// listener open just before "ready" — `dfs start` shuts down cleanly ("stopped", exit code
// 0), and the data dir it leaves starts again and serves.
//
// The test hooks (src/server/entry/test-hooks.ts) mark the moments: bin/dfs.js logs
// "signals held" once a signal can no longer kill it, and DITTOFS_TEST_PAUSE_AT holds
// start-up at a named point until a stop request.
import { randomBytes } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { spawnDfs, startDfs, type SpawnedDfs } from '../helpers/dfs.ts';
import { makeTmpDir, removeTmpDir } from '../helpers/tmp.ts';

const ADMIN_PASSWORD = `admin-${randomBytes(6).toString('hex')}`;
const dirs: string[] = [];
afterAll(() => dirs.forEach(removeTmpDir));

interface Moment {
  name: string;
  pauseAt?: string;
  /** Resolves when the moment has come. */
  reached: (dfs: SpawnedDfs) => Promise<unknown>;
}

const MOMENTS: Moment[] = [
  { name: 'right after spawn', reached: (dfs) => dfs.waitForLog((r) => r.msg === 'signals held (test hook)') },
  { name: 'after the first log line', reached: (dfs) => dfs.waitForLog((r) => typeof r.level === 'number') },
  {
    name: 'with the control plane open, nothing served yet',
    pauseAt: 'opened',
    reached: (dfs) => dfs.waitForLog((r) => r.msg === 'start-up paused (test hook)'),
  },
  {
    name: 'with every listener open, just before ready',
    pauseAt: 'listening',
    reached: (dfs) => dfs.waitForLog((r) => r.msg === 'start-up paused (test hook)'),
  },
];

describe.each(['SIGTERM', 'SIGINT'] as const)('dfs start: %s during start-up', (signal) => {
  const dataDir = makeTmpDir('dittofs-start-signals-');
  dirs.push(dataDir);

  it.each(MOMENTS)('$name: shuts down cleanly with exit code 0', async ({ pauseAt, reached }) => {
    const dfs = spawnDfs({
      dataDir,
      env: {
        DITTOFS_ADMIN_INITIAL_PASSWORD: ADMIN_PASSWORD,
        DITTOFS_TEST_HOOKS: '1',
        ...(pauseAt && { DITTOFS_TEST_PAUSE_AT: pauseAt }),
      },
    });
    try {
      await reached(dfs);
      dfs.kill(signal);
      expect(await dfs.exited, dfs.logs()).toBe(0);
    } finally {
      dfs.kill('SIGKILL');
    }
    expect(dfs.logs()).toContain(`"signal":"${signal}","msg":"shutting down"`);
    expect(dfs.logs()).toContain('"msg":"stopped"');
    expect(dfs.logs()).not.toContain('"msg":"ready"');
  });

  it('the data dir starts again and serves', async () => {
    const dfs = await startDfs({ dataDir, env: { DITTOFS_ADMIN_INITIAL_PASSWORD: ADMIN_PASSWORD } });
    try {
      const api = `http://127.0.0.1:${dfs.apiPort}/api/v1`;
      const login = await fetch(`${api}/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: 'admin', password: ADMIN_PASSWORD }),
      });
      expect(login.status).toBe(200);
      const { accessToken } = (await login.json()) as { accessToken: string };
      const shares = await fetch(`${api}/shares`, { headers: { authorization: `Bearer ${accessToken}` } });
      expect(((await shares.json()) as { name: string }[]).map((s) => s.name)).toEqual(['/export']);
    } finally {
      expect(await dfs.stop()).toBe(0);
    }
  });
});
