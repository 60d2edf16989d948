// The real Linux kernel NFS client (stock Debian kernel under qemu, busybox guest) against
// the server, over NFSv3 and NFSv4.0/4.1/4.2 (the same guest job): mount, a tree of
// creates/writes/renames/links/chmods/truncates and rm -r, then 64 MiB written with fsync
// and verified by md5sum/sha256sum after umount + mount.
// NFSv3 runs against dfs on a managed share and on a folder share (target.ts serverKinds);
// NFSv4 against the managed share only, all its versions in one guest boot (the emulated
// boot is the slow part), ending with mount.nfs's version negotiation, which must agree on 4.2;
// DITTOFS_E2E_NFS4_VERS (e.g. "4.1") runs other versions.
// Uses /work/shared/tools/kernel-client/run-guest.sh in place (resolved next to the repo).
// Skips, saying why, when qemu, the kernel image, busybox or the script are missing (fails
// instead under CI: e2e/helpers/requirements.ts).
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../helpers/dfs.ts';
import { findRunGuest, whyNoGuest } from '../helpers/kernel-guest.ts';
import { failLines, run, serverKinds, startTarget, tail, type NfsTarget, type ServerKind } from './target.ts';

const skipReason = whyNoGuest();

/** `vers`: the versions the guest runs in turn (kernel-job.sh NFS_VERS). */
const RUNS: { kind: ServerKind; vers: string }[] = [
  ...serverKinds().map((kind) => ({ kind, vers: '3' })),
  ...serverKinds()
    .filter((k) => k !== 'dfs-folder')
    .map((kind) => ({ kind, vers: process.env.DITTOFS_E2E_NFS4_VERS ?? '4.0 4.1 4.2 auto' })),
];
/** Guest wall-clock budget per version. */
const SECONDS_PER_VERSION = 300;

describe.each(RUNS)('Linux kernel NFS client (qemu), vers=$vers, against $kind', ({ kind, vers }) => {
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

  const versions = vers.split(' ');
  const guestSeconds = SECONDS_PER_VERSION * versions.length + 120;
  it(
    'mounts, exercises a tree, writes 64 MiB with fsync and verifies it after a remount',
    async () => {
      const t = target!;
      const script = findRunGuest()!;
      const args = [
        '-m',
        String(t.mountPort),
        '-e',
        `NFS_EXPORT=${t.exportPath}`,
        '-e',
        `NFS_VERS=${vers}`,
        '-t',
        String(guestSeconds),
        path.join(REPO_ROOT, 'e2e', 'nfs', 'kernel-job.sh'),
        String(t.nfsPort),
        String(t.mountPort),
      ];
      const started = Date.now();
      const { code, output } = await run(script, args, (guestSeconds + 60) * 1000);
      const context = `run-guest.sh ${args.join(' ')} exited ${code}\n--- guest console ---\n${output}\n--- ${t.kind} log (tail) ---\n${tail(t.logs())}`;
      expect(failLines(output), context).toEqual([]);
      expect(code, context).toBe(0);
      for (const v of versions) {
        const last = v === 'auto' ? 'negotiated-4.2' : 'sha256-after-remount';
        expect(output, context).toContain(`ok ${versions.length > 1 ? `v${v}/` : ''}${last}`);
      }
      const figures = output.split('\n').filter((l) => l.startsWith('# write') || l.startsWith('# cold read'));
      console.log(
        `[kernel NFS vers=${vers} ${kind}] ${figures.join('; ')}; ${((Date.now() - started) / 1000).toFixed(0)} s`,
      );
    },
    (guestSeconds + 120) * 1000,
  );
});
