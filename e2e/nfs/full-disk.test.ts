// A full disk under dfs, seen through a real client (libnfs-utils' nfs-cp / nfs-ls): the
// data directory is a small tmpfs. A copy that does not fit fails (the server answers
// NFS3ERR_NOSPC, never a server fault: its per-status counters show which), the server
// keeps serving, and a file written before reads back intact.
// Needs root (to mount the tmpfs); skipped where mounting is not allowed.
import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LIBNFS_UTILS, unmet } from '../helpers/requirements.ts';
import { startDfs, type DfsProcess } from '../helpers/dfs.ts';
import { makeTmpDir, removeTmpDir } from '../helpers/tmp.ts';
import { run, tail } from './target.ts';

function tryMountTmpfs(dir: string, size: string): boolean {
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', dir], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

describe.skipIf(unmet(LIBNFS_UTILS) !== null)('a full disk under dfs (nfs-cp)', () => {
  const base = makeTmpDir('dittofs-fulldisk-');
  const dataDir = path.join(base, 'data');
  let mounted = false;
  let dfs: DfsProcess | undefined;
  const url = (name = ''): string =>
    `nfs://127.0.0.1/export${name ? `/${name}` : ''}?nfsport=${dfs!.nfsPort}&mountport=${dfs!.mountPort}&version=3`;
  const sha = (file: string): string => createHash('sha256').update(readFileSync(file)).digest('hex');

  beforeAll(async () => {
    mkdirSync(dataDir);
    mounted = tryMountTmpfs(dataDir, '40m');
    if (mounted) dfs = await startDfs({ dataDir });
  }, 120_000);

  afterAll(async () => {
    await dfs?.stop();
    if (mounted) execFileSync('umount', [dataDir]);
    rmdirSync(dataDir);
    removeTmpDir(base);
  });

  it('refuses what does not fit with NOSPC, keeps serving and keeps what was written', async (test) => {
    if (!mounted) test.skip('cannot mount a tmpfs here (needs root)');
    const ctx = (what: string, out: string): string => `${what}\n${out}\n--- dfs log (tail) ---\n${tail(dfs!.logs())}`;
    const small = path.join(base, 'small.bin');
    writeFileSync(small, randomBytes(1024 * 1024));
    const put = await run('nfs-cp', [small, url('small.bin')], 60_000);
    expect(put.code, ctx('nfs-cp small', put.output)).toBe(0);

    const big = path.join(base, 'big.bin');
    writeFileSync(big, randomBytes(64 * 1024 * 1024));
    const tooBig = await run('nfs-cp', [big, url('big.bin')], 120_000);
    expect(tooBig.code, ctx('nfs-cp of 64 MiB onto a 40 MiB disk', tooBig.output)).not.toBe(0);
    // nfs-cp prints no status, so ask the server what it answered.
    const metrics = await (await fetch(`http://127.0.0.1:${dfs!.metricsPort}/metrics`)).text();
    const nfsFailures = metrics
      .split('\n')
      .filter((l) => l.startsWith('dittofs_requests_total{protocol="nfs3"') && !l.includes('status="ok"'));
    expect(nfsFailures.join('\n'), ctx('NFS statuses', metrics)).toMatch(/status="NO_SPACE"/);
    expect(nfsFailures.join('\n'), ctx('NFS statuses', metrics)).not.toMatch(/SERVER_FAULT|status="IO"/);

    const ls = await run('nfs-ls', [url()], 60_000);
    expect(ls.code, ctx('nfs-ls after the failure', ls.output)).toBe(0);
    expect(ls.output).toContain('small.bin');
    const back = path.join(base, 'back.bin');
    const get = await run('nfs-cp', [url('small.bin'), back], 60_000);
    expect(get.code, ctx('nfs-cp small back', get.output)).toBe(0);
    expect(sha(back)).toBe(sha(small));
  }, 300_000);
});
