/** Fixtures for the MetadataService tests. */
import { expect } from 'vitest';
import { isDittoError } from '../../shared/errors.ts';
import { MetadataService } from './service.ts';
import type { MetadataStore } from './store.ts';
import { MemoryMetadataStore } from './stores/memory/memory-store.ts';
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

export async function setup(
  options: Partial<ShareExportOptions> = {},
  store: MetadataStore = new MemoryMetadataStore(),
  svc = new MetadataService(),
): Promise<Fixture> {
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
