// Folder shares through the management API, in-process (as api.test.ts): what the share
// wizard asks before sharing a folder (folders.check), the refusals, and shares served
// from their folders across a restart. The NFS side: e2e/nfs/folder-share.test.ts.
import { mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { ApiClient } from '../../shared/api/client.ts';
import { configSchema } from '../config/schema.ts';
import { createInjectClient } from '../api/inject.ts';
import { buildApi } from '../api/server.ts';
import type { AuthContext } from '../metadata/types.ts';
import { Runtime } from './runtime.ts';

vi.mock('../auth/password.ts', () => ({
  hashPassword: async (p: string) => `test$${p}`,
  verifyPassword: async (p: string, encoded: string) => encoded === `test$${p}`,
  generatePassword: () => 'generated-password',
}));

const ROOT: AuthContext = { uid: 0, gid: 0, gids: [], clientAddr: '127.0.0.1' };

describe('folder shares through the API', () => {
  let base = '';
  let dataDir = '';
  let runtime: Runtime;
  let app: ReturnType<typeof buildApi>;
  let client: ApiClient;
  const home = (...p: string[]): string => path.join(base, 'home', ...p);

  async function start(): Promise<void> {
    const config = configSchema.parse({ dataDir, controlplane: { database: path.join(dataDir, 'cp.db') } });
    runtime = await Runtime.open({
      config,
      logger: pino({ level: 'silent' }),
      factories: {},
      adminInitialPassword: 'pw-admin-1',
    });
    await runtime.start();
    app = buildApi(runtime);
    await app.ready();
    const session: { token?: string } = {};
    client = createInjectClient(app, () => session.token);
    session.token = (
      await client.call('auth.login', { body: { username: 'admin', password: 'pw-admin-1' } })
    ).accessToken;
  }

  async function stop(): Promise<void> {
    await app.close();
    await runtime.stop();
  }

  /** The problem+json a call fails with. */
  const refusal = (p: Promise<unknown>): Promise<unknown> =>
    p.then(
      () => 'succeeded',
      (e: unknown) => e,
    );

  beforeEach(async () => {
    base = mkdtempSync(path.join(tmpdir(), 'dittofs-folders-'));
    dataDir = path.join(base, 'data');
    mkdirSync(home('Photos', '2024'), { recursive: true });
    writeFileSync(home('Photos', '2024', 'beach.jpg'), 'jpeg bytes');
    await start();
  });

  afterEach(async () => {
    await stop();
    rmSync(base, { recursive: true, force: true });
  });

  it('tells the wizard whether and how a folder can be shared', async () => {
    const ok = await client.call('folders.check', { query: { path: home('Photos') } });
    expect(ok).toMatchObject({ exists: true, isDirectory: true, readable: true, writable: true, problem: null });
    expect(ok.owner).toEqual({ uid: process.getuid?.(), gid: process.getgid?.() });
    expect((await client.call('folders.check', { query: { path: home('Nope') } })).problem).toBe(
      `The folder ${home('Nope')} does not exist.`,
    );
    writeFileSync(home('notes.txt'), '');
    expect((await client.call('folders.check', { query: { path: home('notes.txt') } })).problem).toBe(
      `${home('notes.txt')} is a file, not a folder.`,
    );
    expect((await client.call('folders.check', { query: { path: dataDir } })).problem).toMatch(
      /is inside dfs's data directory/,
    );
    expect((await client.call('folders.check', { query: { path: base } })).problem).toMatch(
      /contains dfs's data directory/,
    );
    expect((await client.call('folders.check', { query: { path: 'Photos' } })).problem).toMatch(/full path/);

    await client.call('shares.create', { body: { name: '/photos', path: home('Photos') } });
    symlinkSync(home('Photos'), home('link-to-photos'));
    expect(await client.call('folders.check', { query: { path: home('link-to-photos') } })).toMatchObject({
      realPath: home('Photos'),
      sharedAs: ['/photos'],
      problem: null,
    });
    expect((await client.call('folders.check', { query: { path: home('Photos', '2024') } })).nestedIn).toEqual([
      '/photos',
    ]);
    expect((await client.call('folders.check', { query: { path: home() } })).contains).toEqual(['/photos']);
  });

  it('refuses what cannot be shared with a sentence, and asks before nesting or creating', async () => {
    const create = (body: Record<string, unknown>) =>
      refusal(client.call('shares.create', { body: { name: '/x', ...body } as { name: string } }));
    expect(await create({ path: home('Nope') })).toMatchObject({
      status: 404,
      detail: `The folder ${home('Nope')} does not exist.`,
    });
    writeFileSync(home('notes.txt'), '');
    expect(await create({ path: home('notes.txt') })).toMatchObject({
      status: 400,
      detail: expect.stringMatching(/is a file/),
    });
    expect(await create({ path: dataDir })).toMatchObject({
      status: 400,
      detail: expect.stringMatching(/data directory/),
    });
    expect(await create({ path: home('Photos'), metadataStore: 'default-metadata' })).toMatchObject({ status: 400 });
    expect(await create({ kind: 'folder' })).toMatchObject({ status: 400, code: 'VALIDATION' });

    await client.call('shares.create', { body: { name: '/photos', path: home('Photos') } });
    expect(await create({ path: home('Photos', '2024') })).toMatchObject({
      status: 409,
      detail: expect.stringMatching(/inside the folder of share \/photos.*allowNested/),
    });
    const nested = await client.call('shares.create', {
      body: { name: '/y2024', path: home('Photos', '2024'), allowNested: true },
    });
    expect(nested).toMatchObject({ kind: 'folder', path: home('Photos', '2024'), metadataStore: '', payloadStore: '' });

    const made = await client.call('shares.create', {
      body: { name: '/new', path: home('New', 'Folder'), createFolder: true },
    });
    expect(made.path).toBe(home('New', 'Folder'));
    expect(readdirSync(home('New'))).toEqual(['Folder']);
  });

  it('serves the folder as it is, one store for every share on it, across a restart', async () => {
    const a = await client.call('shares.create', { body: { name: '/photos', path: home('Photos'), squash: 'none' } });
    await client.call('shares.create', { body: { name: '/again', path: home('Photos'), squash: 'none' } });
    expect(a).toMatchObject({ kind: 'folder', path: home('Photos') });
    const md = runtime.metadata;
    const viaA = await md.lookup(
      ROOT,
      (await md.lookup(ROOT, await md.rootHandle('/photos'), '2024')).handle,
      'beach.jpg',
    );
    const viaB = await md.lookup(
      ROOT,
      (await md.lookup(ROOT, await md.rootHandle('/again'), '2024')).handle,
      'beach.jpg',
    );
    expect(viaA.attr.fileid).toBe(viaB.attr.fileid);
    expect((await runtime.payload.readAt('/again', viaB.attr.payloadId, 0, 10)).toString()).toBe('jpeg bytes');
    await md.setAttr(ROOT, viaA.handle, { mode: 0o600 });
    expect((await md.getAttr(ROOT, viaB.handle)).mode).toBe(0o600);

    await client.call('shares.delete', { params: { name: '/again' } });
    expect((await md.getAttr(ROOT, viaA.handle)).mode).toBe(0o600);
    await stop();
    await start();
    expect((await runtime.metadata.getAttr(ROOT, viaA.handle)).fileid).toBe(viaA.attr.fileid);
    // Nothing of dfs's in the folder; one index for the folder, in the data dir.
    expect(readdirSync(home('Photos'))).toEqual(['2024']);
    expect(readdirSync(path.join(dataDir, 'folders')).filter((f) => f.endsWith('.db'))).toHaveLength(1);
  });

  it('keeps the default share managed and a share to its kind', async () => {
    const [exp] = await client.call('shares.list', {});
    expect(exp).toMatchObject({ name: '/export', kind: 'managed', path: '' });
    await client.call('shares.create', { body: { name: '/photos', path: home('Photos') } });
    const moved = await client.call('shares.update', {
      params: { name: '/photos' },
      body: { path: home('Photos', '2024') },
    });
    expect(moved.path).toBe(home('Photos', '2024'));
    const md = runtime.metadata;
    await md.lookup(ROOT, await md.rootHandle('/photos'), 'beach.jpg');
    expect(
      await refusal(
        client.call('shares.update', { params: { name: '/photos' }, body: { metadataStore: 'default-metadata' } }),
      ),
    ).toMatchObject({ status: 400 });
  });
});
