// `dfs` as a user runs it: bad configuration and an unusable data directory each give one
// clear line and exit code 2; init/validate/show/version work on a fresh machine. It runs the
// compiled server (out/server), rebuilt when a source changed since.
import { spawnSync } from 'node:child_process';
import { chmodSync, readFileSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DFS_BIN, REPO_ROOT } from '../helpers/dfs.ts';
import { makeTmpDir, removeTmpDir } from '../helpers/tmp.ts';

const tmp = makeTmpDir('dittofs-cli-');
afterAll(() => removeTmpDir(tmp));

function dfs(args: string[], env: Record<string, string> = {}) {
  const res = spawnSync(process.execPath, [DFS_BIN, ...args], {
    cwd: REPO_ROOT,
    encoding: 'utf8',
    env: {
      ...process.env,
      XDG_CONFIG_HOME: path.join(tmp, 'xdg-config'),
      XDG_DATA_HOME: path.join(tmp, 'xdg-data'),
      ...env,
    },
    timeout: 60_000,
  });
  return { code: res.status, stdout: res.stdout, stderr: res.stderr };
}

describe('dfs CLI', () => {
  it('prints its version', () => {
    const r = dfs(['version']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^dfs \d+\.\d+\.\d+\n$/);
  });

  it('runs the compiled server, and compiles it again when a source file is newer', () => {
    const compiled = path.join(REPO_ROOT, 'out', 'server', 'dfs.mjs');
    expect(dfs(['version']).code).toBe(0);
    const before = statSync(compiled).mtimeMs;
    expect(readFileSync(compiled, 'utf8')).toContain('async function main(');
    // A source saved after the build (an edit) makes the next start compile first.
    const source = path.join(REPO_ROOT, 'src', 'server', 'version.ts');
    const later = new Date(Math.max(Date.now(), before + 1000));
    utimesSync(source, later, later);
    expect(dfs(['version']).code).toBe(0);
    expect(statSync(compiled).mtimeMs).toBeGreaterThan(before);
    // Fresh now: the next start leaves it alone.
    const rebuilt = statSync(compiled).mtimeMs;
    expect(dfs(['version']).code).toBe(0);
    expect(statSync(compiled).mtimeMs).toBe(rebuilt);
  });

  it('init writes a commented config that validates, and refuses to overwrite it', () => {
    const file = path.join(tmp, 'init', 'config.yaml');
    expect(dfs(['--config', file, 'init']).code).toBe(0);
    expect(dfs(['--config', file, 'config', 'validate'])).toMatchObject({ code: 0, stdout: 'config is valid\n' });
    const again = dfs(['--config', file, 'init']);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('exists');
  });

  it('config show reflects DITTOFS_* overrides', () => {
    const r = dfs(['config', 'show'], { DITTOFS_NFS_PORT: '2049', DITTOFS_LOGGING_LEVEL: 'debug' });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/port: 2049/);
    expect(r.stdout).toMatch(/level: debug/);
  });

  it('config show never prints the control-plane database password', () => {
    const url = 'postgres://dittofs:s3cret-pw@db.example:5432/nas';
    const r = dfs(['config', 'show'], { DITTOFS_CONTROLPLANE_DATABASE: url });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('postgres://dittofs@db.example:5432/nas');
    expect(r.stdout).not.toContain('s3cret-pw');
  });

  it('a bad config value gives one line naming key, value and what is allowed, exit 2', () => {
    const file = path.join(tmp, 'bad.yaml');
    writeFileSync(file, 'api:\n  port: 70000\n');
    const r = dfs(['--config', file, 'start']);
    expect(r.code).toBe(2);
    const lines = r.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain('api.port');
    expect(lines[0]).toContain('70000');
    expect(lines[0]).toMatch(/between 0 and 65535/);
    expect(r.stderr).not.toMatch(/\bat .*\.ts:\d+/); // no stack trace
  });

  it('an unwritable data directory gives one line and exit 2', () => {
    // A regular file where the data directory should be fails for root too.
    const notADir = path.join(tmp, 'plain-file');
    writeFileSync(notADir, 'x');
    chmodSync(notADir, 0o444);
    const r = dfs(['start', '--data-dir', path.join(notADir, 'data')], {
      DITTOFS_NFS_PORT: '0',
      DITTOFS_API_PORT: '0',
      DITTOFS_METRICS_PORT: '0',
    });
    expect(r.code).toBe(2);
    const lines = r.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/data directory .*plain-file\/data is not writable/);
  });
});
