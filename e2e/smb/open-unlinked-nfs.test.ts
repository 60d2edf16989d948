// A file held open over SMB while NFS removes it, or renames another file over it: impacket
// (e2e/smb/open-unlinked-nfs.py) opens and reads the file, the libnfs client
// (e2e/nfs/libnfs-client.c) makes the change, and the open reads the same bytes, writes and
// answers QUERY_INFO until it closes, as POSIX keeps an unlinked open file and Samba on Linux
// serves it (src/server/metadata/open-holds.ts). The name is gone over SMB and NFS at once; the
// content stays until the close and goes after it: on the managed share the file's blocks in the
// data dir, on a folder share the unlinked file dfs holds a descriptor of (/proc/PID/fd).
import { realpathSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminClient } from '../helpers/api.ts';
import { impacketCases } from '../helpers/impacket-cases.ts';
import { IMPACKET, LIBNFS_DEV, unmet } from '../helpers/requirements.ts';
import { adminFolderShare, smbServerForSuite } from '../helpers/smb.ts';
import { makeTmpDir, removeTmpDir } from '../helpers/tmp.ts';
import { buildLibnfsProgram } from '../nfs/target.ts';

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

describe.skipIf((unmet(IMPACKET) ?? unmet(LIBNFS_DEV)) !== null)('SMB opens of files NFS unlinks', () => {
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
      const me = await (await adminClient(d)).call('users.get', { params: { username: 'admin' } });
      const nfs = [client, '--nfsport', String(d.nfsPort), '--mountport', String(d.mountPort), '--export', `/${share}`];
      const ids = ['--uid2', String(me.uid), '--gid2', String(me.gid)];
      // The managed share's blocks are files under the data dir; a folder share's files are in the folder.
      const where =
        share === 'export' ? `blocks:${d.dataDir}` : `fds:${d.pid}:${realpathSync(path.join(work, 'folder'))}`;
      const { code, outcomes, context } = await impacketCases(
        d,
        'open-unlinked-nfs.py',
        [where, ...nfs, ...ids],
        share,
      );
      expect(code, context).toBe(0);
      expect(outcomes, context).toEqual(expected(share === 'export'));
    }, 120_000);
  }
});
