import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isDittoError } from '../../shared/errors.ts';
import { checkPlacement, storeLocation, type NamedStore } from './store-paths.ts';

describe('store paths', () => {
  let dir: string;
  let dataDir: string;
  let own: { dataDir: string; controlPlaneDatabase: string };

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'dittofs-store-paths-'));
    dataDir = join(dir, 'data');
    await mkdir(dataDir);
    own = { dataDir, controlPlaneDatabase: join(dataDir, 'controlplane.db') };
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const fs = (name: string, path?: unknown): NamedStore => ({
    kind: 'payload',
    name,
    type: 'fs',
    config: path === undefined ? {} : { path },
  });
  const sqlite = (name: string, path?: unknown): NamedStore => ({
    kind: 'metadata',
    name,
    type: 'sqlite',
    config: path === undefined ? {} : { path },
  });

  async function refusal(op: Promise<void>): Promise<{ code: string; message: string } | undefined> {
    const err = await op.then(
      () => undefined,
      (e: unknown) => e,
    );
    if (err === undefined) return undefined;
    if (!isDittoError(err)) throw err;
    return { code: err.code, message: err.message };
  }

  it('places stores without a path under the data dir; memory and remote stores nowhere', () => {
    expect(storeLocation(fs('p'), dataDir)).toBe(join(dataDir, 'blocks', 'p'));
    expect(storeLocation(fs('p', ''), dataDir)).toBe(join(dataDir, 'blocks', 'p'));
    expect(storeLocation(sqlite('m'), dataDir)).toBe(join(dataDir, 'metadata', 'm.db'));
    expect(storeLocation({ kind: 'payload', name: 'x', type: 'memory', config: { path: 'rel' } }, dataDir)).toBe(
      undefined,
    );
    expect(storeLocation({ kind: 'payload', name: 'x', type: 's3', config: {} }, dataDir)).toBe(undefined);
  });

  it('refuses relative paths and paths that are not strings', () => {
    for (const store of [fs('p', 'blocks'), fs('p', './x'), sqlite('m', 'm.db'), fs('p', 42)]) {
      let err: unknown;
      try {
        storeLocation(store, dataDir);
      } catch (e) {
        err = e;
      }
      expect(isDittoError(err, 'VALIDATION'), String(err)).toBe(true);
    }
    expect(() => storeLocation(fs('p', 'blocks'), dataDir)).toThrow(/absolute/);
    expect(storeLocation(fs('p', '/srv/x/'), dataDir)).toBe('/srv/x');
  });

  it("refuses another store's folder or file, a path inside it, and one containing it", async () => {
    const others = [fs('p1', join(dir, 'p1')), sqlite('m1', join(dir, 'm', 'm1.db')), fs('p0')];
    const cases: [NamedStore, RegExp][] = [
      [fs('p2', join(dir, 'p1')), /already used by payload store "p1"/],
      [fs('p2', join(dir, 'p1', 'blocks', 'x')), /inside the folder of payload store "p1"/],
      [sqlite('m2', join(dir, 'p1', 'tmp', 'm.db')), /inside the folder of payload store "p1"/],
      [sqlite('m2', join(dir, 'm', 'm1.db')), /already used by metadata store "m1"/],
      [sqlite('m2', join(dir, 'm', 'm1.db-journal')), /already used by metadata store "m1"/],
      [fs('p2', join(dir, 'm')), /contains the files of metadata store "m1"/],
      [fs('p2', join(dataDir, 'blocks', 'p0')), /already used by payload store "p0"/],
    ];
    for (const [store, message] of cases) {
      const err = await refusal(checkPlacement(store, others, own));
      expect(err?.code, `${String(store.config['path'])}`).toBe('CONFLICT');
      expect(err?.message).toMatch(message);
    }
    expect(await refusal(checkPlacement(fs('p2', join(dir, 'p2')), others, own))).toBeUndefined();
    expect(await refusal(checkPlacement(sqlite('m2', join(dir, 'm', 'm2.db')), others, own))).toBeUndefined();
  });

  it("refuses dfs's own files: the control-plane database and the data dir", async () => {
    const cases: [NamedStore, RegExp][] = [
      [sqlite('m', own.controlPlaneDatabase), /control-plane database/],
      [sqlite('m', `${own.controlPlaneDatabase}-wal`), /control-plane database/],
      [fs('p', dataDir), /data folder/],
      [fs('p', dir), /data folder/],
      [fs('p', '/'), /data folder/],
    ];
    for (const [store, message] of cases) {
      const err = await refusal(checkPlacement(store, [], own));
      expect(err?.code).toBe('CONFLICT');
      expect(err?.message).toMatch(message);
    }
    // A database elsewhere: the data dir is not the only place for it.
    const cpElsewhere = { dataDir, controlPlaneDatabase: join(dir, 'cp', 'cp.db') };
    const err = await refusal(checkPlacement(fs('p', join(dir, 'cp')), [], cpElsewhere));
    expect(err?.message).toMatch(/control-plane database/);
  });

  it('says when a path is a file where a folder belongs, or the other way round', async () => {
    await writeFile(join(dir, 'notes.txt'), 'x');
    const cases: [NamedStore, string][] = [
      [fs('p', join(dir, 'notes.txt')), `path: ${join(dir, 'notes.txt')} is a file, not a folder`],
      [fs('p', join(dir, 'notes.txt', 'sub')), `path: a part of ${join(dir, 'notes.txt', 'sub')} is a file`],
      [sqlite('m', dir), `path: ${dir} is a folder`],
    ];
    for (const [store, message] of cases) {
      const err = await refusal(checkPlacement(store, [], own));
      expect(err?.code).toBe('VALIDATION');
      expect(err?.message).toContain(message);
    }
  });

  it('sees through a symbolic link to the same folder', async () => {
    await mkdir(join(dir, 'p1'));
    await symlink(join(dir, 'p1'), join(dir, 'alias'));
    const err = await refusal(checkPlacement(fs('p2', join(dir, 'alias', 'sub')), [fs('p1', join(dir, 'p1'))], own));
    expect(err?.message).toMatch(/payload store "p1"/);
  });
});
