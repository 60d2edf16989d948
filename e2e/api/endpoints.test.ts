// Every operation of the table (src/shared/api/operations.ts) against a really started
// `dfs`: a success (response checked against the shared schema), a validation error,
// 401 with no / forged / expired token, 403 for a role that may not call it; plus the
// auth rules (password change at first login, old tokens die on a password change, refresh
// rotation and logout, login throttling) and the OpenAPI document.
import { randomBytes } from 'node:crypto';
import { mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  OPERATION_IDS,
  OPERATIONS,
  fillPath,
  type OperationDef,
  type OperationId,
} from '../../src/shared/api/operations.ts';
import { S3rver } from '../../src/server/payload/stores/s3/testing/s3rver.ts';
import { startDfs, type DfsProcess } from '../helpers/dfs.ts';
import { apiBase, hasLibnfs, http, login, nfsUrl, run, signToken, type HttpResult, type Tokens } from './helpers.ts';

const SECRET = randomBytes(32).toString('hex');
const ADMIN_PASSWORD = `admin-${randomBytes(6).toString('hex')}`;

describe('API: every endpoint', () => {
  let dfs: DfsProcess;
  let base = '';
  let admin: Tokens;
  let operator: Tokens;
  let plain: Tokens;
  const succeeded = new Set<OperationId>();

  /** Calls an operation by id and returns the raw result. */
  async function call(
    id: OperationId,
    input: { params?: Record<string, unknown>; query?: Record<string, string>; body?: unknown } = {},
    token?: string,
  ): Promise<HttpResult> {
    const def: OperationDef = OPERATIONS[id];
    let url = `/api/v1${fillPath(def.path, input.params)}`;
    if (input.query) url += `?${new URLSearchParams(input.query).toString()}`;
    return http(base, def.method, url, { token, body: def.body ? (input.body ?? {}) : undefined });
  }

  /** Calls and expects success; checks the body against the operation's response schema. */
  async function ok(
    id: OperationId,
    input: Parameters<typeof call>[1] = {},
    token = admin.accessToken,
  ): Promise<unknown> {
    const def: OperationDef = OPERATIONS[id];
    const r = await call(id, input, token);
    expect(r.status, `${id}: ${r.text}`).toBe(def.status ?? 200);
    if (def.status !== 204) {
      const parsed = def.response.safeParse(r.body);
      expect(parsed.success, `${id} response: ${parsed.success ? '' : parsed.error.message}`).toBe(true);
    }
    succeeded.add(id);
    return r.body;
  }

  beforeAll(async () => {
    dfs = await startDfs({
      env: { DITTOFS_CONTROLPLANE_SECRET: SECRET, DITTOFS_ADMIN_INITIAL_PASSWORD: ADMIN_PASSWORD },
    });
    base = apiBase(dfs);
    admin = await login(base, 'admin', ADMIN_PASSWORD);
    for (const [username, role] of [
      ['op1', 'operator'],
      ['u1', 'user'],
    ] as const) {
      const r = await http(base, 'POST', '/api/v1/users', {
        token: admin.accessToken,
        body: { username, password: `${username}-long-password`, role },
      });
      expect(r.status, r.text).toBe(201);
    }
    operator = await login(base, 'op1', 'op1-long-password');
    plain = await login(base, 'u1', 'u1-long-password');
  });

  afterAll(async () => {
    await dfs?.stop();
  });

  it('serves the health probes without a token, at /health and /api/v1/health', async () => {
    for (const url of ['/health', '/health/ready', '/api/v1/health', '/api/v1/health/ready']) {
      const r = await http(base, 'GET', url);
      expect(r.status, url).toBe(200);
    }
  });

  it('every operation succeeds for a role allowed to call it', async () => {
    const hasNfs = hasLibnfs();
    await ok('health.live');
    await ok('health.ready');
    const pair = (await ok('auth.login', { body: { username: 'admin', password: ADMIN_PASSWORD } })) as Tokens;
    const rotated = (await ok('auth.refresh', { body: { refreshToken: pair.refreshToken } })) as Tokens;
    await ok('auth.logout', { body: { refreshToken: rotated.refreshToken } });
    expect(((await ok('auth.me', {}, plain.accessToken)) as { username: string }).username).toBe('u1');
    // A plain user's own page: only the shares they may use (the default share gives everyone write).
    const mine = (await ok('auth.myShares', {}, plain.accessToken)) as { shares: { name: string; access: string }[] };
    expect(mine.shares.map((s) => [s.name, s.access])).toEqual([['/export', 'write']]);
    // …and how to reach them, with the real ports.
    const reach = (await ok('connect.info', {}, plain.accessToken)) as { nfs: { port: number } | null };
    expect(reach.nfs?.port).toBe(dfs.nfsPort);

    // users
    await ok('users.create', {
      body: { username: 'tmpuser', password: 'tmp-password', displayName: 'Tmp', email: 'tmp@example.org' },
    });
    expect((await ok('users.list', {}, operator.accessToken)) as unknown[]).toHaveLength(4);
    await ok('users.get', { params: { username: 'tmpuser' } }, operator.accessToken);
    await ok('users.update', { params: { username: 'tmpuser' }, body: { displayName: null, role: 'operator' } });
    await ok('users.setPassword', { params: { username: 'tmpuser' }, body: { password: 'tmp-password-2' } });
    const tmp = await login(base, 'tmpuser', 'tmp-password-2');
    await ok(
      'auth.changePassword',
      { body: { currentPassword: 'tmp-password-2', newPassword: 'tmp-password-3' } },
      tmp.accessToken,
    );

    // groups
    await ok('groups.create', { body: { name: 'family', members: ['u1'] } });
    await ok('groups.list', {}, operator.accessToken);
    await ok('groups.get', { params: { name: 'family' } }, operator.accessToken);
    await ok('groups.update', { params: { name: 'family' }, body: { gid: 4242 } });
    expect(
      ((await ok('groups.addMember', { params: { name: 'family', username: 'tmpuser' } })) as { members: string[] })
        .members,
    ).toContain('tmpuser');
    expect(
      ((await ok('groups.removeMember', { params: { name: 'family', username: 'tmpuser' } })) as { members: string[] })
        .members,
    ).not.toContain('tmpuser');

    // stores
    await ok('stores.metadata.create', { body: { name: 'm1', type: 'memory' } });
    await ok('stores.payload.create', { body: { name: 'p1', type: 'memory' } });
    await ok('stores.metadata.list', {}, operator.accessToken);
    await ok('stores.payload.list', {}, operator.accessToken);
    await ok('stores.metadata.get', { params: { name: 'm1' } }, operator.accessToken);
    await ok('stores.payload.get', { params: { name: 'p1' } }, operator.accessToken);
    await ok('stores.metadata.update', { params: { name: 'm1' }, body: { config: { note: 'x' } } });
    await ok('stores.payload.update', { params: { name: 'p1' }, body: { config: { note: 'y' } } });
    expect(
      ((await ok('stores.metadata.health', { params: { name: 'm1' } }, operator.accessToken)) as { healthy: boolean })
        .healthy,
    ).toBe(true);
    expect(
      ((await ok('stores.payload.health', { params: { name: 'p1' } }, operator.accessToken)) as { healthy: boolean })
        .healthy,
    ).toBe(true);
    // Nothing listens on the discard port: the test answers 200 with the connect stage failed.
    const probe = (await ok('stores.payload.test', {
      body: {
        type: 's3',
        config: { bucket: 'nowhere', endpoint: 'http://127.0.0.1:9', accessKeyId: 'k', secretAccessKey: 's' },
      },
    })) as { ok: boolean };
    expect(probe.ok).toBe(false);

    // shares and permissions
    await ok(
      'shares.create',
      { body: { name: '/s1', metadataStore: 'm1', payloadStore: 'p1', squash: 'none', protocols: { smb: false } } },
      operator.accessToken,
    );
    // A folder share, after asking whether the folder can be shared.
    const folder = dfs.dataDir.replace(/\/?$/, '-photos');
    mkdirSync(folder, { recursive: true });
    const check = (await ok('folders.check', { query: { path: folder } }, operator.accessToken)) as {
      problem: unknown;
    };
    expect(check.problem).toBeNull();
    await ok('shares.create', { body: { name: '/f1', path: folder } }, operator.accessToken);
    await ok('shares.delete', { params: { name: '/f1' } }, operator.accessToken);
    rmSync(folder, { recursive: true, force: true });
    const listed = (await ok('shares.list', {}, operator.accessToken)) as { name: string }[];
    expect(listed.map((s) => s.name)).toContain('/s1');
    await ok('shares.get', { params: { name: '/s1' } }, operator.accessToken);
    expect(
      (
        (await ok(
          'shares.update',
          { params: { name: '/s1' }, body: { readOnly: true, allowedNetworks: ['127.0.0.0/8'] } },
          operator.accessToken,
        )) as { readOnly: boolean }
      ).readOnly,
    ).toBe(true);
    expect(
      ((await ok('shares.disable', { params: { name: '/s1' } }, operator.accessToken)) as { enabled: boolean }).enabled,
    ).toBe(false);
    expect(
      ((await ok('shares.enable', { params: { name: '/s1' } }, operator.accessToken)) as { enabled: boolean }).enabled,
    ).toBe(true);
    await ok('shares.permissions', { params: { name: '/s1' } }, operator.accessToken);
    await ok(
      'shares.setPermission',
      { params: { name: '/s1', principalType: 'group', principal: 'family' }, body: { access: 'write' } },
      operator.accessToken,
    );
    const perms = (await ok(
      'shares.setPermission',
      { params: { name: '/s1', principalType: 'user', principal: 'u1' }, body: { access: 'none' } },
      operator.accessToken,
    )) as {
      effective: { username: string; access: string; source: string }[];
    };
    // Explicit user entry wins over the group.
    expect(perms.effective.find((e) => e.username === 'u1')).toMatchObject({ access: 'none', source: 'user' });
    const after = (await ok(
      'shares.deletePermission',
      { params: { name: '/s1', principalType: 'user', principal: 'u1' } },
      operator.accessToken,
    )) as typeof perms;
    // Now the group decides; the share is read-only so write is lowered to read.
    expect(after.effective.find((e) => e.username === 'u1')).toMatchObject({ access: 'read', source: 'group:family' });

    // a store in use cannot be deleted
    const inUse = await call('stores.metadata.delete', { params: { name: 'm1' } }, admin.accessToken);
    expect(inUse.status).toBe(409);
    expect((inUse.body as { code: string }).code).toBe('IN_USE');

    // adapters (SMB moves to an ephemeral loopback port, starts and stops)
    await ok('adapters.list', {}, operator.accessToken);
    await ok('adapters.get', { params: { type: 'nfs' } }, operator.accessToken);
    await ok('adapters.update', { params: { type: 'smb' }, body: { port: 0, bind: '127.0.0.1', settings: { x: 1 } } });
    await ok('adapters.enable', { params: { type: 'smb' } });
    await ok('adapters.disable', { params: { type: 'smb' } });

    // settings, guest
    await ok('settings.set', { params: { key: 'server.name' }, body: { value: 'test-nas' } });
    expect(
      ((await ok('settings.get', { params: { key: 'server.name' } }, operator.accessToken)) as { value: string }).value,
    ).toBe('test-nas');
    await ok('settings.list', {}, operator.accessToken);
    await ok('settings.delete', { params: { key: 'server.name' } });
    await ok('guest.get', {}, operator.accessToken);
    await ok('guest.update', { body: { enabled: true, uid: 65534 } });
    const networks = (await ok('networks.list', {}, operator.accessToken)) as { cidr: string }[];
    expect(networks.map((n) => n.cidr)).toContain('127.0.0.0/8');
    // A plain user may learn how to connect: the real NFS and MOUNT ports, never a loopback address.
    const connect = (await ok('connect.info', {}, plain.accessToken)) as {
      addresses: { host: string }[];
      nfs: { port: number; mountPort: number } | null;
    };
    expect(connect.nfs).toMatchObject({ port: dfs.nfsPort, mountPort: dfs.mountPort });
    expect(connect.addresses.map((a) => a.host).filter((h) => /^(127\.|::1$)/.test(h))).toEqual([]);

    // alerts: a 1 % threshold raises the disk alert at once
    await ok('settings.set', { params: { key: 'alerts.diskAlmostFullPercent' }, body: { value: 1 } });
    let alerts: { id: string; cause: string }[] = [];
    for (let i = 0; i < 50 && alerts.length === 0; i++) {
      alerts = (await ok('alerts.list', {}, operator.accessToken)) as typeof alerts;
      if (alerts.length === 0) await new Promise((r) => setTimeout(r, 100));
    }
    expect(alerts.map((a) => a.cause)).toContain('disk.almost-full');
    await ok('alerts.dismiss', { params: { id: alerts[0]!.id } }, operator.accessToken);
    expect((await ok('alerts.list', {}, operator.accessToken)) as unknown[]).toHaveLength(0);
    await ok('settings.delete', { params: { key: 'alerts.diskAlmostFullPercent' } });

    // cluster: this instance alone (SQLite), plus a stopped one written beside it, which may be forgotten
    const cluster = (await ok('cluster.get', {}, operator.accessToken)) as { instances: { self: boolean }[] };
    expect(cluster.instances.map((i) => i.self)).toEqual([true]);
    const cp = new Database(path.join(dfs.dataDir, 'controlplane.db'));
    cp.prepare(
      `INSERT INTO instances (id, hostname, addresses, ports, version, started_at, heartbeat_at, stopped_at, report)
       VALUES ('retired', 'old', '[]', '{"api":null,"nfs":null,"smb":null}', '0.0.1', ?, 0, ?, 'null')`,
    ).run(new Date(0).toISOString(), new Date(0).toISOString());
    cp.close();
    await ok('cluster.forget', { params: { id: 'retired' } });

    // offloader: an S3 store (s3rver) with its local cache
    const s3 = await S3rver.start();
    try {
      const bucket = await s3.bucket('endpoints');
      await ok('stores.payload.create', { body: { name: 'off1', type: 's3', config: { ...bucket } } });
      const offloaders = (await ok('offloader.list', {}, operator.accessToken)) as { store: string }[];
      expect(offloaders.map((o) => o.store)).toContain('off1');
      await ok('offloader.shared', {}, operator.accessToken);
      await ok('offloader.drain', { params: { store: 'off1' } }, operator.accessToken);
      await ok('offloader.gc', { params: { store: 'off1' }, body: { graceSeconds: 0 } });
      await ok('offloader.evict', { params: { store: 'off1' } });
      await ok('stores.payload.delete', { params: { name: 'off1' } });
    } finally {
      await s3.remove();
    }

    // mounts and clients (need a real NFS client to create a mount)
    await ok('stats.get', {}, operator.accessToken);
    await ok('mounts.list', {}, operator.accessToken);
    await ok('clients.list', {}, operator.accessToken);
    if (hasNfs) {
      expect((await run('nfs-ls', [nfsUrl(dfs, '/s1')])).code).toBe(0);
      const mounts = (await ok('mounts.list', {}, operator.accessToken)) as { id: string; share: string }[];
      const m = mounts.find((x) => x.share === '/s1');
      expect(m, JSON.stringify(mounts)).toBeDefined();
      await ok('mounts.disconnect', { params: { id: m!.id } }, operator.accessToken);
      expect((await run('nfs-ls', [nfsUrl(dfs, '/s1')])).code).toBe(0);
      const clients = (await ok('clients.list', {}, operator.accessToken)) as { address: string }[];
      expect(clients.length).toBeGreaterThan(0);
      await ok('clients.disconnect', { params: { address: clients[0]!.address } }, operator.accessToken);
    }

    // deletes
    await ok('shares.delete', { params: { name: '/s1' } }, operator.accessToken);
    await ok('stores.metadata.delete', { params: { name: 'm1' } });
    await ok('stores.payload.delete', { params: { name: 'p1' } });
    await ok('groups.delete', { params: { name: 'family' } });
    await ok('users.delete', { params: { username: 'tmpuser' } });

    const missing = OPERATION_IDS.filter(
      (id) => !succeeded.has(id) && !(id.startsWith('mounts.disconnect') || id === 'clients.disconnect'),
    );
    expect(missing, 'operations never exercised').toEqual([]);
    if (hasNfs) expect(OPERATION_IDS.filter((id) => !succeeded.has(id))).toEqual([]);
  });

  it('every operation answers a validation error (problem+json, code VALIDATION)', async () => {
    const bad = 'x'.repeat(200) + ' !';
    for (const id of OPERATION_IDS) {
      const def: OperationDef = OPERATIONS[id];
      expect(def.params || def.query || def.body, `${id} takes no input`).toBeTruthy();
      const params = Object.fromEntries([...def.path.matchAll(/:([A-Za-z]+)/g)].map((m) => [m[1], bad]));
      const input = def.params ? { params } : def.query ? { query: { bogus: '1' } } : { body: { bogus: 1 } };
      const r = await call(id, input, admin.accessToken);
      expect(r.status, `${id}: ${r.text}`).toBe(400);
      expect(r.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(r.body, id).toMatchObject({
        code: 'VALIDATION',
        status: 400,
        title: expect.any(String),
        type: expect.any(String),
        detail: expect.any(String),
      });
    }
  });

  it('every protected operation answers 401 with no, a forged or an expired token', async () => {
    const me = admin.user;
    const now = Math.floor(Date.now() / 1000);
    const forged = await signToken(randomBytes(32).toString('hex'), me, { iat: now, ttl: 900 });
    const expired = await signToken(SECRET, me, { iat: now - 3600, ttl: 900 });
    // The same claims with the right secret and a live expiry work: the 401s are for the reason tested.
    const genuine = await signToken(SECRET, me, { iat: now, ttl: 900 });
    expect((await http(base, 'GET', '/api/v1/auth/me', { token: genuine })).status).toBe(200);

    for (const id of OPERATION_IDS) {
      const def: OperationDef = OPERATIONS[id];
      if (def.role === 'public') continue;
      const params = Object.fromEntries([...def.path.matchAll(/:([A-Za-z]+)/g)].map((m) => [m[1], 'x']));
      for (const [what, token] of [
        ['no token', undefined],
        ['forged', forged],
        ['expired', expired],
      ] as const) {
        const r = await call(id, { params }, token);
        expect(r.status, `${id} with ${what}: ${r.text}`).toBe(401);
        expect((r.body as { code: string }).code).toBe('UNAUTHENTICATED');
        expect(r.headers.get('www-authenticate')).toMatch(/^Bearer/);
      }
    }
    expect((await http(base, 'GET', '/api/v1/events')).status).toBe(401);
    expect((await http(base, 'GET', `/api/v1/events?access_token=${expired}`)).status).toBe(401);
  });

  it('every operation answers 403 to a role below the one it needs', async () => {
    let checked = 0;
    for (const id of OPERATION_IDS) {
      const def: OperationDef = OPERATIONS[id];
      const params = Object.fromEntries([...def.path.matchAll(/:([A-Za-z]+)/g)].map((m) => [m[1], 'x']));
      const lower = def.role === 'admin' ? [plain, operator] : def.role === 'operator' ? [plain] : [];
      for (const who of lower) {
        const r = await call(id, { params }, who.accessToken);
        expect(r.status, `${id} as ${who.user.username}: ${r.text}`).toBe(403);
        expect((r.body as { code: string }).code).toBe('FORBIDDEN');
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(40);
    expect((await http(base, 'GET', '/api/v1/events', { token: plain.accessToken })).status).toBe(403);
  });

  it('a generated-style password must be changed first; then old tokens stop working', async () => {
    await http(base, 'POST', '/api/v1/users', {
      token: admin.accessToken,
      body: { username: 'newbie', password: 'first-password', mustChangePassword: true },
    });
    const t = await login(base, 'newbie', 'first-password');
    const blocked = await http(base, 'GET', '/api/v1/auth/me/shares', { token: t.accessToken });
    expect(blocked.status).toBe(403);
    expect((blocked.body as { code: string }).code).toBe('PASSWORD_CHANGE_REQUIRED');
    expect((await http(base, 'GET', '/api/v1/auth/me', { token: t.accessToken })).status).toBe(200);

    const wrong = await http(base, 'POST', '/api/v1/auth/password', {
      token: t.accessToken,
      body: { currentPassword: 'nope-nope', newPassword: 'second-password' },
    });
    expect(wrong.status).toBe(400);
    // A common password is refused by the API itself, with the reason in words.
    const weak = await http(base, 'POST', '/api/v1/auth/password', {
      token: t.accessToken,
      body: { currentPassword: 'first-password', newPassword: 'password' },
    });
    expect(weak.status).toBe(400);
    expect(weak.body).toMatchObject({
      code: 'VALIDATION',
      detail:
        'newPassword: too easy to guess: this is one of the ten most used passwords; add more words or characters',
    });
    const changed = await http(base, 'POST', '/api/v1/auth/password', {
      token: t.accessToken,
      body: { currentPassword: 'first-password', newPassword: 'second-password' },
    });
    expect(changed.status, changed.text).toBe(200);
    const fresh = changed.body as Tokens;
    expect((await http(base, 'GET', '/api/v1/auth/me/shares', { token: fresh.accessToken })).status).toBe(200);
    // Tokens issued before the change are dead, access and refresh alike.
    const old = await http(base, 'GET', '/api/v1/auth/me', { token: t.accessToken });
    expect(old.status).toBe(401);
    expect((await http(base, 'POST', '/api/v1/auth/refresh', { body: { refreshToken: t.refreshToken } })).status).toBe(
      401,
    );
    // An admin setting the password kills the fresh ones too.
    await http(base, 'PUT', '/api/v1/users/newbie/password', {
      token: admin.accessToken,
      body: { password: 'third-password' },
    });
    expect((await http(base, 'GET', '/api/v1/shares', { token: fresh.accessToken })).status).toBe(401);
  });

  it('refresh rotates the refresh token; logout revokes it', async () => {
    const t = await login(base, 'u1', 'u1-long-password');
    const r1 = await http(base, 'POST', '/api/v1/auth/refresh', { body: { refreshToken: t.refreshToken } });
    expect(r1.status).toBe(200);
    const again = await http(base, 'POST', '/api/v1/auth/refresh', { body: { refreshToken: t.refreshToken } });
    expect(again.status).toBe(401);
    const next = r1.body as Tokens;
    expect(
      (await http(base, 'POST', '/api/v1/auth/logout', { body: { refreshToken: next.refreshToken } })).status,
    ).toBe(204);
    expect(
      (await http(base, 'POST', '/api/v1/auth/refresh', { body: { refreshToken: next.refreshToken } })).status,
    ).toBe(401);
    // An access token cannot be used as a refresh token, nor the reverse.
    expect(
      (await http(base, 'POST', '/api/v1/auth/refresh', { body: { refreshToken: next.accessToken } })).status,
    ).toBe(401);
    expect((await http(base, 'GET', '/api/v1/auth/me', { token: next.refreshToken })).status).toBe(401);
  });

  it('slows failed logins per address without locking the account; a refusal says how long to wait', async () => {
    // Wrong guesses sent all at once from this computer: the first few are checked at once,
    // the next held in turn, the rest refused with the time to wait.
    const guesses = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        http(base, 'POST', '/api/v1/auth/login', { body: { username: 'op1', password: `wrong-${i}` } }),
      ),
    );
    expect(guesses.filter((g) => g.status === 401).length).toBeGreaterThanOrEqual(6);
    const limited = guesses.find((g) => g.status === 429);
    expect(limited, guesses.map((g) => g.status).join(' ')).toBeDefined();
    expect((limited?.body as { code: string }).code).toBe('RATE_LIMITED');
    const seconds = Number(limited?.headers.get('retry-after'));
    expect(seconds).toBeGreaterThanOrEqual(1);
    expect(seconds).toBeLessThanOrEqual(4);
    expect((limited?.body as { detail: string }).detail).toBe(
      `too many failed sign-ins from this address: try again in ${seconds} ${seconds === 1 ? 'second' : 'seconds'}`,
    );
    // The right password still gets in (held for its turn), and so does another user.
    expect(
      (await http(base, 'POST', '/api/v1/auth/login', { body: { username: 'op1', password: 'op1-long-password' } }))
        .status,
    ).toBe(200);
    expect(
      (await http(base, 'POST', '/api/v1/auth/login', { body: { username: 'u1', password: 'u1-long-password' } }))
        .status,
    ).toBe(200);
  });

  it('publishes an OpenAPI 3.1 document with every operation', async () => {
    const r = await http(base, 'GET', '/api/v1/openapi.json');
    expect(r.status).toBe(200);
    const doc = r.body as { openapi: string; paths: Record<string, Record<string, { operationId: string }>> };
    expect(doc.openapi).toMatch(/^3\.1/);
    const ids = Object.values(doc.paths).flatMap((p) => Object.values(p).map((o) => o.operationId));
    for (const id of OPERATION_IDS) expect(ids).toContain(id);
    expect(doc.paths['/api/v1/shares/{name}']?.['patch']).toBeDefined();
  });

  it('unknown endpoints answer problem+json 404', async () => {
    const r = await http(base, 'GET', '/api/v1/nope?access_token=abc');
    expect(r.status).toBe(404);
    expect(r.body).toMatchObject({ code: 'NOT_FOUND' });
    expect(r.text).not.toContain('abc');
  });
});
