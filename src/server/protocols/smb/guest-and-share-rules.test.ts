// Guest and anonymous logons against the guest config, and what TREE_CONNECT applies from a
// share's SMB rules: guest access, encryption (refused to a 2.x session), host lists; and the
// pure rules underneath (anonymous AUTHENTICATE, host allow / deny, browsable enumeration).
import { describe, expect, it } from 'vitest';
import type { SmbShareRules } from '../../runtime/types.ts';
import { testRuntime, TEST_USER, type TestRuntime } from '../testing/test-runtime.ts';
import { guestKind, isAnonymous, SessionFlag } from './auth/guest.ts';
import type { AuthenticateMessage } from './auth/ntlm.ts';
import { Status } from './constants.ts';
import { FILE_ALL_ACCESS, FILE_READ_ACCESS } from './handlers/tree-connect.ts';
import { srvsvc } from './rpc/srvsvc.ts';
import type { SmbSettings } from './settings.ts';
import { SMB_SHARE_DEFAULTS, smbHostAllowed } from './shares.ts';
import { serverContext, TestClient } from './testing.ts';

async function client(
  rules: Partial<SmbShareRules> = {},
  guestEnabled = true,
  settings: Partial<SmbSettings> = {},
): Promise<{ c: TestClient; rt: TestRuntime }> {
  const rt = await testRuntime();
  rt.guestConfig.enabled = guestEnabled;
  rt.guestConfig.uid = 4242;
  rt.share.smbRules = { ...SMB_SHARE_DEFAULTS, ...rules };
  return { c: new TestClient(serverContext(rt, settings)), rt };
}

const sessionFlags = (body: Buffer): number => body.readUInt16LE(2);
const maximalAccess = (body: Buffer): number => body.readUInt32LE(12);

function authenticate(over: Partial<AuthenticateMessage>): AuthenticateMessage {
  const none = Buffer.alloc(0);
  return {
    lmResponse: none,
    ntResponse: none,
    domain: '',
    user: '',
    workstation: '',
    encryptedRandomSessionKey: none,
    flags: 0,
    ...over,
  };
}

describe('guest logons', () => {
  it('an anonymous logon is a null session (IS_NULL) acting as the guest uid', async () => {
    const { c } = await client({ guestAccess: 'read' });
    const r = await c.login('', '');
    expect(r.hdr.status).toBe(Status.SUCCESS);
    expect(sessionFlags(r.body)).toBe(SessionFlag.IS_NULL);
    expect(r.hdr.flags & 0x8, 'a guest session is not signed').toBe(0);
    const session = c.conn.state.sessions.get(r.hdr.sessionId);
    expect(session).toMatchObject({ guest: 'anonymous', keys: undefined, auth: { uid: 4242, gid: 65534 } });
  });

  it('"guest" with any password is a guest session (IS_GUEST) when no such user exists', async () => {
    const { c } = await client();
    const r = await c.login('whatever', 'guest');
    expect(r.hdr.status).toBe(Status.SUCCESS);
    expect(sessionFlags(r.body)).toBe(SessionFlag.IS_GUEST);
  });

  it('is refused while guests are disabled, and when every session must be encrypted', async () => {
    for (const [enabled, settings] of [
      [false, {}],
      [true, { encryption: 'required' }],
    ] as const) {
      for (const [password, user] of [
        ['', ''],
        ['', 'guest'],
      ]) {
        const { c } = await client({}, enabled, settings);
        expect((await c.login(password, user)).hdr.status).toBe(Status.LOGON_FAILURE);
      }
    }
  });

  it("ends a user's session re-authenticated as guest, rather than keep its keys", async () => {
    const { c } = await client();
    const first = await c.login();
    expect(first.hdr.status).toBe(Status.SUCCESS);
    expect((await c.login('', 'guest', true)).hdr.status).toBe(Status.LOGON_FAILURE);
    expect(c.conn.state.sessions.has(first.hdr.sessionId)).toBe(false);
  });

  it('never maps a wrong password or an unknown user to guest', async () => {
    const { c } = await client({ guestAccess: 'write' });
    expect((await c.login('not-the-password', TEST_USER.username)).hdr.status).toBe(Status.LOGON_FAILURE);
    const { c: other } = await client({ guestAccess: 'write' });
    expect((await other.login('x', 'nobody')).hdr.status).toBe(Status.LOGON_FAILURE);
  });

  it("the share's guest access decides a guest's tree connect, capped by read-only", async () => {
    for (const [guestAccess, readOnly, expected] of [
      ['none', false, undefined],
      ['read', false, FILE_READ_ACCESS],
      ['write', false, FILE_ALL_ACCESS],
      ['write', true, FILE_READ_ACCESS],
    ] as const) {
      const { c, rt } = await client({ guestAccess });
      rt.setExport({ readOnly });
      await c.login('', '');
      const r = await c.treeConnect();
      if (expected === undefined) expect(r.hdr.status).toBe(Status.ACCESS_DENIED);
      else expect(maximalAccess(r.body), `${guestAccess} ${readOnly}`).toBe(expected);
    }
  });

  it('a guest may connect to IPC$', async () => {
    const { c } = await client();
    await c.login('', '');
    expect((await c.treeConnect('IPC$')).hdr.status).toBe(Status.SUCCESS);
  });

  it('recognises anonymous AUTHENTICATE messages (MS-NLMP §3.3.1)', () => {
    expect(isAnonymous(authenticate({}))).toBe(true);
    expect(isAnonymous(authenticate({ lmResponse: Buffer.alloc(1) }))).toBe(true);
    expect(isAnonymous(authenticate({ lmResponse: Buffer.alloc(24) }))).toBe(false);
    expect(isAnonymous(authenticate({ ntResponse: Buffer.alloc(48) }))).toBe(false);
    expect(isAnonymous(authenticate({ user: 'guest' }))).toBe(false);
    const on = { enabled: true, uid: 1, gid: 1 };
    expect(guestKind(authenticate({ user: 'GUEST' }), false, on)).toBe('guest');
    expect(guestKind(authenticate({ user: 'guest' }), true, on)).toBeUndefined();
    expect(guestKind(authenticate({}), false, { ...on, enabled: false })).toBeUndefined();
  });
});

