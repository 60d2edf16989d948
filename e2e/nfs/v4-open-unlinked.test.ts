// An NFSv4.0 open of a file another client removes (src/server/protocols/nfs/v4/open-holds.ts):
// libnfs over NFSv4 (e2e/nfs/v4-open-holder.c) opens and reads the file, the libnfs NFSv3 client
// (e2e/nfs/libnfs-client.c) removes it, and the open reads the same bytes and reports no link
// left until its CLOSE, as knfsd and POSIX keep an unlinked open file. The name is gone at once;
// the file's blocks in the data dir stay until the CLOSE and go after it.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDfs, type DfsProcess } from '../helpers/dfs.ts';
import { LIBNFS_DEV, LIBNFS_UTILS, unmet } from '../helpers/requirements.ts';
import { makeTmpDir, removeTmpDir } from '../helpers/tmp.ts';
import { buildLibnfsProgram, run, tail } from './target.ts';

/** The payload ids with block files under `dir`. */
function payloads(dir: string): Set<string> {
  const files = readdirSync(dir, { recursive: true }).map((f) => path.basename(String(f)));
  return new Set(files.filter((f) => f.endsWith('.blk')).map((f) => f.split('.')[0]!));
}

/** Polls until `want` holds (the carver and deletions run in the background); its last answer. */
async function until(want: () => boolean, timeoutMs = 15_000): Promise<boolean> {
  for (let waited = 0; !want() && waited < timeoutMs; waited += 200) await new Promise((r) => setTimeout(r, 200));
  return want();
}

const skip = (unmet(LIBNFS_DEV) ?? unmet(LIBNFS_UTILS)) !== null;

describe.skipIf(skip)('NFSv4 opens of files another client removes', () => {
  let holder = '';
  let nfsclient = '';
  let work = '';
  let d: DfsProcess | undefined;

  beforeAll(async () => {
    holder = buildLibnfsProgram('e2e/nfs/v4-open-holder.c', 'v4holder');
    nfsclient = buildLibnfsProgram('e2e/nfs/libnfs-client.c', 'nfsclient');
    work = makeTmpDir('dittofs-v4-unlinked-');
    d = await startDfs({ dataDir: path.join(work, 'data') });
  }, 120_000);

  afterAll(async () => {
    await d?.stop();
    if (work) removeTmpDir(work);
  });

  it('reads on through the open after an NFSv3 REMOVE; the CLOSE frees the blocks', async () => {
    const dfs = d!;
    const why = (out: string): string => `${out}\n--- dfs log (tail) ---\n${tail(dfs.logs())}`;
    const data = randomBytes(1024 * 1024 + 77);
    writeFileSync(path.join(work, 'held.bin'), data);
    const before = payloads(dfs.dataDir);
    const v3 = `nfs://127.0.0.1/export/held.bin?nfsport=${dfs.nfsPort}&mountport=${dfs.mountPort}&version=3`;
    const put = await run('nfs-cp', [path.join(work, 'held.bin'), v3], 60_000);
    expect(put.code, why(put.output)).toBe(0);
    expect(await until(() => payloads(dfs.dataDir).size > before.size), why('no blocks stored')).toBe(true);
    const [payload] = [...payloads(dfs.dataDir)].filter((p) => !before.has(p));

    const reads = ['before.bin', 'after.bin'].map((f) => path.join(work, f));
    const child = spawn(holder, [String(dfs.nfsPort), '/export', '/held.bin', ...reads]);
    let output = '';
    child.stdout.on('data', (b: Buffer) => (output += b.toString()));
    child.stderr.on('data', (b: Buffer) => (output += b.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    try {
      expect(await until(() => output.includes('"opened"') || child.exitCode !== null, 30_000), why(output)).toBe(true);
      const nfs = ['--nfsport', String(dfs.nfsPort), '--mountport', String(dfs.mountPort), '--export', '/export'];
      const ids = ['--uid2', '0', '--gid2', '0'];
      const removed = await run(nfsclient, [...nfs, ...ids, '--suite', 'unlink', '--path', '/held.bin'], 30_000);
      expect(removed.code, why(removed.output)).toBe(0);
      const stat = await run(nfsclient, [...nfs, ...ids, '--suite', 'stat', '--path', '/held.bin'], 30_000);
      expect(stat.output).toContain('/held.bin absent');
      expect(payloads(dfs.dataDir).has(payload!), 'blocks while open').toBe(true);
      child.stdin.end('go\n');
      expect(await exited, why(output)).toBe(0);
    } finally {
      child.kill();
    }
    const outcomes = Object.fromEntries(
      output
        .split('\n')
        .filter((l) => l.startsWith('{'))
        .map((l) => JSON.parse(l) as { case: string; outcome: string })
        .map((o) => [o.case, o.outcome]),
    );
    expect(outcomes, why(output)).toEqual({
      'read before': `${data.length} bytes`,
      opened: 'yes',
      'read after': `${data.length} bytes`,
      'getattr after': 'links=0',
      close: 'ok',
    });
    expect(readFileSync(reads[0]!).equals(data)).toBe(true);
    expect(readFileSync(reads[1]!).equals(data)).toBe(true);
    expect(await until(() => !payloads(dfs.dataDir).has(payload!)), why('blocks left after CLOSE')).toBe(true);
  }, 120_000);
});
