// Named streams (SMB alternate data streams, MS-FSCC §2.4.44) with real clients we did not
// write: smbclient puts and gets `file:stream` and lists streams with `allinfo` (as Samba with
// streams_xattr shows them); python3-impacket (e2e/smb/streams.py) covers the dispositions,
// sizes, deletion, the listing's sizes, the size limit and what happens to streams when their
// file is renamed or deleted; a flushed stream survives dfs being killed (streams-durable.py).
// On the managed default share (SQLite store) and on a folder share,
// whose streams live in dfs's index in the data dir: the folder holds only the files.
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminClient } from '../helpers/api.ts';
import { LOOPBACK_WITH_SMB, startDfs, type DfsProcess } from '../helpers/dfs.ts';
import { impacketCases } from '../helpers/impacket-cases.ts';
import { IMPACKET, SMBCLIENT, unmet } from '../helpers/requirements.ts';
import { adminFolderShare, smbAdminArgs, smbServerForSuite } from '../helpers/smb.ts';
import { makeTmpDir, removeTmpDir } from '../helpers/tmp.ts';
import { run, tail } from '../nfs/target.ts';

// Samba 4.17 with streams_xattr on this machine answers the same, except: it lists `::$DATA`
// after the named streams (dfs first, as Windows); an unknown stream type is INVALID_PARAMETER
// there (OBJECT_NAME_INVALID here, as Windows, smbtorture smb2.streams.names); its streams end at
// an ext4 block (about 4 KB, then DISK_FULL; FILE_SYSTEM_LIMITATION from 64 KiB), dfs's at 1 MiB;
// a stream open's FileNameInformation is the stream alone there (":Zone.Identifier:$DATA"), the
// file's path and the stream here (as Windows, which smbtorture smb2.streams.names expects).
const EXPECTED: Record<string, string> = {
  'open a missing stream': 'status:0xc0000034',
  'create a stream on a missing file creates both': 'created:2 size:0',
  'write and read back': 'read:finder info',
  'create an existing stream': 'status:0xc0000035',
  'open it in another case': 'read:finder info',
  'overwrite empties it': 'created:3 size:0',
  'stream size in FileStandardInformation': 'eof:5',
  'file size unchanged by its streams': 'eof:4',
  'list streams': '::$DATA=4,:AFP_AfpInfo:$DATA=5,:Zone.Identifier:$DATA=14',
  'name of a stream open': '\\streams\\doc.bin:Zone.Identifier',
  'set end of file on a stream': 'eof:2',
  'a write past 1 MiB': 'status:0xc0000427',
  'rename keeps streams': '::$DATA=4,:AFP_AfpInfo:$DATA=2,:Zone.Identifier:$DATA=14',
  'delete a stream (disposition)': '::$DATA=4,:Zone.Identifier:$DATA=14',
  'open with an unknown stream type': 'status:0xc0000033',
  'stream of a directory': '',
  'directory stream listed': ':dirmeta:$DATA=3',
  'delete the file': 'ok',
  'a new file of that name has no streams': '::$DATA=0',
  'a stream open not sharing delete keeps the file from being deleted': 'status:0xc0000043',
  'overwrite the file deletes its streams': '::$DATA=0',
  'FILE_NAMED_STREAMS advertised': 'yes',
};

