// A folder that already holds files, shared through the API and served in place, with real
// clients: nfs-ls lists what is there, nfs-cp reads it back byte-identical and writes plain
// files into the folder; the C client (libnfs-client.c, suites hold / reread) keeps handles
// while the folder changes on this computer: a file renamed and moved still reads through its
// old handle, a deleted one answers NFS3ERR_STALE, and both hold after a restart of dfs.
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminClient } from '../helpers/api.ts';
import { startDfs, type DfsProcess } from '../helpers/dfs.ts';
import { LIBNFS_DEV, LIBNFS_UTILS, unmet } from '../helpers/requirements.ts';
import { makeTmpDir, removeTmpDir } from '../helpers/tmp.ts';
import { buildLibnfsProgram, run, tail } from './target.ts';

const sha256 = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

/** FNV-1a 64 as the C client's reread prints it. */
function fnv1a64(b: Buffer): string {
  let h = 0xcbf29ce484222325n;
  for (const byte of b) h = BigInt.asUintN(64, (h ^ BigInt(byte)) * 0x100000001b3n);
  return h.toString(16).padStart(16, '0');
}

/** The folder as a user has it before sharing it. */
const FILES: Record<string, Buffer> = {
  '2024/summer trip/IMG 0001.jpg': randomBytes(10 * 1024 * 1024),
  '2024/summer trip/IMG 0002.jpg': randomBytes(300_000),
  'docs/notes – été 日本.txt': Buffer.from('unicode and spaces\n'),
  'a/b/c/deep.txt': Buffer.from('deep down\n'),
  'to-rename.txt': Buffer.from('I will be renamed and moved\n'),
  'to-delete.txt': Buffer.from('I will be deleted\n'),
};

const skip = unmet(LIBNFS_UTILS) ?? unmet(LIBNFS_DEV);

describe.skipIf(skip !== null)('a folder share with real clients', () => {
  let work = '';
  let folder = '';
  let dataDir = '';
  let dfs: DfsProcess | undefined;
  let client = '';

  // libnfs takes names as they are in the URL (no %-decoding).
  const url = (rel = ''): string =>
    `nfs://127.0.0.1/photos${rel ? `/${rel}` : ''}?nfsport=${dfs!.nfsPort}&mountport=${dfs!.mountPort}&version=3`;
  const ctx = (what: string, out: string): string => `${what}\n${out}\n--- dfs log (tail) ---\n${tail(dfs!.logs())}`;
  const clientArgs = (suite: string, extra: string[] = []): string[] => [
    '--nfsport',
    String(dfs!.nfsPort),
    '--mountport',
    String(dfs!.mountPort),
    '--export',
    '/photos',
    '--suite',
    suite,
    '--state-file',
    path.join(work, 'held.bin'),
    ...extra,
  ];

  /** "held PATH STATUS [SIZE FNV]" lines of the C client's reread, by path. */
  async function reread(): Promise<Record<string, string>> {
    const r = await run(client, clientArgs('reread'), 120_000);
    expect(r.code, ctx('nfsclient --suite reread', r.output)).toBe(0);
    const held: Record<string, string> = {};
    for (const m of r.output.matchAll(/^held (\S+) (.*)$/gm)) held[m[1]!] = m[2]!;
    return held;
  }

  beforeAll(async () => {
    work = makeTmpDir('dittofs-folder-share-');
    folder = path.join(work, 'My Photos');
    dataDir = path.join(work, 'data');
    for (const [rel, content] of Object.entries(FILES)) {
      mkdirSync(path.dirname(path.join(folder, rel)), { recursive: true });
      writeFileSync(path.join(folder, rel), content);
    }
    symlinkSync('2024/summer trip', path.join(folder, 'latest'));
    client = buildLibnfsProgram('e2e/nfs/libnfs-client.c', 'nfsclient');
    dfs = await startDfs({ dataDir });
    const api = await adminClient(dfs);
    expect((await api.call('folders.check', { query: { path: folder } })).problem).toBeNull();
    const share = await api.call('shares.create', { body: { name: '/photos', path: folder, squash: 'none' } });
    expect(share).toMatchObject({ kind: 'folder', path: folder });
  }, 120_000);

  afterAll(async () => {
    await dfs?.stop();
    if (client) removeTmpDir(path.dirname(client));
    if (!process.env.DITTOFS_E2E_KEEP) removeTmpDir(work);
  });

  it('lists the files already there, with their sizes, and reads them back byte-identical', async () => {
    const ls = await run('nfs-ls', ['-R', url()], 60_000);
    expect(ls.code, ctx('nfs-ls -R', ls.output)).toBe(0);
    for (const [rel, content] of Object.entries(FILES)) {
      const line = ls.output.split('\n').find((l) => l.endsWith(` ${rel}`) || l.endsWith(` /${rel}`));
      expect(line, ctx(`nfs-ls -R does not list ${rel}`, ls.output)).toBeDefined();
      expect(line!.trim().split(/\s+/), ctx(`size of ${rel}`, line!)).toContain(String(content.length));
    }
    expect(ls.output, ctx('the symlink', ls.output)).toMatch(/^l.* latest$/m);

    for (const [rel, content] of Object.entries(FILES)) {
      const out = path.join(work, `back-${sha256(Buffer.from(rel)).slice(0, 8)}`);
      const get = await run('nfs-cp', [url(rel), out], 120_000);
      expect(get.code, ctx(`nfs-cp ${url(rel)}`, get.output)).toBe(0);
      expect(sha256(readFileSync(out)), rel).toBe(sha256(content));
    }
  }, 300_000);

  it('writes a file copied in over NFS as a plain file of the folder', async () => {
    const src = path.join(work, 'upload.bin');
    const data = randomBytes(3 * 1024 * 1024 + 123);
    writeFileSync(src, data);
    const put = await run('nfs-cp', [src, url('2024/uploaded from the laptop.bin')], 120_000);
    expect(put.code, ctx('nfs-cp in', put.output)).toBe(0);
    expect(sha256(readFileSync(path.join(folder, '2024', 'uploaded from the laptop.bin')))).toBe(sha256(data));
  }, 120_000);

  it('keeps handles of a file renamed and moved on this computer, and a deleted one is stale, across a restart', async () => {
    const paths = ['to-rename.txt', 'to-delete.txt', 'a/b/c/deep.txt'];
    const hold = await run(client, clientArgs('hold', ['--paths', paths.join(',')]), 60_000);
    expect(hold.code, ctx('nfsclient --suite hold', hold.output)).toBe(0);

    renameSync(path.join(folder, 'to-rename.txt'), path.join(folder, 'a', 'b', 'renamed and moved.txt'));
    renameSync(path.join(folder, 'a', 'b', 'c'), path.join(folder, 'a', 'c-renamed'));
    unlinkSync(path.join(folder, 'to-delete.txt'));
    const expected = {
      'to-rename.txt': `NFS3_OK ${FILES['to-rename.txt']!.length} ${fnv1a64(FILES['to-rename.txt']!)}`,
      'to-delete.txt': 'NFS3ERR_STALE',
      'a/b/c/deep.txt': `NFS3_OK ${FILES['a/b/c/deep.txt']!.length} ${fnv1a64(FILES['a/b/c/deep.txt']!)}`,
    };
    expect(await reread()).toEqual(expected);

    expect(await dfs!.stop(), ctx('exit code of SIGTERM', '')).toBe(0);
    const port = { nfs: dfs!.nfsPort };
    dfs = await startDfs({ dataDir });
    expect(await reread(), `after the restart (NFS port ${port.nfs} -> ${dfs.nfsPort})`).toEqual(expected);
  }, 180_000);
});