describe("a share's SMB rules at TREE_CONNECT", () => {
  it('refuses an encrypt share to a 2.x session, and connects it without encryption', async () => {
    const { c } = await client({ encrypt: true });
    await c.login();
    expect((await c.treeConnect()).hdr.status).toBe(Status.ACCESS_DENIED);
    const { c: plain } = await client({ encrypt: false });
    await plain.login();
    const r = await plain.treeConnect();
    expect(r.hdr.status).toBe(Status.SUCCESS);
    expect(r.body.readUInt32LE(4) & 0x8000, 'no SMB2_SHAREFLAG_ENCRYPT_DATA').toBe(0);
  });

  it('refuses a client in hostsDeny whatever hostsAllow says, and one outside a non-empty hostsAllow', async () => {
    for (const [rules, status] of [
      [{ hostsDeny: ['127.0.0.1/32'] }, Status.ACCESS_DENIED],
      [{ hostsAllow: ['127.0.0.0/8'], hostsDeny: ['127.0.0.0/8'] }, Status.ACCESS_DENIED],
      [{ hostsAllow: ['10.0.0.0/8'] }, Status.ACCESS_DENIED],
      [{ hostsAllow: ['127.0.0.0/8'], hostsDeny: ['10.0.0.0/8'] }, Status.SUCCESS],
    ] as const) {
      const { c } = await client(rules);
      await c.login();
      expect((await c.treeConnect()).hdr.status, JSON.stringify(rules)).toBe(status);
    }
  });

  it('host lists: empty lists admit everyone, "*" in hostsDeny refuses everyone', () => {
    const rules = (over: Partial<SmbShareRules>): SmbShareRules => ({ ...SMB_SHARE_DEFAULTS, ...over });
    expect(smbHostAllowed(rules({}), '192.0.2.7')).toBe(true);
    expect(smbHostAllowed(rules({ hostsDeny: ['*'] }), '127.0.0.1')).toBe(false);
    expect(smbHostAllowed(rules({ hostsAllow: ['::1/128'] }), '::1')).toBe(true);
    expect(smbHostAllowed(rules({ hostsAllow: ['::1/128'] }), '127.0.0.1')).toBe(false);
  });

  it('srvsvc NetShareEnum leaves a hidden share out; NetShareGetInfo still finds it', async () => {
    const rt = await testRuntime();
    rt.share.smbRules = { ...SMB_SHARE_DEFAULTS, browsable: false };
    const pipe = srvsvc(rt.shares);
    // NetrShareEnum level 1 with a null server name: [unique ptr 0][level][level][ptr][count][null ptr][prefmaxlen][resume ptr].
    const enumStub = Buffer.alloc(32);
    enumStub.writeUInt32LE(1, 4);
    enumStub.writeUInt32LE(1, 8);
    const listed = pipe.call(15, enumStub)?.toString('utf16le') ?? '';
    expect(listed).toContain('IPC$');
    expect(listed).not.toContain('export');
    rt.share.smbRules = SMB_SHARE_DEFAULTS;
    expect(pipe.call(15, enumStub)?.toString('utf16le')).toContain('export');
  });
});
