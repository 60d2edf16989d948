// Control-plane changes reaching clients already connected, seen through Samba's smbclient
// held open (interactive, stdbuf -o0): guests turned off end live guest and anonymous
// sessions (the next command fails USER_SESSION_DELETED, a new guest logon is refused); a
// share switched to guestAccess none ends guests' tree connects on it (NETWORK_NAME_DELETED,
// a new tree connect is ACCESS_DENIED); a user disabled or deleted loses their session. The
// sessions leave the mounts list at once, and a user's session and NFS go on unaffected.
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ApiClient } from '../../src/shared/api/client.ts';
import { nfsUrl } from '../api/helpers.ts';
import { adminClient } from '../helpers/api.ts';
import { HeldSmbClient } from '../helpers/held-smbclient.ts';
import { type DfsProcess } from '../helpers/dfs.ts';
import { LIBNFS_UTILS, SMBCLIENT, unmet } from '../helpers/requirements.ts';
import { startSmbDfs } from '../helpers/smb.ts';
import { makeTmpDir, removeTmpDir } from '../helpers/tmp.ts';
import { run, tail } from '../nfs/target.ts';

const skip = unmet(SMBCLIENT, LIBNFS_UTILS);
describe.skipIf(skip !== null)('SMB sessions after a control-plane change, with smbclient held open', () => {
  let work = '';
  let dfs: DfsProcess | undefined;
  let api: ApiClient;
  const held: HeldSmbClient[] = [];

  const log = (what: string, out: string): string => `${what}\n${out}\n--- dfs log (tail) ---\n${tail(dfs!.logs())}`;
  const ANONYMOUS = ['-N'];
  const GUEST = ['-U', 'guest%'];
  const target = (share: string) => [`//127.0.0.1/${share}`, '-p', String(dfs!.smbPort)];

  function hold(share: string, login: string[]): HeldSmbClient {
    const client = new HeldSmbClient([...target(share), ...login], work);
    held.push(client);
    return client;
  }

  const smbclient = (share: string, login: string[]) =>
    run('smbclient', [...target(share), ...login, '-c', 'ls'], 60_000);

  /** The mounts list on a share: the protocol of each, and the user of SMB sessions. */
  async function mountsOn(share: string, protocol = 'smb'): Promise<string[]> {
    const mounts = await api.call('mounts.list', {});
    return mounts.filter((m) => m.protocol === protocol && m.share === share).map((m) => m.user);
  }
  const smbUsers = (share: string) => mountsOn(share);

  /** A folder share of a new 0777 directory holding readme.txt, NFS callers may read. */
  async function folderShare(name: string, body: Record<string, unknown>): Promise<void> {
    const dir = path.join(work, name);
    mkdirSync(dir);
    chmodSync(dir, 0o777);
    writeFileSync(path.join(dir, 'readme.txt'), 'for everyone\n');
    await api.call('shares.create', { body: { name: `/${name}`, path: dir, defaultAccess: 'read', ...body } });
  }

  /** nfs-ls of a share: NFSv3 goes on whatever happens to SMB sessions. */
  async function nfsLists(share: string): Promise<void> {
    const r = await run('nfs-ls', [nfsUrl(dfs!, share)], 60_000);
    expect(r.code, log(`nfs-ls ${share}`, r.output)).toBe(0);
    expect(r.output).toContain('readme.txt');
  }

  beforeAll(async () => {
    work = makeTmpDir('dittofs-smb-access-change-');
    dfs = await startSmbDfs();
    api = await adminClient(dfs);
    await folderShare('pub', { guestAccess: 'read' });
    await folderShare('lobby', { guestAccess: 'read' });
    await folderShare('team', { defaultAccess: 'write' });
    await folderShare('vault', { defaultAccess: 'none' });
  }, 120_000);

  afterEach(() => {
    for (const client of held.splice(0)) client.kill();
  });

  afterAll(async () => {
    await dfs?.stop();
    if (work) removeTmpDir(work);
  });

  it('guests turned off: live guest and anonymous sessions end, a new guest logon is refused, users and NFS go on', async () => {
    await api.call('guest.update', { body: { enabled: true } });
    const anonymous = hold('pub', ANONYMOUS);
    const guest = hold('lobby', GUEST);
    const admin = hold('team', ['-U', `admin%${dfs!.adminPassword}`]);
    for (const [client, what] of [
      [anonymous, 'anonymous'],
      [guest, 'guest'],
      [admin, 'admin'],
    ] as const) {
      const ls = await client.command('ls');
      expect(ls, log(`${what} ls`, client.output)).toMatch(/^\s+readme\.txt\s/m);
    }
    expect(await smbUsers('/pub')).toEqual(['anonymous']);
    expect(await smbUsers('/lobby')).toEqual(['guest']);
    await nfsLists('/pub');
    const nfsMounts = await mountsOn('/pub', 'nfs3');
    expect(nfsMounts).toHaveLength(1);

    await api.call('guest.update', { body: { enabled: false } });
    expect(await mountsOn('/pub', 'nfs3'), 'the NFS mount stays').toEqual(nfsMounts);
    expect(await smbUsers('/pub'), 'gone from the mounts list when the call returns').toEqual([]);
    expect(await smbUsers('/lobby')).toEqual([]);
    expect(await smbUsers('/team')).toEqual(['admin']);
    for (const [client, what] of [
      [anonymous, 'anonymous'],
      [guest, 'guest'],
    ] as const) {
      const ls = await client.command('ls');
      expect(ls, log(`${what} ls after guests off`, client.output)).toContain('NT_STATUS_USER_SESSION_DELETED');
    }
    const adminLs = await admin.command('ls');
    expect(adminLs, log('admin ls after guests off', admin.output)).toMatch(/^\s+readme\.txt\s/m);
    for (const login of [ANONYMOUS, GUEST]) {
      const r = await smbclient('pub', login);
      expect(r.output, log(`new ${login.join(' ')} logon`, r.output)).toContain('NT_STATUS_LOGON_FAILURE');
    }
    await nfsLists('/pub');
  });

  it("a share switched to guestAccess none: guests' trees on it end and a new tree connect is refused; other shares go on", async () => {
    await api.call('guest.update', { body: { enabled: true } });
    await api.call('shares.update', { params: { name: '/lobby' }, body: { guestAccess: 'read' } });
    const onLobby = hold('lobby', GUEST);
    const onPub = hold('pub', GUEST);
    expect(await onLobby.command('ls'), log('guest ls lobby', onLobby.output)).toMatch(/^\s+readme\.txt\s/m);
    expect(await onPub.command('ls'), log('guest ls pub', onPub.output)).toMatch(/^\s+readme\.txt\s/m);
    expect(await smbUsers('/lobby')).toEqual(['guest']);

    await api.call('shares.update', { params: { name: '/lobby' }, body: { guestAccess: 'none' } });
    expect(await smbUsers('/lobby')).toEqual([]);
    expect(await smbUsers('/pub')).toEqual(['guest']);
    const ls = await onLobby.command('ls');
    expect(ls, log('guest ls lobby after guestAccess none', onLobby.output)).toContain(
      'NT_STATUS_NETWORK_NAME_DELETED',
    );
    expect(await onPub.command('ls'), log('guest ls pub', onPub.output)).toMatch(/^\s+readme\.txt\s/m);
    const again = await smbclient('lobby', GUEST);
    expect(again.output, log('new guest tree connect', again.output)).toContain('NT_STATUS_ACCESS_DENIED');
    await nfsLists('/lobby');
  });

  it("a user disabled or deleted: the user's live session ends and a new logon is refused", async () => {
    for (const [username, change] of [
      ['dora', 'disable'],
      ['dean', 'delete'],
    ] as const) {
      const password = `${username}-secret-1`;
      await api.call('users.create', { body: { username, password } });
      const client = hold('team', ['-U', `${username}%${password}`]);
      expect(await client.command('ls'), log(`${username} ls`, client.output)).toMatch(/^\s+readme\.txt\s/m);
      expect(await smbUsers('/team')).toContain(username);

      if (change === 'disable') await api.call('users.update', { params: { username }, body: { enabled: false } });
      else await api.call('users.delete', { params: { username } });
      expect(await smbUsers('/team')).not.toContain(username);
      const ls = await client.command('ls');
      expect(ls, log(`${username} ls after ${change}`, client.output)).toContain('NT_STATUS_USER_SESSION_DELETED');
      const r = await run('smbclient', [...target('team'), '-U', `${username}%${password}`, '-c', 'ls'], 60_000);
      expect(r.output, log(`new ${username} logon`, r.output)).toContain('NT_STATUS_LOGON_FAILURE');
    }
  });

  it("a grant removed: the user's tree connect on that share ends and a new one is refused", async () => {
    const password = 'gail-secret-1';
    await api.call('users.create', { body: { username: 'gail', password } });
    const grant = { name: '/vault', principalType: 'user', principal: 'gail' } as const;
    await api.call('shares.setPermission', { params: grant, body: { access: 'write' } });
    const client = hold('vault', ['-U', `gail%${password}`]);
    expect(await client.command('ls'), log('gail ls', client.output)).toMatch(/^\s+readme\.txt\s/m);

    await api.call('shares.deletePermission', { params: grant });
    expect(await smbUsers('/vault')).toEqual([]);
    const ls = await client.command('ls');
    expect(ls, log('gail ls after the grant went', client.output)).toContain('NT_STATUS_NETWORK_NAME_DELETED');
    const r = await run('smbclient', [...target('vault'), '-U', `gail%${password}`, '-c', 'ls'], 60_000);
    expect(r.output, log('new gail tree connect', r.output)).toContain('NT_STATUS_ACCESS_DENIED');
  });
});
