// The control plane's guest and per-share SMB settings, seen through Samba's smbclient:
// guest / anonymous logons follow the guest config and each share's guestAccess; a hidden
// share is left out of `smbclient -L` but still connects; an encrypt share takes only
// encrypted 3.x sessions (and encrypts the tree of a 3.x client that did not ask); the
// share's hostsDeny / hostsAllow decide the tree connect by client address.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiClient } from '../../src/shared/api/client.ts';
import { adminClient } from '../helpers/api.ts';
import { type DfsProcess } from '../helpers/dfs.ts';
import { SMBCLIENT, unmet } from '../helpers/requirements.ts';
import { startSmbDfs } from '../helpers/smb.ts';
import { makeTmpDir, removeTmpDir } from '../helpers/tmp.ts';
import { run, tail } from '../nfs/target.ts';

const skip = unmet(SMBCLIENT);

describe.skipIf(skip !== null)('SMB guest sessions and share rules with smbclient', () => {
  let work = '';
  let dfs: DfsProcess | undefined;
  let api: ApiClient;

  const log = (what: string, out: string): string => `${what}\n${out}\n--- dfs log (tail) ---\n${tail(dfs!.logs())}`;
  const admin = (): string[] => ['-U', `admin%${dfs!.adminPassword}`];
  const ANONYMOUS = ['-N'];
  const GUEST = ['-U', 'guest%'];

  function smbclient(share: string, commands: string, login: string[], extra: string[] = []) {
    const args = [`//127.0.0.1/${share}`, '-p', String(dfs!.smbPort), ...login, ...extra, '-c', commands];
    return run('smbclient', args, 60_000, { cwd: work });
  }

  /** A folder share of a new 0777 directory, granted to admin, with the given settings. */
  async function folderShare(name: string, body: Record<string, unknown>): Promise<void> {
    const dir = path.join(work, name);
    mkdirSync(dir);
    chmodSync(dir, 0o777);
    await api.call('shares.create', { body: { name: `/${name}`, path: dir, defaultAccess: 'none', ...body } });
    await api.call('shares.setPermission', {
      params: { name: `/${name}`, principalType: 'user', principal: 'admin' },
      body: { access: 'write' },
    });
  }

  const setGuest = (enabled: boolean) => api.call('guest.update', { body: { enabled } });

  beforeAll(async () => {
    work = makeTmpDir('dittofs-smb-guest-');
    dfs = await startSmbDfs();
    api = await adminClient(dfs);
    await folderShare('pub', { guestAccess: 'read' });
    await folderShare('private', { guestAccess: 'none' });
    await folderShare('hidden', { smb: { browsable: false } });
    await folderShare('secret', { smb: { encrypt: true }, guestAccess: 'read' });
    await folderShare('walled', { smb: { hostsDeny: ['127.0.0.1/32'] } });
    await folderShare('open', { smb: { hostsAllow: ['127.0.0.0/8'], hostsDeny: ['10.0.0.0/8'] } });
    writeFileSync(path.join(work, 'pub', 'readme.txt'), 'for everyone\n');
    writeFileSync(path.join(work, 'note.txt'), 'a note\n');
  }, 120_000);

  afterAll(async () => {
    await dfs?.stop();
    if (work) removeTmpDir(work);
  });

  it('refuses anonymous and guest logons while guests are disabled', async () => {
    await setGuest(false);
    for (const login of [ANONYMOUS, GUEST]) {
      const r = await smbclient('pub', 'ls', login);
      expect(r.code, log(login.join(' '), r.output)).not.toBe(0);
      expect(r.output).toContain('NT_STATUS_LOGON_FAILURE');
    }
  });

  it('lets anonymous and guest sessions read a guestAccess read share, and refuses their writes', async () => {
    await setGuest(true);
    for (const login of [ANONYMOUS, GUEST]) {
      const ls = await smbclient('pub', 'ls', login);
      expect(ls.code, log(`${login.join(' ')} ls`, ls.output)).toBe(0);
      expect(ls.output).toMatch(/^\s+readme\.txt\s/m);
      const put = await smbclient('pub', 'put note.txt by-guest.txt', login);
      expect(put.output, log(`${login.join(' ')} put`, put.output)).toContain('NT_STATUS_ACCESS_DENIED');
    }
  });

  it('still refuses a wrong password for a real user (no mapping to guest)', async () => {
    await setGuest(true);
    const r = await smbclient('pub', 'ls', ['-U', 'admin%not-the-password']);
    expect(r.output, log('wrong password', r.output)).toContain('NT_STATUS_LOGON_FAILURE');
  });

  it('refuses a guest the tree connect of a share with guestAccess none', async () => {
    await setGuest(true);
    for (const share of ['private', 'export']) {
      const r = await smbclient(share, 'ls', ANONYMOUS);
      expect(r.code, log(share, r.output)).not.toBe(0);
      expect(r.output).toContain('NT_STATUS_ACCESS_DENIED');
    }
  });

  it('lists only browsable shares (smbclient -L -N), and a hidden share still connects by name', async () => {
    await setGuest(true);
    const r = await run('smbclient', ['-L', '//127.0.0.1', '-p', String(dfs!.smbPort), ...ANONYMOUS], 60_000);
    expect(r.output, log('smbclient -L -N', r.output)).toMatch(/^\s+pub\s+Disk/m);
    expect(r.output).toMatch(/^\s+export\s+Disk/m);
    expect(r.output).toMatch(/^\s+IPC\$\s+IPC/m);
    expect(r.output).not.toMatch(/^\s+hidden\s/m);
    const ls = await smbclient('hidden', 'ls', admin());
    expect(ls.code, log('ls hidden', ls.output)).toBe(0);
  });

  it('on an encrypt share: copies byte-identical with encryption requested, and without (the server encrypts the tree)', async () => {
    const data = randomBytes(2 * 1024 * 1024 + 5);
    writeFileSync(path.join(work, 'data.bin'), data);
    for (const [i, extra] of [['--client-protection=encrypt'], ['-m', 'SMB3_11'], ['-m', 'SMB3_00']].entries()) {
      const r = await smbclient(
        'secret',
        `put data.bin copy-${i}.bin; get copy-${i}.bin back-${i}.bin`,
        admin(),
        extra,
      );
      expect(r.code, log(extra.join(' '), r.output)).toBe(0);
      expect(readFileSync(path.join(work, `back-${i}.bin`)).equals(data)).toBe(true);
    }
  });

  it('encrypts the tree of a 3.x client that did not ask for encryption (the live session shows it)', async () => {
    expect((await smbclient('secret', 'put note.txt live.txt', admin())).code).toBe(0);
    const args = [`//127.0.0.1/secret`, '-p', String(dfs!.smbPort), ...admin(), '-m', 'SMB3_11'];
    const client = spawn('smbclient', args, { cwd: work, stdio: ['pipe', 'pipe', 'pipe'] });
    let output = '';
    client.stdout.on('data', (d: Buffer) => (output += d.toString()));
    client.stderr.on('data', (d: Buffer) => (output += d.toString()));
    try {
      client.stdin.write('get live.txt live-copy.txt\n');
      await expect.poll(() => output, { timeout: 20_000 }).toMatch(/getting file/);
      const mounts = await api.call('mounts.list', {});
      const mine = mounts.find((m) => m.protocol === 'smb' && m.share === '/secret' && m.state === 'connected');
      expect(mine, JSON.stringify(mounts)).toMatchObject({ security: { dialect: '3.1.1', encrypted: true } });
    } finally {
      client.kill('SIGKILL');
    }
  });

  it('refuses the tree connect of an encrypt share to a 2.x session and to a guest', async () => {
    await setGuest(true);
    for (const [login, extra] of [
      [admin(), ['-m', 'SMB2_10']],
      [ANONYMOUS, []],
    ] as const) {
      const r = await smbclient('secret', 'ls', [...login], [...extra]);
      expect(r.code, log(`${login.join(' ')} ${extra.join(' ')}`, r.output)).not.toBe(0);
      expect(r.output).toContain('NT_STATUS_ACCESS_DENIED');
    }
  });

  it("applies the share's hostsDeny and hostsAllow to the tree connect", async () => {
    const denied = await smbclient('walled', 'ls', admin());
    expect(denied.code, log('walled', denied.output)).not.toBe(0);
    expect(denied.output).toContain('NT_STATUS_ACCESS_DENIED');
    const allowed = await smbclient('open', 'ls', admin());
    expect(allowed.code, log('open', allowed.output)).toBe(0);
    await api.call('shares.update', { params: { name: '/open' }, body: { smb: { hostsDeny: ['127.0.0.0/8'] } } });
    const deniedNow = await smbclient('open', 'ls', admin());
    expect(deniedNow.output, log('open after deny', deniedNow.output)).toContain('NT_STATUS_ACCESS_DENIED');
  });
});
