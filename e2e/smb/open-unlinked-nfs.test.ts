// A file held open over SMB while NFS removes it, or renames another file over it: impacket
// (e2e/smb/open-unlinked-nfs.py) opens and reads the file, the libnfs client
// (e2e/nfs/libnfs-client.c) makes the change, and the open reads the same bytes, writes and
// answers QUERY_INFO until it closes, as POSIX keeps an unlinked open file and Samba on Linux
// serves it (src/server/metadata/open-holds.ts). The name is gone over SMB and NFS at once; the
// content stays until the close and goes after it: on the managed share the file's blocks in the
// data dir, on a folder share the unlinked file dfs holds a descriptor of (/proc/PID/fd).
import { spawn } from 'node:child_process';
import { readdirSync, realpathSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminClient } from '../helpers/api.ts';
import { LOOPBACK_WITH_SMB, REPO_ROOT, startDfs, type DfsProcess } from '../helpers/dfs.ts';
import { impacketCases } from '../helpers/impacket-cases.ts';
import { IMPACKET, LIBNFS_DEV, unmet } from '../helpers/requirements.ts';
import { adminFolderShare, smbPort, smbServerForSuite } from '../helpers/smb.ts';
import { makeTmpDir, removeTmpDir } from '../helpers/tmp.ts';
import { buildLibnfsProgram, tail } from '../nfs/target.ts';

/**
 * The held file's outcomes for `prefix`. Its content: blocks in the data dir on the managed share;
 * on a folder share, the file dfs holds open once its name is gone (the kernel frees it at close).
 */
function held(prefix: string, managed: boolean): Record<string, string> {
  return {
    [`${prefix}: read before`]: 'same',
    [`${prefix}: blocks before`]: managed ? 'stored' : 'not held with no name',
    [`${prefix}: NFS change`]: 'ok',
    [`${prefix}: read after`]: 'same',
    // No name is left: NumberOfLinks 0.
    [`${prefix}: query info after`]: `eof=${3 * 1024 * 1024} links=0`,
    [`${prefix}: write after`]: 'ok',
    [`${prefix}: read of the write`]: 'tail',
    [`${prefix}: blocks while open`]: managed ? 'stored' : 'held with no name',
    [`${prefix}: rename through the open after`]: 'status:0xc0000034',
    [`${prefix}: delete-pending through the open after`]: 'ok',
    [`${prefix}: close`]: 'ok',
    [`${prefix}: blocks after close`]: 'freed',
  };
}

function expected(managed: boolean): Record<string, string> {
  return {
    ...held('removed', managed),
    'removed: SMB open by name after': 'status:0xc0000034',
    'removed: SMB listing after': 'not listed',
    'removed: NFS name after': 'absent',
    ...held('replaced', managed),
    'replaced: SMB reads the name after': 'the newer file',
    'replaced: NFS name after': 'absent',
  };
}

const skip = (unmet(IMPACKET) ?? unmet(LIBNFS_DEV)) !== null;

/** The libnfs client's arguments for `share` of `d`, acting as the admin user. */
async function nfsArgs(client: string, d: DfsProcess, share: string): Promise<string[]> {
  const me = await (await adminClient(d)).call('users.get', { params: { username: 'admin' } });
  return [client, '--nfsport', String(d.nfsPort), '--mountport', String(d.mountPort), '--export', `/${share}`].concat([
    '--uid2',
    String(me.uid),
    '--gid2',
    String(me.gid),
  ]);
}

/** Whether block files of `payload` are under `dir`. */
function hasBlocks(dir: string, payload: string): boolean {
  return readdirSync(dir, { recursive: true }).some((f) => path.basename(String(f)).startsWith(`${payload}.`));
}

describe.skipIf(skip)('SMB opens of files NFS unlinks', () => {
  const dfs = smbServerForSuite();
  let client = '';
  let work = '';

  beforeAll(async () => {
    client = buildLibnfsProgram('e2e/nfs/libnfs-client.c', 'nfsclient');
    work = makeTmpDir('dittofs-unlinked-');
    await adminFolderShare(await adminClient(dfs()), path.join(work, 'folder'));
  });

  afterAll(() => {
    if (client) removeTmpDir(path.dirname(client));
    if (work) removeTmpDir(work);
  });

  for (const share of ['export', 'folder']) {
    it(`on /${share}: read, write and QUERY_INFO on until the close, then the file is gone`, async () => {
      const d = dfs();
      // The managed share's blocks are files under the data dir; a folder share's files are in the folder.
      const where =
        share === 'export' ? `blocks:${d.dataDir}` : `fds:${d.pid}:${realpathSync(path.join(work, 'folder'))}`;
      const args = ['cases', where, ...(await nfsArgs(client, d, share))];
      const { code, outcomes, context } = await impacketCases(d, 'open-unlinked-nfs.py', args, share);
      expect(code, context).toBe(0);
      expect(outcomes, context).toEqual(expected(share === 'export'));
    }, 120_000);
  }
});

describe.skipIf(skip)('a file held open with no name when dfs is killed', () => {
  let client = '';
  let dataDir = '';
  let d: DfsProcess | undefined;

  beforeAll(() => {
    client = buildLibnfsProgram('e2e/nfs/libnfs-client.c', 'nfsclient');
    dataDir = makeTmpDir('dittofs-unlinked-crash-');
  });

  afterAll(async () => {
    await d?.stop();
    if (client) removeTmpDir(path.dirname(client));
    if (dataDir) removeTmpDir(dataDir);
  });

  it('is deleted, blocks too, when dfs starts again', async () => {
    d = await startDfs({ env: LOOPBACK_WITH_SMB, dataDir });
    const script = path.join(REPO_ROOT, 'e2e', 'smb', 'open-unlinked-nfs.py');
    const args = [String(smbPort(d)), 'admin', d.adminPassword, 'export', 'hold', `blocks:${dataDir}`];
    const holder = spawn('/usr/bin/python3', [script, ...args, ...(await nfsArgs(client, d, 'export'))]);
    let output = '';
    holder.stdout.on('data', (b: Buffer) => (output += b.toString()));
    holder.stderr.on('data', (b: Buffer) => (output += b.toString()));
    const outcomes: Record<string, string> = {};
    try {
      for (let waited = 0; !output.includes('"held"') && holder.exitCode === null && waited < 60_000; waited += 100)
        await new Promise((r) => setTimeout(r, 100));
      for (const line of output.split('\n').filter((l) => l.startsWith('{'))) {
        const { case: name, outcome } = JSON.parse(line) as { case: string; outcome: string };
        outcomes[name] = outcome;
      }
      const context = `${output}\n--- dfs log (tail) ---\n${tail(d.logs())}`;
      expect(outcomes, context).toEqual({
        payload: outcomes.payload,
        'NFS change': 'ok',
        'blocks while open': 'stored',
        held: 'yes',
      });
      // Killed with the file open and nameless: its record and blocks are left behind.
      d.kill('SIGKILL');
      await d.exited;
    } finally {
      holder.kill();
    }
    const payload = outcomes.payload!;
    expect(hasBlocks(dataDir, payload)).toBe(true);
    d = await startDfs({ env: LOOPBACK_WITH_SMB, dataDir });
    for (let waited = 0; hasBlocks(dataDir, payload) && waited < 15_000; waited += 200)
      await new Promise((r) => setTimeout(r, 200));
    expect(hasBlocks(dataDir, payload), tail(d.logs())).toBe(false);
    expect(d.logs()).toContain('deleted files left open with no name');
  }, 120_000);
});
