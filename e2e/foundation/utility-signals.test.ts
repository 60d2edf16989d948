// The desktop app's server process (src/server/entry/utility.ts, run on plain Node through
// e2e/helpers/utility-host.ts): SIGTERM during start-up, or the main process's stop message,
// ends in a clean shutdown ("stopped" logged and sent to the main process, exit code 0), and
// the data dir starts again.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../helpers/dfs.ts';
import { makeTmpDir, removeTmpDir } from '../helpers/tmp.ts';

const HOST = path.join(REPO_ROOT, 'e2e', 'helpers', 'utility-host.ts');
const dataDir = makeTmpDir('dittofs-utility-signals-');
afterAll(() => removeTmpDir(dataDir));

function spawnUtility(env: Record<string, string> = {}) {
  const child = spawn(process.execPath, ['--import', 'tsx', HOST], {
    cwd: REPO_ROOT,
    env: {
      ...process.env,
      DITTOFS_DATA_DIR: dataDir,
      DITTOFS_NFS_BIND: '127.0.0.1',
      DITTOFS_NFS_PORT: '0',
      DITTOFS_API_PORT: '0',
      DITTOFS_METRICS_PORT: '0',
      DITTOFS_SMB_ENABLED: 'false',
      DITTOFS_LOGGING_LEVEL: 'info',
      ...env,
    },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let logs = '';
  let toMain = '';
  child.stdout.on('data', (d: Buffer) => (logs += d.toString()));
  child.stderr.on('data', (d: Buffer) => (toMain += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)));
  const waitFor = async (text: string): Promise<void> => {
    for (let waited = 0; !logs.includes(text) && !toMain.includes(text); waited += 50) {
      if (waited > 60_000 || child.exitCode !== null) throw new Error(`no "${text}". Output:\n${logs}\n${toMain}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  return {
    child,
    exited,
    waitFor,
    output: () => `${logs}\n${toMain}`,
    send: (m: unknown) => child.stdin.write(`${JSON.stringify(m)}\n`),
  };
}

describe('desktop server process: stop requests during start-up', () => {
  // The first case races start-up (it may be ready by the time the signal lands); the paused
  // cases hold start-up, so they also prove no ready message escapes a stop requested before it.
  it.each([
    ['SIGTERM after the first log line', {}, '"level":30', false],
    ['SIGTERM with every listener open, before ready', { DITTOFS_TEST_PAUSE_AT: 'listening' }, 'start-up paused', true],
    ['SIGINT with the control plane open', { DITTOFS_TEST_PAUSE_AT: 'opened' }, 'start-up paused', true],
  ] as const)('%s: exits 0 after a clean shutdown', async (name, env, moment, heldBeforeReady) => {
    const utility = spawnUtility({ DITTOFS_TEST_HOOKS: '1', ...env });
    try {
      await utility.waitFor(moment);
      utility.child.kill(name.startsWith('SIGINT') ? 'SIGINT' : 'SIGTERM');
      expect(await utility.exited, utility.output()).toBe(0);
    } finally {
      utility.child.kill('SIGKILL');
    }
    expect(utility.output()).toContain('"msg":"stopped"');
    expect(utility.output()).toContain('{"type":"stopped"}');
    if (heldBeforeReady) expect(utility.output()).not.toContain('"type":"ready"');
  });

  it('starts again on the same data dir, and the stop message stops it cleanly', async () => {
    const utility = spawnUtility();
    try {
      await utility.waitFor('"type":"ready"');
      utility.send({ type: 'stop' });
      expect(await utility.exited, utility.output()).toBe(0);
    } finally {
      utility.child.kill('SIGKILL');
    }
    expect(utility.output()).toContain('{"type":"stopped"}');
    // A second stop request (main's kill() after its grace time) is not needed: one sufficed.
    expect(utility.output()).not.toContain('second stop request');
  });
});
