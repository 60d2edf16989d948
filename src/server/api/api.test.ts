// The router in-process (fastify inject), as the Electron utility process will use it.
// HTTP behaviour against a real server is covered by e2e/api/.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ApiError } from '../../shared/api/client.ts';
import { OPERATION_IDS } from '../../shared/api/operations.ts';
import { configSchema } from '../config/schema.ts';
import { Runtime } from '../runtime/runtime.ts';
import { createInjectClient, injectOperation } from './inject.ts';
import { buildApi } from './server.ts';

vi.mock('../auth/password.ts', () => ({
  hashPassword: async (p: string) => `test$${p}`,
  verifyPassword: async (p: string, encoded: string) => encoded === `test$${p}`,
  generatePassword: () => 'generated-password',
}));

describe('API in-process', () => {
  let dir = '';
  let runtime: Runtime;
  let app: ReturnType<typeof buildApi>;
  let token: string | undefined;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'dittofs-api-unit-'));
    const config = configSchema.parse({ dataDir: dir, controlplane: { database: path.join(dir, 'cp.db') } });
    runtime = await Runtime.open({
      config,
      logger: pino({ level: 'silent' }),
      factories: {},
      adminInitialPassword: 'admin-password',
    });
    await runtime.start();
    app = buildApi(runtime);
    await app.ready();
  });

  afterAll(async () => {
    await app?.close();
    await runtime?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('runs operations through the same routes, with auth', async () => {
    const client = createInjectClient(app, () => token);
    await expect(client.call('shares.list', {})).rejects.toMatchObject({ status: 401, code: 'UNAUTHENTICATED' });
    const pair = await client.call('auth.login', { body: { username: 'admin', password: 'admin-password' } });
    token = pair.accessToken;
    expect(pair.user).toMatchObject({ username: 'admin', role: 'admin' });
    expect(pair.user).not.toHaveProperty('passwordHash');
    await client.call('stores.metadata.create', { body: { name: 'm', type: 'memory' } });
    await client.call('stores.payload.create', { body: { name: 'p', type: 'memory' } });
    const share = await client.call('shares.create', {
      body: { name: '/media/photos', metadataStore: 'm', payloadStore: 'p', protocols: { smb: false } },
    });
    expect(share).toMatchObject({ name: '/media/photos', protocols: { nfs: true, smb: false }, activeMounts: 0 });
    expect(runtime.shares.get('/media/photos')?.enabled).toBe(true);
    const off = await client.call('shares.disable', { params: { name: '/media/photos' } });
    expect(off.enabled).toBe(false);
    expect(runtime.shares.get('/media/photos')?.enabled).toBe(false);
    const err = await client
      .call('shares.create', { body: { name: '/media/photos', metadataStore: 'm', payloadStore: 'p' } })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect(err).toMatchObject({ status: 409, code: 'CONFLICT' });
    const missing = await client
      .call('shares.create', { body: { name: '/other', metadataStore: 'nope', payloadStore: 'p' } })
      .catch((e: unknown) => e);
    expect((missing as ApiError).detail).toMatch(/metadataStore/);
    await client.call('shares.delete', { params: { name: 'media/photos' } });
    expect(runtime.shares.get('/media/photos')).toBeUndefined();
  });

  it('hides secret store options and internal settings', async () => {
    const client = createInjectClient(app, () => token);
    await client.call('stores.payload.create', {
      body: {
        name: 'secretive',
        type: 'memory',
        config: { secretAccessKey: 'AKIA-very-secret', endpoint: 'http://u:pw@host/' },
      },
    });
    const got = await client.call('stores.payload.get', { params: { name: 'secretive' } });
    expect(got.config).toEqual({ secretAccessKey: '********', endpoint: 'http://u:********@host/' });
    // Sending the placeholder back keeps the stored value.
    await client.call('stores.payload.update', {
      params: { name: 'secretive' },
      body: { config: { secretAccessKey: '********', endpoint: 'http://h/' } },
    });
    expect((await runtime.store.getPayloadStore('secretive')).config).toEqual({
      secretAccessKey: 'AKIA-very-secret',
      endpoint: 'http://h/',
    });
    const settings = await client.call('settings.list', {});
    expect(settings.map((s) => s.key)).toEqual(['alerts.diskAlmostFullPercent', 'server.name']);
    expect((await injectOperation(app, 'settings.get', { params: { key: '_internal.jwtSecret' } }, token)).status).toBe(
      400,
    );
  });

  it('answers malformed JSON with a problem that does not quote the body', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      headers: { 'content-type': 'application/json' },
      payload: '{"password":"hunter2-secret"',
    });
    expect(res.statusCode).toBe(400);
    expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(res.body).not.toContain('hunter2');
    expect(JSON.parse(res.body)).toMatchObject({ code: 'VALIDATION' });
  });

  it('builds an OpenAPI document covering the table', async () => {
    const res = await app.inject({ method: 'GET', url: '/api/v1/openapi.json' });
    const doc = JSON.parse(res.body) as {
      paths: Record<
        string,
        Record<
          string,
          {
            operationId: string;
            requestBody?: { content: Record<string, { schema: { additionalProperties?: boolean } }> };
          }
        >
      >;
    };
    const ops = Object.values(doc.paths).flatMap((p) => Object.values(p));
    expect(ops.map((o) => o.operationId).sort()).toEqual([...OPERATION_IDS, 'events.stream'].sort());
    expect(
      doc.paths['/api/v1/users']?.['post']?.requestBody?.content['application/json']?.schema.additionalProperties,
    ).toBe(false);
  });

  // Last: the guessing below slows sign-ins from 127.0.0.1 for the tests after it.
  it('a local process guessing the admin password does not lock the owner out', async () => {
    const signIn = (password: string) => injectOperation(app, 'auth.login', { body: { username: 'admin', password } });
    // Another process on this computer guesses without pause: one guess at a time, the next
    // as soon as the last is answered (after a short pause when it is refused).
    const answered: number[] = [];
    let guessing = true;
    const guesser = (async () => {
      for (let i = 0; guessing; i++) {
        const r = await signIn(`wrong-${i}`);
        answered.push(r.status);
        if (r.status === 429) await new Promise((resolve) => setTimeout(resolve, 20));
      }
    })();
    // Past the free failures, until the guesses are spaced by the longest delay.
    while (answered.length < 10) await new Promise((resolve) => setTimeout(resolve, 20));
    const started = Date.now();
    const owner = await signIn('admin-password');
    const waitedMs = Date.now() - started;
    guessing = false;
    await guesser;
    expect(owner.status, JSON.stringify(owner.body)).toBe(200);
    // Held for its turn (at most 4 s by the policy), never locked out for minutes.
    expect(waitedMs).toBeLessThan(10_000);
    expect(answered.every((s) => s === 401)).toBe(true);
  }, 30_000);
});
