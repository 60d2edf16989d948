// Where a store may live, through the API of a really started `dfs`: a store never writes
// into, deletes or opens as a database anything it did not create. Each refusal is a 4xx
// problem+json with a sentence saying why, and the files that were there are untouched.
// Stores made before a store recorded its name in its marker still open and serve their data.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FORMAT_FILE, FORMAT_LINE } from '../../src/server/payload/stores/fs/paths.ts';
import { REPO_ROOT, startDfs, type DfsProcess } from '../helpers/dfs.ts';
import { makeTmpDir, removeTmpDir } from '../helpers/tmp.ts';
import { apiBase, hasLibnfs, http, login, nfsUrl, run, type HttpResult } from './helpers.ts';

const ADMIN_PASSWORD = `admin-${randomBytes(6).toString('hex')}`;
const ENV = { DITTOFS_ADMIN_INITIAL_PASSWORD: ADMIN_PASSWORD };

/** Every file under `dir` (relative paths) with its content: what "untouched" compares. */
function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const e of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    const full = path.join(e.parentPath, e.name);
    out[path.relative(dir, full)] = e.isFile() ? readFileSync(full, 'base64') : '<dir>';
  }
  return out;
}

function tablesOf(file: string): string[] {
  const db = new BetterSqlite3(file, { readonly: true, fileMustExist: true });
  try {
    return db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").pluck().all() as string[];
  } finally {
    db.close();
  }
}

