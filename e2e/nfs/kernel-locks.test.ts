// Byte-range locks from the real Linux kernel clients (stock Debian kernel under qemu,
// busybox guest) against dfs, through the one lock manager: an NFSv3 mount WITHOUT `nolock`
// takes and releases fcntl locks over NLM; fcntl and flock locks of two processes conflict
// over NFSv3 and over NFSv4.0; a lock held over NLM, NFSv4 or SMB (a CIFS mount of the same
// share) refuses the others; blocking waiters over NLM and SMB get the lock once it frees. The guest job is e2e/nfs/kernel-lock-job.sh; fcntl locks come
// from e2e/nfs/plock.c, built static here and carried in the job script.
//
// Port 111: the guest's lockd asks the server's rpcbind on port 111 for NLM, so dfs runs its
// embedded portmapper on 127.0.0.1:111 and the harness relays 111 (the harness relays each
// port to the same port on the host; it cannot map 111 elsewhere). When 111 is taken on
// the host (a running rpcbind), the test fails under CI and skips otherwise, naming the
// holder: stop it (e.g. `systemctl stop rpcbind.socket rpcbind`) for the run.
// The guest's own loopback rpcbind (lockd registers there, finds statd there) is a stand-in
// run by this test on the host (guest-rpcbind.ts); statd is the server's NSM.
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminClient } from '../helpers/api.ts';
import { LOOPBACK_WITH_SMB, REPO_ROOT, startDfs, type DfsProcess } from '../helpers/dfs.ts';
import { findRunGuest, whyNoGuest } from '../helpers/kernel-guest.ts';
import { makeTmpDir, removeTmpDir } from '../helpers/tmp.ts';
import { startGuestRpcbind, type GuestRpcbind } from './guest-rpcbind.ts';
import { failLines, run, tail } from './target.ts';

const RPCBIND_PORT = 111;

/** Whether 127.0.0.1:111 can be bound, and if not, who holds it. */
function port111Holder(): Promise<string | null> {
  return new Promise((resolve) => {
    const probe = net.createServer();
    probe.once('error', (err: NodeJS.ErrnoException) => {
      let who = '';
      try {
        who = execFileSync('ss', ['-ltnpH', 'sport = :111'], { encoding: 'utf8' }).trim();
      } catch {
        // ss missing: the error code says enough
      }
      resolve(`port 111 is not free (${err.code}) ${who}`);
    });
    probe.listen(RPCBIND_PORT, '127.0.0.1', () => probe.close(() => resolve(null)));
  });
}

const guestReason = whyNoGuest();
const port111 = guestReason ? null : await port111Holder();
const skipReason = guestReason ?? (port111 && !process.env.CI ? port111 : null);

describe('Linux kernel clients: locks over NLM (NFSv3), NFSv4.0 and SMB (qemu)', () => {
  if (skipReason) {
    it.skip(`skipped: ${skipReason}`, () => {});
    return;
  }
  let dfs: DfsProcess | undefined;
  let rpcbind: GuestRpcbind | undefined;
  let workDir = '';

  beforeAll(async () => {
    if (port111) throw new Error(`${port111}: the guest's lockd needs the server's rpcbind there`);
    dfs = await startDfs({
      env: {
        ...LOOPBACK_WITH_SMB,
        DITTOFS_NFS_PORTMAPPER_ENABLED: 'true',
        DITTOFS_NFS_PORTMAPPER_PORT: String(RPCBIND_PORT),
      },
    });
    rpcbind = await startGuestRpcbind(dfs.nfsPort);
    workDir = makeTmpDir('dittofs-klock-');
  }, 120_000);

  afterAll(async () => {
    await dfs?.stop();
    await rpcbind?.close();
    if (workDir) removeTmpDir(workDir);
  });

  it('NFSv3 with locking, NFSv4.0 and CIFS: fcntl and flock locks conflict across processes and protocols', async () => {
    const plock = path.join(workDir, 'plock');
    execFileSync('gcc', ['-static', '-Os', '-s', '-Wall', '-o', plock, path.join(REPO_ROOT, 'e2e', 'nfs', 'plock.c')]);
    const job = path.join(workDir, 'job.sh');
    const prelude = `base64 -d > /tmp/plock <<'PLOCK'\n${readFileSync(plock).toString('base64')}\nPLOCK\nchmod 755 /tmp/plock\n`;
    writeFileSync(job, prelude + readFileSync(path.join(REPO_ROOT, 'e2e', 'nfs', 'kernel-lock-job.sh'), 'utf8'));
    const d = dfs!;
    const args = [
      '-e',
      'NFS_EXPORT=/export',
      '-e',
      'SMB_SHARE=export',
      '-e',
      `SMB_PORT=${d.smbPort}`,
      '-e',
      'SMB_USER=admin',
      '-e',
      `SMB_PASS=${d.adminPassword}`,
      '-e',
      `GUEST_RPCBIND_PORT=${rpcbind!.port}`,
      '-t',
      '420',
      job,
      String(d.nfsPort),
      String(RPCBIND_PORT),
      String(rpcbind!.port),
      String(d.smbPort),
    ];
    // While the guest holds locks, the sessions list counts them per protocol (polled).
    const api = await adminClient(d);
    const mostHeld = new Map<string, { opens: number; locks: number }>();
    const poller = setInterval(() => {
      void api.call('mounts.list', {}).then((mounts) => {
        for (const m of mounts) {
          const seen = mostHeld.get(m.protocol) ?? { opens: 0, locks: 0 };
          mostHeld.set(m.protocol, { opens: Math.max(seen.opens, m.opens), locks: Math.max(seen.locks, m.locks) });
        }
      });
    }, 250);
    const { code, output } = await run(findRunGuest()!, args, 480_000).finally(() => clearInterval(poller));
    const context = `run-guest.sh exited ${code}\n--- guest console ---\n${output}\n--- guest rpcbind registrations: ${rpcbind!
      .registered()
      .join(' ')}\n--- dfs log (tail) ---\n${tail(d.logs())}`;
    expect(failLines(output), context).toEqual([]);
    expect(code, context).toBe(0);
    for (const check of ['mount-v3-with-locking', 'v3-fcntl-take-release', 'v3-conflict', 'v4-conflict'])
      expect(output, context).toContain(`ok ${check}`);
    for (const check of ['nlm-waiter-granted', 'smb-waiter-granted', 'nlm-waiter-blocked'])
      expect(output, context).toContain(`ok ${check}`);
    for (const check of ['v4-sees-nlm-lock', 'smb-sees-nlm-lock', 'nlm-sees-v4-lock', 'nlm-sees-smb-lock'])
      expect(output, context).toContain(`ok ${check}`);
    for (const protocol of ['nfs3', 'nfs4', 'smb'])
      expect(mostHeld.get(protocol)?.locks, `${protocol}: ${JSON.stringify([...mostHeld])}`).toBeGreaterThan(0);
    for (const protocol of ['nfs4', 'smb'])
      expect(mostHeld.get(protocol)?.opens, `${protocol}: ${JSON.stringify([...mostHeld])}`).toBeGreaterThan(0);
  }, 540_000);
});
