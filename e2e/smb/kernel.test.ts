// The real Linux kernel CIFS client (stock Debian kernel under qemu, busybox guest) against
// dfs: mounts with vers=2.1, 3.0 and 3.1.1 (and 3.1.1 with seal, i.e. encrypted), each
// creating, writing, reading, renaming, truncating and `rm -r`-ing a tree; then 64 MiB
// written with fsync and verified after umount + mount. Uses
// /work/shared/tools/kernel-client/run-guest.sh in place; skips (fails under CI) when qemu,
// the kernel image or busybox are missing.
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../helpers/dfs.ts';
import { smbServerForSuite } from '../helpers/smb.ts';
import { findRunGuest, whyNoGuest } from '../helpers/kernel-guest.ts';
import { failLines, run, tail } from '../nfs/target.ts';

const skipReason = whyNoGuest();

describe('Linux kernel CIFS client (qemu)', () => {
  if (skipReason) {
    it.skip(`skipped: ${skipReason}`, () => {});
    return;
  }
  const dfs = smbServerForSuite();

  it('mounts 2.1, 3.0, 3.1.1 and 3.1.1 sealed, exercises a tree, writes 64 MiB with fsync and verifies it after a remount', async () => {
    const args = [
      '-e',
      'SMB_SHARE=export',
      '-e',
      'SMB_USER=admin',
      '-e',
      `SMB_PASS=${dfs().adminPassword}`,
      '-e',
      'VERSIONS=2.1 3.0 3.1.1',
      '-e',
      'SEAL_VERSIONS=3.1.1',
      '-t',
      '420',
      path.join(REPO_ROOT, 'e2e', 'smb', 'kernel-job.sh'),
      String(dfs().smbPort),
    ];
    const { code, output } = await run(findRunGuest()!, args, 480_000);
    const context = `run-guest.sh exited ${code}\n--- guest console ---\n${output}\n--- dfs log (tail) ---\n${tail(dfs().logs())}`;
    expect(failLines(output), context).toEqual([]);
    expect(code, context).toBe(0);
    for (const tag of ['v2.1', 'v3.0', 'v3.1.1', 'v3.1.1-seal'])
      expect(output, context).toContain(`ok ${tag}-rm-r-gone`);
    expect(output, context).toContain('ok sha256-after-remount');
    console.log(
      `[kernel CIFS] ${output
        .split('\n')
        .filter((l) => l.startsWith('# write'))
        .join('; ')}`,
    );
  }, 540_000);
});