describe('API: store paths', () => {
  let dataDir = '';
  let foreign = '';
  let dfs: DfsProcess;
  let base = '';
  let token = '';

  async function start(): Promise<void> {
    dfs = await startDfs({ dataDir, env: ENV });
    base = apiBase(dfs);
    token = (await login(base, 'admin', ADMIN_PASSWORD)).accessToken;
  }

  const api = (method: string, url: string, body?: unknown): Promise<HttpResult> =>
    http(base, method, `/api/v1${url}`, { token, body });

  async function created(kind: 'metadata' | 'payload', body: unknown): Promise<void> {
    const r = await api('POST', `/stores/${kind}`, body);
    expect(r.status, r.text).toBe(201);
  }

  /** A share on the two stores, squash off so nfs-cp's uid owns what it writes. */
  async function sharedOn(name: string, metadataStore: string, payloadStore: string): Promise<void> {
    const r = await api('POST', '/shares', { name, metadataStore, payloadStore, squash: 'none' });
    expect(r.status, r.text).toBe(201);
  }

  /** A refused create: the status, code and sentence, and no store config left behind. */
  async function refused(
    kind: 'metadata' | 'payload',
    body: { name: string; type: string; config: Record<string, unknown> },
    status: number,
    code: string,
    detail: RegExp,
  ): Promise<void> {
    const r = await api('POST', `/stores/${kind}`, body);
    expect(r.status, r.text).toBe(status);
    expect(r.headers.get('content-type')).toMatch(/application\/problem\+json/);
    expect(r.body).toMatchObject({ status, code });
    expect((r.body as { detail: string }).detail).toMatch(detail);
    expect((await api('GET', `/stores/${kind}/${body.name}`)).status).toBe(404);
  }

  beforeAll(async () => {
    dataDir = makeTmpDir('dittofs-store-paths-data-');
    foreign = makeTmpDir('dittofs-store-paths-');
    await start();
  });

  afterAll(async () => {
    await dfs?.stop();
    removeTmpDir(dataDir);
    removeTmpDir(foreign);
  });

  it('refuses a folder with a tmp/ it did not make, and deletes nothing in it', async () => {
    const dir = path.join(foreign, 'with-tmp');
    mkdirSync(path.join(dir, 'tmp'), { recursive: true });
    writeFileSync(path.join(dir, 'tmp', 'draft.txt'), 'not dfs scratch');
    const before = snapshot(dir);
    await refused('payload', { name: 'p-tmp', type: 'fs', config: { path: dir } }, 409, 'CONFLICT', /is not empty/);
    expect(snapshot(dir)).toEqual(before);
  });

  it('refuses a home-like folder with files, and writes nothing into it', async () => {
    const home = path.join(foreign, 'home');
    mkdirSync(path.join(home, 'Documents'), { recursive: true });
    writeFileSync(path.join(home, '.profile'), 'export PATH\n');
    writeFileSync(path.join(home, 'Documents', 'notes.txt'), 'my notes');
    const before = snapshot(home);
    await refused('payload', { name: 'p-home', type: 'fs', config: { path: home } }, 409, 'CONFLICT', /is not empty/);
    expect(snapshot(home)).toEqual(before);
    expect(existsSync(path.join(home, FORMAT_FILE))).toBe(false);
  });

  it('refuses relative paths for both kinds, creating nothing in the working directory', async () => {
    const rel = `e2e-relative-${randomBytes(4).toString('hex')}`;
    try {
      await refused('payload', { name: 'p-rel', type: 'fs', config: { path: rel } }, 400, 'VALIDATION', /absolute/);
      await refused(
        'metadata',
        { name: 'm-rel', type: 'sqlite', config: { path: `${rel}.db` } },
        400,
        'VALIDATION',
        /absolute/,
      );
      expect(existsSync(path.join(REPO_ROOT, rel))).toBe(false);
      expect(existsSync(path.join(REPO_ROOT, `${rel}.db`))).toBe(false);
    } finally {
      removeTmpDir(path.join(REPO_ROOT, rel));
      removeTmpDir(path.join(REPO_ROOT, `${rel}.db`));
    }
  });

  it("refuses a second store on another store's folder or inside it, and the data dir itself", async () => {
    const dir = path.join(foreign, 'p1');
    await created('payload', { name: 'p1', type: 'fs', config: { path: dir } });
    const before = snapshot(dir);
    await refused('payload', { name: 'p2', type: 'fs', config: { path: dir } }, 409, 'CONFLICT', /payload store "p1"/);
    await refused(
      'payload',
      { name: 'p3', type: 'fs', config: { path: path.join(dir, 'blocks', 'x') } },
      409,
      'CONFLICT',
      /payload store "p1"/,
    );
    await refused(
      'metadata',
      { name: 'm-in-p1', type: 'sqlite', config: { path: path.join(dir, 'tmp', 'm.db') } },
      409,
      'CONFLICT',
      /payload store "p1"/,
    );
    expect(snapshot(dir)).toEqual(before);
    // The default store's folder, under the data dir
    await refused(
      'payload',
      { name: 'p4', type: 'fs', config: { path: path.join(dataDir, 'blocks', 'default-payload') } },
      409,
      'CONFLICT',
      /payload store "default-payload"/,
    );
    await refused('payload', { name: 'p5', type: 'fs', config: { path: dataDir } }, 409, 'CONFLICT', /data folder/);
  });

  it("refuses to change a store's path onto another store, keeping its old options", async () => {
    const dir = path.join(foreign, 'p6');
    await created('payload', { name: 'p6', type: 'fs', config: { path: dir } });
    const r = await api('PATCH', '/stores/payload/p6', { config: { path: path.join(foreign, 'p1') } });
    expect(r.status, r.text).toBe(409);
    expect((r.body as { detail: string }).detail).toMatch(/payload store "p1"/);
    const after = await api('GET', '/stores/payload/p6');
    expect((after.body as { config: unknown }).config).toEqual({ path: dir });
  });

  it('refuses a file that is not a database, and leaves it as it was', async () => {
    const file = path.join(foreign, 'notes.txt');
    writeFileSync(file, 'plain text, not a database\n');
    await refused(
      'metadata',
      { name: 'm-text', type: 'sqlite', config: { path: file } },
      409,
      'CONFLICT',
      /not a SQLite database/,
    );
    expect(readFileSync(file, 'utf8')).toBe('plain text, not a database\n');
  });

  it("refuses another program's SQLite database, and leaves it as it was", async () => {
    const file = path.join(foreign, 'app.db');
    const db = new BetterSqlite3(file);
    db.exec("CREATE TABLE contacts (name TEXT); INSERT INTO contacts VALUES ('ann')");
    db.close();
    const before = readFileSync(file, 'base64');
    await refused(
      'metadata',
      { name: 'm-app', type: 'sqlite', config: { path: file } },
      409,
      'CONFLICT',
      /not a DittoFS metadata store/,
    );
    expect(readFileSync(file, 'base64')).toBe(before);
  });

  it('refuses the live control-plane database, which keeps its tables and keeps serving', async () => {
    const cpDb = path.join(dataDir, 'controlplane.db');
    const tables = tablesOf(cpDb);
    await refused(
      'metadata',
      { name: 'm-cp', type: 'sqlite', config: { path: cpDb } },
      409,
      'CONFLICT',
      /control-plane database/,
    );
    expect(tablesOf(cpDb)).toEqual(tables);
    expect((await api('GET', '/stores/metadata')).status).toBe(200);
  });

  it("refuses another metadata store's database", async () => {
    const file = path.join(foreign, 'm1.db');
    await created('metadata', { name: 'm1', type: 'sqlite', config: { path: file } });
    await refused(
      'metadata',
      { name: 'm2', type: 'sqlite', config: { path: file } },
      409,
      'CONFLICT',
      /metadata store "m1"/,
    );
    await refused(
      'metadata',
      { name: 'm3', type: 'sqlite', config: { path: path.join(dataDir, 'metadata', 'default-metadata.db') } },
      409,
      'CONFLICT',
      /metadata store "default-metadata"/,
    );
  });

  it.skipIf(!hasLibnfs())(
    'a store made before stores recorded their name still opens and serves its data',
    async () => {
      const blocks = path.join(foreign, 'old-blocks');
      const meta = path.join(foreign, 'old-meta.db');
      await created('metadata', { name: 'old-m', type: 'sqlite', config: { path: meta } });
      await created('payload', { name: 'old-p', type: 'fs', config: { path: blocks } });
      await sharedOn('/old', 'old-m', 'old-p');
      const data = randomBytes(1024 * 1024 + 123);
      const src = path.join(foreign, 'old-src.bin');
      writeFileSync(src, data);
      const put = await run('nfs-cp', [src, nfsUrl(dfs, '/old', 'kept.bin')]);
      expect(put.code, put.stderr).toBe(0);
      await dfs.stop();

      // As the previous version left them: a FORMAT of the layout alone, no name in the database.
      writeFileSync(path.join(blocks, FORMAT_FILE), FORMAT_LINE);
      const db = new BetterSqlite3(meta);
      db.prepare("DELETE FROM meta WHERE key = 'store'").run();
      db.close();

      await start();
      const back = path.join(foreign, 'old-back.bin');
      const get = await run('nfs-cp', [nfsUrl(dfs, '/old', 'kept.bin'), back]);
      expect(get.code, get.stderr).toBe(0);
      expect(readFileSync(back).equals(data)).toBe(true);
      // Now it is claimed: another store may not take it over.
      expect(readFileSync(path.join(blocks, FORMAT_FILE), 'utf8')).toMatch(/old-p/);
      await refused('payload', { name: 'p-old', type: 'fs', config: { path: blocks } }, 409, 'CONFLICT', /old-p/);
    },
  );
  it.skipIf(!hasLibnfs())(
    "a deleted store's write log goes with it: a new store of the same name starts empty",
    async () => {
      await created('metadata', { name: 'gone-m', type: 'sqlite' });
      await created('payload', { name: 'gone-p', type: 'fs' });
      await sharedOn('/gone', 'gone-m', 'gone-p');
      const src = path.join(foreign, 'gone-src.bin');
      writeFileSync(src, randomBytes(64 * 1024));
      const put = await run('nfs-cp', [src, nfsUrl(dfs, '/gone', 'f.bin')]);
      expect(put.code, put.stderr).toBe(0);
      const log = path.join(dataDir, 'wal', 'gone-p');
      expect(existsSync(log)).toBe(true);
      expect((await api('DELETE', '/shares/gone')).status).toBe(204);
      expect((await api('DELETE', '/stores/payload/gone-p')).status).toBe(204);
      expect(existsSync(log)).toBe(false);
    },
  );
});
