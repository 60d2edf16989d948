// libnfs-utils' nfs-cp / nfs-ls against the NFSv3 server: 256 MiB of random data in and out,
// byte-identical (sha256), and listed by nfs-ls with its exact size.
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, openSync, writeSync, closeSync, statSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LIBNFS_UTILS, unmet } from '../helpers/requirements.ts';
import { makeTmpDir, removeTmpDir } from '../helpers/tmp.ts';
import { nfsUrl, run, serverKind, startTarget, tail, type NfsTarget } from './target.ts';

const SIZE = 256 * 1024 * 1024;
const kind = serverKind();

async function sha256File(file: string): Promise<string> {
  const h = createHash('sha256');
  for await (const chunk of createReadStream(file, { highWaterMark: 4 * 1024 * 1024 })) h.update(chunk as Buffer);
  return h.digest('hex');
}

describe.skipIf(unmet(LIBNFS_UTILS) !== null)(`nfs-cp / nfs-ls against ${kind}`, () => {
  let target: NfsTarget | undefined;
  let dir = '';
  let src = '';
  let srcSha = '';
  const name = `nfs-cp-${process.pid}-${Date.now()}.bin`;

  beforeAll(async () => {
    dir = makeTmpDir('dittofs-nfscp-');
    src = path.join(dir, 'src.bin');
    const fd = openSync(src, 'w');
    const h = createHash('sha256');
    for (let off = 0; off < SIZE; off += 8 * 1024 * 1024) {
      const chunk = randomBytes(8 * 1024 * 1024);
      h.update(chunk);
      writeSync(fd, chunk);
    }
    closeSync(fd);
    srcSha = h.digest('hex');
    target = await startTarget(kind);
  }, 120_000);

  afterAll(async () => {
    await target?.stop();
    removeTmpDir(dir);
  });

  it('copies 256 MiB in and out with an identical sha256, and nfs-ls lists it', async () => {
    const t = target!;
    const url = nfsUrl(t, name);
    const ctx = (what: string, out: string): string =>
      `${what}\n${out}\n--- ${t.kind} log (tail) ---\n${tail(t.logs())}`;

    let t0 = Date.now();
    const put = await run('nfs-cp', [src, url], 300_000);
    const putMs = Date.now() - t0;
    expect(put.code, ctx(`nfs-cp ${src} ${url}`, put.output)).toBe(0);

    const ls = await run('nfs-ls', [nfsUrl(t)], 60_000);
    expect(ls.code, ctx('nfs-ls', ls.output)).toBe(0);
    const line = ls.output.split('\n').find((l) => l.trim().endsWith(` ${name}`));
    expect(line, ctx(`nfs-ls does not list ${name}`, ls.output)).toBeDefined();
    expect(line!.trim().split(/\s+/), ctx(`size in nfs-ls line "${line}"`, ls.output)).toContain(String(SIZE));

    const back = path.join(dir, 'back.bin');
    t0 = Date.now();
    const get = await run('nfs-cp', [url, back], 300_000);
    const getMs = Date.now() - t0;
    expect(get.code, ctx(`nfs-cp ${url} ${back}`, get.output)).toBe(0);
    expect(statSync(back).size).toBe(SIZE);
    expect(await sha256File(back)).toBe(srcSha);
    const mbps = (ms: number): string => (SIZE / 1048576 / (ms / 1000)).toFixed(0);
    console.log(`[nfs-cp ${kind}] 256 MiB put ${mbps(putMs)} MB/s, get ${mbps(getMs)} MB/s`);
  }, 600_000);
});
