// `dfs start` at a terminal (stdout a TTY, through a pseudo-terminal from util-linux's
// `script`): readable log lines and a banner with the web UI address, the real ports, the
// data folder and the generated password. With stdout a pipe the lines stay JSON (every
// other e2e test reads them so).
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { DFS_BIN, LOOPBACK_LISTENERS, REPO_ROOT } from '../helpers/dfs.ts';
import { makeTmpDir, removeTmpDir } from '../helpers/tmp.ts';

const SCRIPT = '/usr/bin/script';
/** Drops ANSI colour codes (ESC [ ... m). */
const stripColours = (s: string) => s.replace(new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*m`, 'g'), '');
const dataDir = makeTmpDir('dittofs-tty-');
afterAll(() => removeTmpDir(dataDir));

describe.skipIf(!existsSync(SCRIPT))('dfs start on a terminal', () => {
  it('prints a banner and readable lines; Ctrl-C stops it cleanly', async () => {
    const env: Record<string, string> = {
      ...(process.env as Record<string, string>),
      ...LOOPBACK_LISTENERS,
      TERM: 'dumb',
    };
    delete env['DITTOFS_ADMIN_INITIAL_PASSWORD'];
    delete env['DITTOFS_LOGGING_FORMAT'];
    // `script` runs the command through $SHELL; exec so that Ctrl-C reaches dfs alone (dash,
    // CI's /bin/sh, would otherwise stay in between and die of the SIGINT itself: exit 130).
    const cmd = `exec '${process.execPath}' '${DFS_BIN}' start --data-dir '${dataDir}'`;
    const child = spawn(SCRIPT, ['-qefc', cmd, '/dev/null'], { cwd: REPO_ROOT, env, stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    try {
      const deadline = Date.now() + 60_000;
      while (!out.includes('Stop with Ctrl-C') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
      const text = out.replace(/\r/g, '');
      expect(text, text).toContain('is serving.');
      const ready = /ready {2}.*nfsPort=(\d+) apiPort=(\d+)/.exec(stripColours(text));
      expect(ready, text).not.toBeNull();
      const [, nfsPort, apiPort] = ready!;
      expect(text).toContain(`Web UI    http://127.0.0.1:${apiPort}/`);
      expect(text).toContain(`NFS       port ${nfsPort} (MOUNT on the same port)`);
      expect(text).toContain(`Data      ${dataDir}`);
      expect(text).toMatch(/Sign in {3}user "admin", password \S{16,}/);
      // Readable lines, not JSON.
      expect(text).toMatch(/\d\d:\d\d:\d\d \S*INFO/);
      expect(text).not.toMatch(/^\{"level"/m);
      child.stdin.write('\x03');
      expect(await exited).toBe(0);
    } finally {
      child.kill('SIGKILL');
    }
  }, 90_000);
});
