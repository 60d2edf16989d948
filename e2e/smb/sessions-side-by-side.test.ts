// Two SMB sessions from one address on one share, through Samba's smbclient held open as two
// different users: the mounts list shows one record each, named for its user and counting
// only its bytes; one client quitting, or Disconnect of its record, ends only that record
// (and connection), and the other goes on.
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ApiClient } from '../../src/shared/api/client.ts';
import type { MountDto } from '../../src/shared/api/schemas.ts';
import { adminClient } from '../helpers/api.ts';
import type { DfsProcess } from '../helpers/dfs.ts';
import { HeldSmbClient } from '../helpers/held-smbclient.ts';
import { SMBCLIENT, unmet } from '../helpers/requirements.ts';
import { startSmbDfs } from '../helpers/smb.ts';
import { makeTmpDir, removeTmpDir } from '../helpers/tmp.ts';
import { tail } from '../nfs/target.ts';

const skip = unmet(SMBCLIENT);
const ALICE = { username: 'alice', password: 'alice-Pa55word' };
const BOB = { username: 'bob', password: 'bob-Pa55word' };
const PUT_DONE = /putting file|NT_STATUS_\w+/;

describe.skipIf(skip !== null)('SMB sessions side by side from one address, with smbclient held open', () => {
  let work = '';
  let dfs: DfsProcess | undefined;
  let api: ApiClient;
  const held: HeldSmbClient[] = [];

  const log = (what: string, out: string): string => `${what}\n${out}\n--- dfs log (tail) ---\n${tail(dfs!.logs())}`;

  /** An smbclient on /export as this user, its tree connect made by a first `ls`. */
  async function connect(user: { username: string; password: string }): Promise<HeldSmbClient> {
    const args = ['//127.0.0.1/export', '-p', String(dfs!.smbPort), '-U', `${user.username}%${user.password}`];
    const client = new HeldSmbClient(args, work);
    held.push(client);
    const ls = await client.command('ls');
    expect(ls, log(`${user.username} ls`, client.output)).toContain('blocks available');
    return client;
  }

  /** The SMB records on /export, by user name. */
  async function records(): Promise<MountDto[]> {
    const mounts = await api.call('mounts.list', {});
    return mounts
      .filter((m) => m.protocol === 'smb' && m.share === '/export')
      .sort((a, b) => a.user.localeCompare(b.user));
  }
  const users = async () => (await records()).map((m) => m.user);

  beforeAll(async () => {
    work = makeTmpDir('dittofs-smb-side-by-side-');
    dfs = await startSmbDfs();
    api = await adminClient(dfs);
    for (const user of [ALICE, BOB]) {
      await api.call('users.create', { body: { ...user, role: 'user' } });
      await api.call('shares.setPermission', {
        params: { name: '/export', principalType: 'user', principal: user.username },
        body: { access: 'write' },
      });
    }
    writeFileSync(path.join(work, 'alice.bin'), randomBytes(256 * 1024));
  }, 120_000);

  afterEach(() => {
    for (const client of held.splice(0)) client.kill();
  });

  afterAll(async () => {
    await dfs?.stop();
    if (work) removeTmpDir(work);
  });

  it("two users: two records, each with its user's bytes; one quitting leaves the other's record", async () => {
    const alice = await connect(ALICE);
    const bob = await connect(BOB);
    const both = await records();
    expect(
      both.map((m) => [m.user, m.clientAddr, m.state]),
      JSON.stringify(both),
    ).toEqual([
      ['alice', '127.0.0.1', 'connected'],
      ['bob', '127.0.0.1', 'connected'],
    ]);
    expect(both.map((m) => m.connections)).toEqual([1, 1]);

    const put = await alice.command('put alice.bin alice.bin', PUT_DONE);
    expect(put, log('alice put', alice.output)).toContain('putting file');
    await expect
      .poll(async () => (await records()).find((m) => m.user === 'alice')?.bytesWritten, { timeout: 10_000 })
      .toBeGreaterThanOrEqual(256 * 1024);
    const [aliceRecord, bobRecord] = await records();
    expect(bobRecord!.bytesWritten, 'bob wrote nothing').toBe(0);

    expect(await bob.quit(), log('bob quit', bob.output)).toBe(0);
    await expect.poll(users, { timeout: 10_000 }).toEqual(['alice']);
    const [left] = await records();
    expect(left).toMatchObject({ id: aliceRecord!.id, bytesWritten: aliceRecord!.bytesWritten });
    const ls = await alice.command('ls');
    expect(ls, log('alice ls after bob quit', alice.output)).toMatch(/^\s+alice\.bin\s/m);
  });

  it("Disconnect of one user's record closes that user's connection only", async () => {
    const alice = await connect(ALICE);
    const bob = await connect(BOB);
    expect(await users()).toEqual(['alice', 'bob']);
    const bobRecord = (await records()).find((m) => m.user === 'bob')!;
    await api.call('mounts.disconnect', { params: { id: bobRecord.id } });
    expect(await users(), 'gone when the call returns').toEqual(['alice']);
    const bobLs = await bob.command('ls');
    expect(bobLs, log('bob ls after Disconnect', bob.output)).toContain('NT_STATUS_CONNECTION_DISCONNECTED');
    const aliceLs = await alice.command('ls');
    expect(aliceLs, log('alice ls after Disconnect of bob', alice.output)).toContain('blocks available');
    expect(await users()).toEqual(['alice']);

    // A client gone without TREE_DISCONNECT or LOGOFF: its record goes with its connection.
    const bobAgain = await connect(BOB);
    expect(await users()).toEqual(['alice', 'bob']);
    alice.kill();
    await expect.poll(users, { timeout: 10_000 }).toEqual(['bob']);
    expect(await bobAgain.command('ls'), log('bob ls after alice was killed', bobAgain.output)).toContain(
      'blocks available',
    );
  });
});
