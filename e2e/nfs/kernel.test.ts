// The real Linux kernel NFSv3 client (stock Debian kernel under qemu, busybox guest) against
// the server: mount, a tree of creates/writes/renames/links/chmods/truncates and rm -r, then
// 64 MiB written with fsync and verified by md5sum/sha256sum after umount + mount.
// Runs against dfs on a managed share and on a folder share (target.ts serverKinds).
// Uses /work/shared/tools/kernel-client/run-guest.sh in place (resolved next to the repo).
// Skips, saying why, when qemu, the kernel image, busybox or the script are missing (fails
// instead under CI: e2e/helpers/requirements.ts).
import { existsSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../helpers/dfs.ts';
import { KERNEL_CLIENT_GUEST, unmet } from '../helpers/requirements.ts';
import { failLines, run, serverKinds, startTarget, tail, type NfsTarget } from './target.ts';

function findRunGuest(): string | undefined {
  const candidates = [
    process.env.DITTOFS_KERNEL_CLIENT_DIR && path.join(process.env.DITTOFS_KERNEL_CLIENT_DIR, 'run-guest.sh'),
    path.resolve(REPO_ROOT, '..', 'shared', 'tools', 'kernel-client', 'run-guest.sh'),
    '/work/shared/tools/kernel-client/run-guest.sh',
  ];
  return candidates.find((c): c is string => !!c && existsSync(c));
}

function whyNoGuest(): string | null {
  if (process.platform !== 'linux') return 'not Linux';
  if (!findRunGuest()) return 'run-guest.sh not found (expected ../shared/tools/kernel-client/ next to the repo)';
  return unmet(KERNEL_CLIENT_GUEST);
}

const skipReason = whyNoGuest();

describe.each(serverKinds())('Linux kernel NFSv3 client (qemu) against %s', (kind) => {
  if (skipReason) {
    it.skip(`skipped: ${skipReason}`, () => {});
    return;
  }
  let target: NfsTarget | undefined;

  beforeAll(async () => {
    target = await startTarget(kind);
  }, 120_000);

  afterAll(async () => {
    await target?.stop();
  });

  it('mounts, exercises a tree, writes 64 MiB with fsync and verifies it after a remount', async () => {
    const t = target!;
    const script = findRunGuest()!;
    const args = [
      '-m',
      String(t.mountPort),
      '-e',
      `NFS_EXPORT=${t.exportPath}`,
      '-t',
      '420',
      path.join(REPO_ROOT, 'e2e', 'nfs', 'kernel-job.sh'),
      String(t.nfsPort),
      String(t.mountPort),
    ];
    const { code, output } = await run(script, args, 480_000);
    const context = `run-guest.sh ${args.join(' ')} exited ${code}\n--- guest console ---\n${output}\n--- ${t.kind} log (tail) ---\n${tail(t.logs())}`;
    expect(failLines(output), context).toEqual([]);
    expect(code, context).toBe(0);
    expect(output, context).toContain('ok sha256-after-remount');
    const figures = output.split('\n').filter((l) => l.startsWith('# write') || l.startsWith('# cold read'));
    console.log(`[kernel NFSv3 ${kind}] ${figures.join('; ')}`);
  }, 540_000);
});
