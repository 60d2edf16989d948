// Control-plane changes reaching sessions already logged on (access-recheck.ts): turning
// guests off closes guest and anonymous sessions, a share's guestAccess set to none
// disconnects guests' trees on it, a disabled or deleted user's sessions close; each with
// its opens and mount record, and with the status MS-SMB2 gives the client's next request.
import { describe, expect, it } from 'vitest';
import { TEST_USER, testRuntime, type TestRuntime } from '../testing/test-runtime.ts';
import { endRevoked } from './access-recheck.ts';
import { Command, Status } from './constants.ts';
import { SMB_SHARE_DEFAULTS } from './shares.ts';
import { createBody, serverContext, TestClient } from './testing.ts';

const FILE_OPEN_IF = 3;

async function guestOnShare(rt: TestRuntime, login: [string, string] = ['', '']): Promise<TestClient> {
  const c = new TestClient(serverContext(rt));
  expect((await c.login(...login)).hdr.status).toBe(Status.SUCCESS);
  expect((await c.treeConnect()).hdr.status).toBe(Status.SUCCESS);
  return c;
}

async function runtimeWithGuests(): Promise<TestRuntime> {
  const rt = await testRuntime();
  rt.guestConfig.enabled = true;
  rt.share.smbRules = { ...SMB_SHARE_DEFAULTS, guestAccess: 'write' };
  return rt;
}

/** What the SMB server does on every connection after a control-plane change. */
function recheck(c: TestClient): Promise<number> {
  return endRevoked(c.server, c.conn.state);
}

const openRoot = (c: TestClient) => c.send(Command.CREATE, createBody('', FILE_OPEN_IF, 1));

describe('SMB sessions after a control-plane change', () => {
  it('guests turned off: guest and anonymous sessions close with their opens; the next request is USER_SESSION_DELETED', async () => {
    const rt = await runtimeWithGuests();
    const anonymous = await guestOnShare(rt);
    const guest = await guestOnShare(rt, ['x', 'guest']);
    expect((await openRoot(anonymous)).hdr.status).toBe(Status.SUCCESS);
    expect(rt.mounts.list().map((m) => m.user)).toEqual(['anonymous', 'guest']); // one record per session and share
    expect(await recheck(anonymous)).toBe(0);

    rt.guestConfig.enabled = false;
    for (const c of [anonymous, guest]) {
      expect(await recheck(c)).toBe(1);
      expect(c.conn.state.sessions.size).toBe(0);
      expect((await openRoot(c)).hdr.status).toBe(Status.USER_SESSION_DELETED);
      expect((await c.treeConnect()).hdr.status).toBe(Status.USER_SESSION_DELETED);
    }
    expect(anonymous.conn.state.opens.size).toBe(0);
    expect(rt.mounts.list()).toEqual([]);
  });

  it("a user's session stays when guests are turned off", async () => {
    const rt = await runtimeWithGuests();
    const c = new TestClient(serverContext(rt));
    await c.login();
    await c.treeConnect();
    rt.guestConfig.enabled = false;
    expect(await recheck(c)).toBe(0);
    expect((await openRoot(c)).hdr.status).toBe(Status.SUCCESS);
  });

  it("guestAccess none: a guest's tree ends (NETWORK_NAME_DELETED) and its session stays; a user's tree stays", async () => {
    const rt = await runtimeWithGuests();
    const guest = await guestOnShare(rt);
    const user = new TestClient(serverContext(rt));
    await user.login();
    await user.treeConnect();
    rt.share.smbRules = { ...SMB_SHARE_DEFAULTS, guestAccess: 'none' };
    expect(await recheck(guest)).toBe(1);
    expect(await recheck(user)).toBe(0);
    expect((await openRoot(guest)).hdr.status).toBe(Status.NETWORK_NAME_DELETED);
    expect((await guest.treeConnect()).hdr.status, 'the session is still logged on').toBe(Status.ACCESS_DENIED);
    expect((await guest.treeConnect('IPC$')).hdr.status).toBe(Status.SUCCESS);
    expect(guest.conn.state.shares.size).toBe(0);
    expect((await openRoot(user)).hdr.status).toBe(Status.SUCCESS);
  });

  it("a user disabled or deleted: the user's session closes", async () => {
    for (const change of ['disabled', 'deleted'] as const) {
      const rt = await testRuntime();
      const c = new TestClient(serverContext(rt));
      await c.login();
      await c.treeConnect();
      const byName = rt.identities.byName.bind(rt.identities);
      rt.identities.byName = async (name) => {
        const user = await byName(name);
        return change === 'deleted' || !user ? undefined : { ...user, enabled: false };
      };
      expect(await recheck(c), change).toBe(1);
      expect((await openRoot(c)).hdr.status).toBe(Status.USER_SESSION_DELETED);
      expect(rt.mounts.list()).toEqual([]);
      expect((await c.login(TEST_USER.password, TEST_USER.username, true)).hdr.status).toBe(
        Status.USER_SESSION_DELETED,
      );
    }
  });

  it('a share no longer served over SMB, or a client address now denied, ends the tree', async () => {
    for (const change of ['smb off', 'hostsDeny'] as const) {
      const rt = await testRuntime();
      const c = new TestClient(serverContext(rt));
      await c.login();
      await c.treeConnect();
      if (change === 'smb off') rt.share.smb = false;
      else rt.share.smbRules = { ...SMB_SHARE_DEFAULTS, hostsDeny: ['127.0.0.0/8'] };
      expect(await recheck(c), change).toBe(1);
      expect((await openRoot(c)).hdr.status).toBe(Status.NETWORK_NAME_DELETED);
    }
  });
});
