// The SMB server with a real client we did not write (Samba's smbclient): every dialect
// 2.0.2 … 3.1.1, plain, signed and encrypted, copies a 16 MiB file in and out byte-identical
// and walks ls / mkdir / rename / del / rmdir; five downloads at once arrive intact; `smbclient -L` lists the shares through
// srvsvc; a wrong password and a write to a share granted read-only are refused. Then the
// same files across protocols: written over SMB and read over NFS (libnfs) and the reverse,
// on the managed default share and on a folder share.
import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiClient } from '../../src/shared/api/client.ts';
import { adminClient } from '../helpers/api.ts';
import { type DfsProcess } from '../helpers/dfs.ts';
import { LIBNFS_UTILS, SMBCLIENT, unmet } from '../helpers/requirements.ts';
import { adminFolderShare, startSmbDfs } from '../helpers/smb.ts';
import { makeTmpDir, removeTmpDir } from '../helpers/tmp.ts';
import { run, tail } from '../nfs/target.ts';

const sha256 = (b: Buffer): string => createHash('sha256').update(b).digest('hex');
const skip = unmet(SMBCLIENT) ?? unmet(LIBNFS_UTILS);

const DIALECTS = ['SMB2_02', 'SMB2_10', 'SMB3_00', 'SMB3_02', 'SMB3_11'] as const;
const PROTECTIONS = ['off', 'sign', 'encrypt'] as const;
const READER = { username: 'reader', password: 'read-only-Pa55word' };
const OUTSIDER = { username: 'outsider', password: 'no-grant-Pa55word' };

