// libnfs-utils (nfs-ls, nfs-cat, nfs-cp) over NFSv4.0 against dfs: the pseudo filesystem
// lists the shares, LOOKUP walks into one, READDIR lists files with their sizes, READ returns
// exact bytes (a 1 MiB file in several READs), and a small write (libnfs 4.0.0 cannot send
// v4 writes over ~3.9 KB) round-trips through NFSv3. Setup data goes in over NFSv3.
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LIBNFS_UTILS, unmet } from '../helpers/requirements.ts';
import { makeTmpDir, removeTmpDir } from '../helpers/tmp.ts';
import { nfsUrl, run, startTarget, tail, type NfsTarget } from './target.ts';

const v4Url = (t: NfsTarget, p: string): string => `nfs://127.0.0.1${p}?nfsport=${t.nfsPort}&version=4`;
const sha = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

describe.skipIf(unmet(LIBNFS_UTILS) !== null)('NFSv4.0 via libnfs against dfs', () => {
  let target: NfsTarget | undefined;
  let dir = '';
  const big = randomBytes(1024 * 1024 + 123);

  beforeAll(async () => {
    dir = makeTmpDir('dittofs-libnfs-v4-');
    target = await startTarget('dfs', { extraShares: true });
    writeFileSync(path.join(dir, 'big.bin'), big);
    writeFileSync(path.join(dir, 'hello.txt'), 'hello over v4\n');
    for (const f of ['big.bin', 'hello.txt']) {
      const put = await run('nfs-cp', [path.join(dir, f), nfsUrl(target, f)], 60_000);
      expect(put.code, put.output).toBe(0);
    }
  }, 180_000);

  afterAll(async () => {
    await target?.stop();
    removeTmpDir(dir);
  });

  const why = (what: string, out: string): string => `${what}\n${out}\n--- dfs log (tail) ---\n${tail(target!.logs())}`;

  it('lists the shares at the pseudo root and the files of a share with their sizes', async () => {
    const t = target!;
    const root = await run('nfs-ls', [v4Url(t, '/')], 30_000);
    expect(root.code, why('nfs-ls /', root.output)).toBe(0);
    expect(root.output).toMatch(/\bexport\b/);
    expect(root.output).toMatch(/\bro\b/);
    const ls = await run('nfs-ls', [v4Url(t, t.exportPath)], 30_000);
    expect(ls.code, why('nfs-ls /export', ls.output)).toBe(0);
    const line = ls.output.split('\n').find((l) => l.trim().endsWith(' big.bin'));
    expect(line, why('big.bin not listed', ls.output)).toBeDefined();
    expect(line!.trim().split(/\s+/)).toContain(String(big.length));
  }, 60_000);

  it('reads exact bytes, and a missing file fails', async () => {
    const t = target!;
    const back = path.join(dir, 'back.bin');
    const get = await run('nfs-cp', [v4Url(t, `${t.exportPath}/big.bin`), back], 60_000);
    expect(get.code, why('nfs-cp v4 get', get.output)).toBe(0);
    expect(sha(readFileSync(back))).toBe(sha(big));
    const cat = await run('nfs-cat', [v4Url(t, `${t.exportPath}/hello.txt`)], 30_000);
    expect(cat.code, why('nfs-cat', cat.output)).toBe(0);
    expect(cat.output).toContain('hello over v4');
    const missing = await run('nfs-cat', [v4Url(t, `${t.exportPath}/no-such-file`)], 30_000);
    expect(missing.code).not.toBe(0);
  }, 60_000);

  it('writes a small file over v4 that NFSv3 reads back', async () => {
    const t = target!;
    const small = randomBytes(3000);
    writeFileSync(path.join(dir, 'small.bin'), small);
    const put = await run('nfs-cp', [path.join(dir, 'small.bin'), v4Url(t, `${t.exportPath}/v4-small.bin`)], 30_000);
    expect(put.code, why('nfs-cp v4 put', put.output)).toBe(0);
    const back = path.join(dir, 'small-back.bin');
    const get = await run('nfs-cp', [nfsUrl(t, 'v4-small.bin'), back], 30_000);
    expect(get.code, why('nfs-cp v3 get', get.output)).toBe(0);
    expect(sha(readFileSync(back))).toBe(sha(small));
  }, 60_000);
});
