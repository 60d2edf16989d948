/** Fixtures for the MetadataService tests. */
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { afterAll, expect, onTestFinished } from 'vitest';
import { FolderStore } from '../folder/folder-store.ts';
import { isDittoError } from '../../shared/errors.ts';
import { MetadataService } from './service.ts';
import type { MetadataStore } from './store.ts';
import { MemoryMetadataStore } from './stores/memory/memory-store.ts';
import { PostgresMetadataStore } from './stores/postgres/postgres-store.ts';
import { createTestDatabase, type TestDatabase } from '../postgres/testing/database.ts';
import type { AuthContext, FileHandle, ShareExportOptions } from './types.ts';

export const ROOT: AuthContext = { uid: 0, gid: 0, gids: [], clientAddr: '127.0.0.1' };

export function user(uid: number, gid = uid, gids: number[] = []): AuthContext {
  return { uid, gid, gids, clientAddr: '127.0.0.1' };
}

export const ALICE = user(1000, 1000, [50]);
export const BOB = user(1001, 1001);

/** A read-write export whose grants let everyone write: the POSIX rules alone decide. */
export const OPTIONS: ShareExportOptions = {
  readOnly: false,
  squash: 'none',
  anonUid: 65534,
  anonGid: 65534,
  access: () => 'write',
};

export interface Fixture {
  svc: MetadataService;
  store: MetadataStore;
  root: FileHandle;
}

/**
 * The tests run on a folder store (DITTOFS_TEST_METADATA_STORE=folder, the folder project of
 * vitest.config.ts). Where it must differ from a store of records, a test says so: it serves
 * one directory (every share on it sees the same files), reports the space files really
 * take (`used`: a truncated file is sparse), and makes no sockets or, as an ordinary user
 * (as these tests run it), device files.
 */
export const ON_FOLDER = process.env.DITTOFS_TEST_METADATA_STORE === 'folder';

/**
 * DITTOFS_TEST_METADATA_STORE=postgres runs them on PostgreSQL stores (the server of
 * ../shared/PEERS.md): a database per test file, dropped afterwards, a schema per test.
 */
const ON_POSTGRES = process.env.DITTOFS_TEST_METADATA_STORE === 'postgres';
let database: Promise<TestDatabase> | undefined;
if (ON_POSTGRES) afterAll(async () => (await database)?.drop());

/** The store the MetadataService tests run on: memory, a folder store over a fresh temporary directory, or PostgreSQL. */
export async function testStore(): Promise<MetadataStore> {
  if (ON_POSTGRES) {
    database ??= createTestDatabase();
    const schema = `s_${randomBytes(6).toString('hex')}`;
    const store = await PostgresMetadataStore.open({ url: (await database).url, schema }, 'service');
    onTestFinished(() => store.close());
    return store;
  }
  if (!ON_FOLDER) return new MemoryMetadataStore();
  const dir = await mkdtemp(join(tmpdir(), 'dittofs-svc-folder-'));
  await mkdir(join(dir, 'folder'));
  // Owners and modes kept in the index, as when dfs runs as an ordinary user.
  const store = await FolderStore.open({
    path: join(dir, 'folder'),
    indexPath: join(dir, 'index.db'),
    realOwnership: false,
  });
  onTestFinished(async () => {
    await store.close();
    await rm(dir, { recursive: true, force: true });
  });
  return store;
}

export async function setup(
  options: Partial<ShareExportOptions> = {},
  store?: MetadataStore,
  svc = new MetadataService(),
): Promise<Fixture> {
  store ??= await testStore();
  await svc.registerShare('/export', { id: 7, store, options: { ...OPTIONS, ...options }, enabled: true });
  return { svc, store, root: await svc.rootHandle('/export') };
}

/** A world-writable sticky directory (like /tmp) under the root, for unprivileged callers. */
export async function tmpDir(f: Fixture): Promise<FileHandle> {
  const { handle } = await f.svc.mkdir(ROOT, f.root, 'tmp', { mode: 0o1777 });
  return handle;
}

/** Expects `p` to reject with DittoError `code`. */
export async function rejects(p: Promise<unknown>, code: string): Promise<void> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(isDittoError(err) ? err.code : err).toBe(code);
}