describe.skipIf(skip !== null)('SMB with smbclient', () => {
  let work = '';
  let dfs: DfsProcess | undefined;
  let api: ApiClient;
  let admin = { uid: 0, gid: 0 };
  const big = randomBytes(16 * 1024 * 1024);

  const log = (what: string, out: string): string => `${what}\n${out}\n--- dfs log (tail) ---\n${tail(dfs!.logs())}`;

  function smbclient(share: string, commands: string, opts: { user?: string; extra?: string[] } = {}) {
    const user = opts.user ?? `admin%${dfs!.adminPassword}`;
    const args = [
      `//127.0.0.1/${share}`,
      '-p',
      String(dfs!.smbPort),
      '-U',
      user,
      ...(opts.extra ?? []),
      '-c',
      commands,
    ];
    return run('smbclient', args, 120_000, { cwd: work });
  }

  const nfsUrl = (share: string, rel: string): string =>
    `nfs://127.0.0.1/${share}/${rel}?nfsport=${dfs!.nfsPort}&mountport=${dfs!.mountPort}&version=3&uid=${admin.uid}&gid=${admin.gid}`;

  beforeAll(async () => {
    work = makeTmpDir('dittofs-smb-');
    writeFileSync(path.join(work, 'big.bin'), big);
    dfs = await startSmbDfs();
    expect(dfs.smbPort, 'the ready line names the SMB port').toBeGreaterThan(0);
    api = await adminClient(dfs);
    const me = await api.call('users.get', { params: { username: 'admin' } });
    admin = { uid: me.uid, gid: me.gid };
    // A folder this computer's user could write to; dfs runs as root in CI, SMB acts as admin's uid.
    await adminFolderShare(api, path.join(work, 'shared folder'));
    await api.call('users.create', { body: { ...READER, role: 'user' } });
    await api.call('users.create', { body: { ...OUTSIDER, role: 'user' } });
    await api.call('shares.setPermission', {
      params: { name: '/export', principalType: 'user', principal: READER.username },
      body: { access: 'read' },
    });
  }, 120_000);

  afterAll(async () => {
    await dfs?.stop();
    if (work) removeTmpDir(work);
  });

  for (const dialect of DIALECTS) {
    for (const protection of PROTECTIONS) {
      const smb2 = dialect.startsWith('SMB2');
      it(`${dialect}, protection ${protection}: put/get 16 MiB, ls, mkdir, rename, del, rmdir`, async () => {
        const tag = `${dialect}-${protection}`;
        const r = await smbclient(
          'export',
          [
            `put big.bin ${tag}.bin`,
            `get ${tag}.bin ${tag}.out`,
            `mkdir dir-${tag}`,
            `rename ${tag}.bin dir-${tag}\\moved.bin`,
            `ls dir-${tag}\\*`,
            `del dir-${tag}\\moved.bin`,
            `rmdir dir-${tag}`,
            `ls`,
          ].join('; '),
          { extra: ['-m', dialect, `--client-protection=${protection}`] },
        );
        if (smb2 && protection === 'encrypt') {
          // SMB 2.x has no encryption: the client refuses to go on, rather than send in clear.
          expect(r.code, log('smbclient', r.output)).not.toBe(0);
          expect(r.output).toMatch(/doesn't support SMB3 encryption|NT_STATUS/);
          return;
        }
        expect(r.code, log('smbclient', r.output)).toBe(0);
        expect(r.output, log('smbclient', r.output)).not.toMatch(/NT_STATUS_/);
        expect(sha256(readFileSync(path.join(work, `${tag}.out`)))).toBe(sha256(big));
        expect(r.output).toMatch(new RegExp(`moved\\.bin\\s+A\\s+${big.length}`));
        expect(r.output).not.toMatch(new RegExp(`dir-${tag}\\s+D`)); // gone from the last ls
      });
    }
  }

  it('serves five downloads at once byte-identical (READ buffers are reused only once written)', async () => {
    // Five clients at 8 MiB READs want more pooled buffers than there are (8) while each
    // reply's send is still under way: a buffer reused too early would corrupt a copy.
    const names = Array.from({ length: 5 }, (_, i) => `parallel-${i}`);
    const files = names.map(() => randomBytes(40 * 1024 * 1024));
    names.forEach((name, i) => writeFileSync(path.join(work, `${name}.bin`), files[i]!));
    const put = await smbclient('export', names.map((n) => `put ${n}.bin`).join('; '));
    expect(put.output, log('smbclient put', put.output)).not.toMatch(/NT_STATUS_/);
    const gets = await Promise.all(names.map((n) => smbclient('export', `get ${n}.bin ${n}.out`)));
    gets.forEach((g, i) => {
      expect(g.output, log('smbclient get', g.output)).not.toMatch(/NT_STATUS_/);
      expect(sha256(readFileSync(path.join(work, `${names[i]}.out`)))).toBe(sha256(files[i]!));
    });
  });

  it('ends the session of a client that dies without logging off', async () => {
    // smbclient killed mid-session: the kernel closes its socket (a FIN), with no LOGOFF first.
    const args = [`//127.0.0.1/export`, '-p', String(dfs!.smbPort), '-U', `admin%${dfs!.adminPassword}`];
    const child = spawn('stdbuf', ['-oL', 'smbclient', ...args], { cwd: work, stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    const listed = new Promise<void>((resolve) =>
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        if (out.includes('blocks available')) resolve();
      }),
    );
    child.stdin.write('ls\n');
    await Promise.race([listed, new Promise((resolve) => setTimeout(resolve, 20_000))]);
    expect(out, log('smbclient ls', out)).toContain('blocks available');
    const smbSessions = async (): Promise<unknown[]> =>
      (await api.call('mounts.list', {})).filter((m) => m.protocol === 'smb');
    expect(await smbSessions()).toHaveLength(1);
    child.kill('SIGKILL');
    let sessions: unknown[] = [];
    for (let i = 0; i < 50; i++) {
      sessions = await smbSessions();
      if (sessions.length === 0) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(sessions).toEqual([]);
  });

  it('lists the shares through srvsvc (smbclient -L)', async () => {
    const r = await run(
      'smbclient',
      ['-L', '//127.0.0.1', '-p', String(dfs!.smbPort), '-U', `admin%${dfs!.adminPassword}`],
      60_000,
    );
    expect(r.output, log('smbclient -L', r.output)).toMatch(/^\s+export\s+Disk/m);
    expect(r.output).toMatch(/^\s+folder\s+Disk/m);
    expect(r.output).toMatch(/^\s+IPC\$\s+IPC/m);
  });

  it('refuses a wrong password and an unknown user', async () => {
    for (const user of ['admin%not-the-password', 'nobody-here%whatever']) {
      const r = await smbclient('export', 'ls', { user });
      expect(r.code, r.output).not.toBe(0);
      expect(r.output).toContain('NT_STATUS_LOGON_FAILURE');
    }
  });

  it('refuses the tree connect of a user the share grants nothing', async () => {
    const r = await smbclient('folder', 'ls', { user: `${OUTSIDER.username}%${OUTSIDER.password}` });
    expect(r.code, r.output).not.toBe(0);
    expect(r.output).toContain('NT_STATUS_ACCESS_DENIED');
  });

  it('lets a user granted read read, and refuses their writes', async () => {
    const user = `${READER.username}%${READER.password}`;
    writeFileSync(path.join(work, 'small.txt'), 'hello\n');
    const setup = await smbclient('export', 'put small.txt for-reader.txt');
    expect(setup.code, setup.output).toBe(0);
    const read = await smbclient('export', 'get for-reader.txt reader-copy.txt', { user });
    expect(read.code, read.output).toBe(0);
    expect(readFileSync(path.join(work, 'reader-copy.txt'), 'utf8')).toBe('hello\n');
    for (const cmd of ['put small.txt by-reader.txt', 'mkdir by-reader', 'del for-reader.txt']) {
      const r = await smbclient('export', cmd, { user });
      expect(r.output, `${cmd}\n${r.output}`).toContain('NT_STATUS_ACCESS_DENIED');
    }
  });

  it('shows a live session with its dialect and protection, and Disconnect closes it', async () => {
    writeFileSync(path.join(work, 'live-src.txt'), 'live\n');
    expect((await smbclient('export', 'put live-src.txt live.txt')).code).toBe(0);
    const args = [
      '//127.0.0.1/export',
      '-p',
      String(dfs!.smbPort),
      '-U',
      `admin%${dfs!.adminPassword}`,
      '-m',
      'SMB3_11',
      '--client-protection=encrypt',
    ];
    const client = spawn('smbclient', args, { cwd: work, stdio: ['pipe', 'pipe', 'pipe'] });
    let output = '';
    client.stdout.on('data', (d: Buffer) => (output += d.toString()));
    client.stderr.on('data', (d: Buffer) => (output += d.toString()));
    const exited = new Promise<number>((resolve) => client.once('close', (code) => resolve(code ?? -1)));
    try {
      client.stdin.write('get live.txt live-copy.txt\n');
      await expect.poll(() => output, { timeout: 20_000 }).toMatch(/getting file/);
      const mounts = await api.call('mounts.list', {});
      const mine = mounts.find((m) => m.protocol === 'smb' && m.share === '/export' && m.state === 'connected');
      expect(mine, JSON.stringify(mounts)).toMatchObject({
        user: 'admin',
        clientAddr: '127.0.0.1',
        security: { dialect: '3.1.1', encrypted: true },
      });
      expect(mine!.bytesRead).toBeGreaterThan(0);
      await api.call('mounts.disconnect', { params: { id: mine!.id } });
      // The connection is gone: the next command fails.
      client.stdin.write('ls\n');
      client.stdin.end();
      await exited;
      expect(output).toContain('NT_STATUS_CONNECTION_DISCONNECTED');
      expect((await api.call('mounts.list', {})).some((m) => m.id === mine!.id)).toBe(false);
    } finally {
      client.kill('SIGKILL');
    }
  });

  for (const share of ['export', 'folder']) {
    it(`on /${share}: written over SMB reads the same over NFS, and the reverse`, async () => {
      const viaSmb = randomBytes(3 * 1024 * 1024 + 17);
      writeFileSync(path.join(work, `to-${share}.bin`), viaSmb);
      const put = await smbclient(share, `put to-${share}.bin from-smb.bin`);
      expect(put.code, log('smbclient put', put.output)).toBe(0);
      const cp = await run('nfs-cp', [nfsUrl(share, 'from-smb.bin'), path.join(work, `nfs-${share}.bin`)], 60_000);
      expect(cp.code, log('nfs-cp', cp.output)).toBe(0);
      expect(sha256(readFileSync(path.join(work, `nfs-${share}.bin`)))).toBe(sha256(viaSmb));

      const viaNfs = randomBytes(2 * 1024 * 1024 + 5);
      writeFileSync(path.join(work, `for-nfs-${share}.bin`), viaNfs);
      const up = await run('nfs-cp', [path.join(work, `for-nfs-${share}.bin`), nfsUrl(share, 'From-NFS.bin')], 60_000);
      expect(up.code, log('nfs-cp', up.output)).toBe(0);
      // SMB names are case-insensitive: the NFS name is found in another case too.
      const get = await smbclient(share, `get from-nfs.bin smb-${share}.bin`);
      expect(get.code, log('smbclient get', get.output)).toBe(0);
      expect(sha256(readFileSync(path.join(work, `smb-${share}.bin`)))).toBe(sha256(viaNfs));
    });
  }

  it('on the folder share: files another program makes, renames or removes in the folder are found in any case', async () => {
    const folder = path.join(work, 'shared folder');
    // A first caseless lookup in the folder: its names are kept from then on (folder/caseless-names.ts).
    const before = await smbclient('folder', 'get made-here.txt local-before.txt');
    expect(before.output, log('smbclient', before.output)).toMatch(/NT_STATUS_OBJECT_NAME_NOT_FOUND/);
    writeFileSync(path.join(folder, 'Made-Here.TXT'), 'made by another program');
    const got = await smbclient('folder', 'get made-here.txt local-made.txt');
    expect(got.code, log('smbclient', got.output)).toBe(0);
    expect(readFileSync(path.join(work, 'local-made.txt'), 'utf8')).toBe('made by another program');
    renameSync(path.join(folder, 'Made-Here.TXT'), path.join(folder, 'Renamed-Here.txt'));
    const after = await smbclient('folder', 'get made-here.txt gone.txt; get RENAMED-HERE.TXT local-renamed.txt');
    expect(after.output, log('smbclient', after.output)).toMatch(/NT_STATUS_OBJECT_NAME_NOT_FOUND/);
    expect(readFileSync(path.join(work, 'local-renamed.txt'), 'utf8')).toBe('made by another program');
    unlinkSync(path.join(folder, 'Renamed-Here.txt'));
    const removed = await smbclient('folder', 'get renamed-here.txt gone2.txt');
    expect(removed.output, log('smbclient', removed.output)).toMatch(/NT_STATUS_OBJECT_NAME_NOT_FOUND/);
  });
});
