// The paths SMB keeps for open files (src/server/protocols/smb/open-paths.ts) follow renames
// made over NFS on the same share: impacket holds a file open while the libnfs client renames
// its directory, moves it elsewhere and renames the file itself; QUERY_INFO's names answer the
// new path, a rename through the open still works, and a directory renamed over NFS with an
// open file below it still cannot be renamed over SMB (MS-FSA §2.1.5.14.11).
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminClient } from '../helpers/api.ts';
import { impacketCases } from '../helpers/impacket-cases.ts';
import { IMPACKET, LIBNFS_DEV, unmet } from '../helpers/requirements.ts';
import { smbServerForSuite } from '../helpers/smb.ts';
import { removeTmpDir } from '../helpers/tmp.ts';
import { buildLibnfsProgram } from '../nfs/target.ts';

const EXPECTED: Record<string, string> = {
  'name when opened': '\\opn\\dir\\f.txt',
  'NFS renames the directory': 'ok',
  "name after the directory's rename": '\\opn\\moved\\f.txt',
  'all-information name after it': '\\opn\\moved\\f.txt',
  'NFS moves the directory elsewhere': 'ok',
  'name after the move': '\\other\\m2\\f.txt',
  'NFS renames the file itself': 'ok',
  "name after the file's rename": '\\other\\g.txt',
  'SMB rename through the open after it': 'ok',
  'name after the SMB rename': '\\other\\h.txt',
  'NFS renames a directory above an open file': 'ok',
  'SMB rename of that directory while the file is open': 'status:0xc0000022',
};

describe.skipIf((unmet(IMPACKET) ?? unmet(LIBNFS_DEV)) !== null)('SMB open paths after NFS renames', () => {
  const dfs = smbServerForSuite();
  let client = '';

  beforeAll(() => {
    client = buildLibnfsProgram('e2e/nfs/libnfs-client.c', 'nfsclient');
  });

  afterAll(() => {
    if (client) removeTmpDir(path.dirname(client));
  });

  it('follow the renames, as QUERY_INFO and a later rename show', async () => {
    const d = dfs();
    const me = await (await adminClient(d)).call('users.get', { params: { username: 'admin' } });
    const nfs = [client, '--nfsport', String(d.nfsPort), '--mountport', String(d.mountPort)];
    const ids = ['--uid2', String(me.uid), '--gid2', String(me.gid)];
    const { code, outcomes, context } = await impacketCases(d, 'open-paths-nfs.py', [...nfs, ...ids]);
    expect(code, context).toBe(0);
    expect(outcomes, context).toEqual(EXPECTED);
  }, 120_000);
});
