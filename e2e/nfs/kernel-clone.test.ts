// NFSv4.2 CLONE from the real Linux kernel client (stock Debian kernel under qemu, busybox
// guest): FICLONE — what `cp --reflink` does — on files of two folder shares, one on XFS and
// one on ext4, each a loop filesystem of the test's own (helpers/loop-fs.ts). On XFS the
// server shares the blocks: the guest reads the same bytes, and on the host the clone's
// extents are marked shared (filefrag). On ext4 the server answers NOTSUPP, the ioctl fails
// with EOPNOTSUPP, and the empty destination is left as it was. The guest job is
// e2e/nfs/kernel-clone-job.sh; FICLONE comes from e2e/nfs/reflink.c, built static here.
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminClient } from '../helpers/api.ts';
import { REPO_ROOT, startDfs, type DfsProcess } from '../helpers/dfs.ts';
import { findRunGuest, whyNoGuest } from '../helpers/kernel-guest.ts';
import { LOOP_XFS, mountLoopFs, type LoopFs } from '../helpers/loop-fs.ts';
import { LIBNFS_DEV, unmet } from '../helpers/requirements.ts';
import { makeTmpDir, removeTmpDir } from '../helpers/tmp.ts';
import { failLines, run, tail } from './target.ts';

const skipReason = whyNoGuest() ?? unmet(LOOP_XFS, LIBNFS_DEV);

describe('Linux kernel NFSv4.2 client: CLONE onto folder shares on XFS and ext4 (qemu)', () => {
  if (skipReason) {
    it.skip(`skipped: ${skipReason}`, () => {});
    return;
  }
  let dfs: DfsProcess | undefined;
  let xfs: LoopFs | undefined;
  let ext4: LoopFs | undefined;
  let workDir = '';

  beforeAll(async () => {
    xfs = mountLoopFs('xfs');
    ext4 = mountLoopFs('ext4');
    workDir = makeTmpDir('dittofs-kclone-');
    dfs = await startDfs();
    const api = await adminClient(dfs);
    for (const [name, fs] of [
      ['/xfs', xfs],
      ['/ext4', ext4],
    ] as const) {
      await api.call('shares.create', { body: { name, path: fs.dir, squash: 'none' } });
    }
  }, 120_000);

  afterAll(async () => {
    await dfs?.stop();
    xfs?.unmount();
    ext4?.unmount();
    if (workDir) removeTmpDir(workDir);
  });

  it('XFS: the clone shares the source blocks; ext4: NOTSUPP and the destination untouched', async () => {
    const reflink = path.join(workDir, 'reflink');
    execFileSync('gcc', [
      '-static',
      '-Os',
      '-s',
      '-Wall',
      '-o',
      reflink,
      path.join(REPO_ROOT, 'e2e', 'nfs', 'reflink.c'),
    ]);
    const job = path.join(workDir, 'job.sh');
    const prelude = `base64 -d > /tmp/reflink <<'REFLINK'\n${readFileSync(reflink).toString('base64')}\nREFLINK\nchmod 755 /tmp/reflink\n`;
    writeFileSync(job, prelude + readFileSync(path.join(REPO_ROOT, 'e2e', 'nfs', 'kernel-clone-job.sh'), 'utf8'));
    const d = dfs!;
    const args = ['-e', 'XFS_EXPORT=/xfs', '-e', 'EXT4_EXPORT=/ext4', '-t', '300', job, String(d.nfsPort)];
    const { code, output } = await run(findRunGuest()!, args, 360_000);
    const context = `run-guest.sh exited ${code}\n--- guest console ---\n${output}\n--- dfs log (tail) ---\n${tail(d.logs())}`;
    expect(failLines(output), context).toEqual([]);
    expect(code, context).toBe(0);
    for (const check of ['xfs-clone', 'xfs-same-content', 'xfs-onto-content-refused', 'ext4-clone-notsupp'])
      expect(output, context).toContain(`ok ${check}`);
    // On the host: the same bytes, in extents XFS marks shared with the source.
    const src = readFileSync(path.join(xfs!.dir, 'src'));
    expect(readFileSync(path.join(xfs!.dir, 'dst')).equals(src), 'the clone has the source bytes').toBe(true);
    const extents = execFileSync('filefrag', ['-v', path.join(xfs!.dir, 'dst')], { encoding: 'utf8' });
    expect(extents, 'filefrag -v of the clone').toMatch(/shared/);
    expect(readdirSync(xfs!.dir).sort(), 'nothing left beside the files').toEqual(['full', 'src', 'dst'].sort());
  }, 420_000);
});