describe.skipIf((unmet(SMBCLIENT) ?? unmet(IMPACKET)) !== null)('SMB named streams', () => {
  const dfs = smbServerForSuite();
  let work = '';

  beforeAll(async () => {
    work = makeTmpDir('dittofs-streams-');
    await adminFolderShare(await adminClient(dfs()), path.join(work, 'shared folder'));
  }, 60_000);

  afterAll(() => {
    if (work) removeTmpDir(work);
  });

  const smbclient = (commands: string, share = 'export') =>
    run('smbclient', [...smbAdminArgs(dfs(), share), '-c', commands], 60_000, { cwd: work });

  it('smbclient puts, gets and lists streams', async () => {
    const finder = randomBytes(32);
    const fork = randomBytes(300_000);
    writeFileSync(path.join(work, 'body.txt'), 'file body');
    writeFileSync(path.join(work, 'finder.bin'), finder);
    writeFileSync(path.join(work, 'fork.bin'), fork);
    const put = await smbclient(
      'put body.txt doc.txt; put finder.bin doc.txt:AFP_AfpInfo; put fork.bin doc.txt:AFP_Resource:$DATA; ' +
        'get doc.txt:afp_afpinfo finder.out; get doc.txt:AFP_Resource fork.out; get doc.txt body.out; allinfo doc.txt',
    );
    const context = `${put.output}\n--- dfs log (tail) ---\n${tail(dfs().logs())}`;
    expect(put.code, context).toBe(0);
    expect(readFileSync(path.join(work, 'finder.out')).equals(finder), context).toBe(true);
    expect(readFileSync(path.join(work, 'fork.out')).equals(fork), context).toBe(true);
    expect(readFileSync(path.join(work, 'body.out'), 'utf8')).toBe('file body');
    expect(put.output).toMatch(/stream: \[::\$DATA\], 9 bytes/);
    expect(put.output).toMatch(/stream: \[:AFP_AfpInfo:\$DATA\], 32 bytes/);
    expect(put.output).toMatch(/stream: \[:AFP_Resource:\$DATA\], 300000 bytes/);
    // The streams leave no file beside it.
    const ls = await smbclient('ls');
    expect(ls.output).toMatch(/doc\.txt/);
    expect(ls.output).not.toMatch(/AFP|\._doc/);
  }, 60_000);

  it('keep Samba streams_xattr behaviour for dispositions, sizes, listing and deletion (impacket)', async () => {
    const { code, outcomes, context } = await impacketCases(dfs(), 'streams.py');
    expect(code, context).toBe(0);
    expect(outcomes, context).toEqual(EXPECTED);
  }, 120_000);

  it("are kept on a folder share in dfs's index, never as files in the folder", async () => {
    const { code, outcomes, context } = await impacketCases(dfs(), 'streams.py', [], 'folder');
    expect(code, context).toBe(0);
    expect(outcomes, context).toEqual(EXPECTED);
    const put = await smbclient('put finder.bin notes.txt:AFP_AfpInfo; allinfo notes.txt', 'folder');
    expect(put.output).toMatch(/stream: \[:AFP_AfpInfo:\$DATA\], 32 bytes/);
    // Only the files themselves: no "._name" AppleDouble files, no stream files.
    expect(readdirSync(path.join(work, 'shared folder')).sort()).toEqual(['notes.txt', 'streams']);
    expect(readdirSync(path.join(work, 'shared folder', 'streams')).sort()).toEqual(['new.bin', 'renamed.bin', 'sdir']);
    expect(readdirSync(path.join(work, 'shared folder', 'streams', 'sdir'))).toEqual([]);
  }, 120_000);

  it('flushed, survive dfs being killed and started again', async () => {
    const dataDir = makeTmpDir('dittofs-streams-durable-');
    const env = { ...LOOPBACK_WITH_SMB, DITTOFS_ADMIN_INITIAL_PASSWORD: 'streams-Durable-9' };
    let d: DfsProcess | undefined;
    try {
      d = await startDfs({ env, dataDir });
      const written = await impacketCases(d, 'streams-durable.py', ['write']);
      expect(written.code, written.context).toBe(0);
      expect(written.outcomes.write, written.context).toMatch(/^[0-9a-f]{64}$/);
      d.kill('SIGKILL');
      await d.exited;
      d = await startDfs({ env, dataDir });
      const read = await impacketCases(d, 'streams-durable.py', ['read']);
      expect(read.code, read.context).toBe(0);
      expect(read.outcomes.read, read.context).toBe(written.outcomes.write);
    } finally {
      await d?.stop();
      removeTmpDir(dataDir);
    }
  }, 120_000);
});
