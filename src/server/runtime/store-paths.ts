/**
 * Where stores keep their files, and where a new one may: never in dfs's own files (the
 * data folder, the control-plane database) nor overlapping another store. A path must be
 * absolute: a relative one would depend on the server's working directory, so it is
 * refused rather than resolved. Symbolic links are followed, so an alias is no way around.
 */
import { realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import { DittoError } from '../../shared/errors.ts';
import { SQLITE_SIDECARS } from '../metadata/stores/sqlite/own-database.ts';

export type StoreKind = 'metadata' | 'payload';

export interface NamedStore {
  kind: StoreKind;
  name: string;
  type: string;
  config: Record<string, unknown>;
}

/** dfs's own files, which no store may be or contain. */
export interface OwnFiles {
  dataDir: string;
  /** Undefined when the control plane is on PostgreSQL. */
  controlPlaneDatabase: string | undefined;
}

/** The place under the data dir of a store with local files that names no path. */
const DEFAULT_PLACE: Record<string, (dataDir: string, name: string) => string> = {
  'metadata:sqlite': (dataDir, name) => path.join(dataDir, 'metadata', `${name}.db`),
  'payload:fs': (dataDir, name) => path.join(dataDir, 'blocks', name),
};

const label = (s: NamedStore) => `${s.kind} store "${s.name}"`;

/**
 * The file (SQLite) or folder (fs) a store keeps its data in: its `path` option, else its
 * place under the data dir; undefined for stores without local files (memory, S3, PostgreSQL).
 */
export function storeLocation(store: NamedStore, dataDir: string): string | undefined {
  const fallback = DEFAULT_PLACE[`${store.kind}:${store.type}`];
  if (fallback === undefined) return undefined;
  const p = store.config['path'];
  if (p === undefined || p === '') return fallback(dataDir, store.name);
  if (typeof p !== 'string') {
    throw new DittoError('VALIDATION', `${label(store)}: path: expected a string, the full path of its files`);
  }
  if (!path.isAbsolute(p)) {
    throw new DittoError(
      'VALIDATION',
      `${label(store)}: path "${p}" is relative: give an absolute path, such as ${fallback('/srv/dittofs', store.name)} ` +
        "(a relative path would depend on the server's working directory)",
    );
  }
  return path.resolve(p); // normalized, without a trailing separator
}

/**
 * Refuses a place for `store` that is dfs's data folder or contains it, is or contains the
 * control-plane database, or is, lies inside or contains the place of one of `others`.
 */
export async function checkPlacement(store: NamedStore, others: readonly NamedStore[], own: OwnFiles): Promise<void> {
  const given = storeLocation(store, own.dataDir);
  if (given === undefined) return;
  await checkKind(store, given);
  const here = await realLocation(given);
  const dataDir = await realLocation(own.dataDir);
  if (here === dataDir || isInside(dataDir, here)) {
    throw new DittoError('CONFLICT', `${given} is or contains dfs's data folder: choose a folder of its own`);
  }
  if (own.controlPlaneDatabase !== undefined) {
    const database = await realLocation(own.controlPlaneDatabase);
    if (sameFiles(here, database)) throw new DittoError('CONFLICT', `${given} is dfs's control-plane database`);
    if (isInside(database, here)) throw new DittoError('CONFLICT', `${given} contains dfs's control-plane database`);
  }
  for (const other of others) {
    let there: string | undefined;
    try {
      there = storeLocation(other, own.dataDir);
    } catch {
      continue; // an old config with a relative path opens nowhere
    }
    if (there === undefined) continue;
    there = await realLocation(there);
    if (sameFiles(here, there)) throw new DittoError('CONFLICT', `${given} is already used by ${label(other)}`);
    if (isInside(here, there)) throw new DittoError('CONFLICT', `${given} is inside the folder of ${label(other)}`);
    if (isInside(there, here)) throw new DittoError('CONFLICT', `${given} contains the files of ${label(other)}`);
  }
}

/**
 * A block store keeps a folder, a SQLite store a file: the other kind at that place (or a
 * file where a parent folder should be) is refused in words, not left to fail as an I/O error.
 */
async function checkKind(store: NamedStore, given: string): Promise<void> {
  const wantFolder = store.type === 'fs';
  try {
    const st = await stat(given);
    if (wantFolder && !st.isDirectory())
      throw new DittoError(
        'VALIDATION',
        `path: ${given} is a file, not a folder: give a folder (it is created if missing)`,
      );
    if (!wantFolder && st.isDirectory())
      throw new DittoError('VALIDATION', `path: ${given} is a folder: give the path of the database file inside it`);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOTDIR')
      throw new DittoError(
        'VALIDATION',
        `path: a part of ${given} is a file, not a folder: give a path made of folders`,
      );
    if (code !== 'ENOENT') throw err;
  }
}

/** The same place, or a database and one of the files SQLite keeps beside it. */
function sameFiles(a: string, b: string): boolean {
  return a === b || SQLITE_SIDECARS.some((s) => a === b + s || b === a + s);
}

/** Whether `p` lies strictly below the folder `dir`. */
function isInside(p: string, dir: string): boolean {
  const rel = path.relative(dir, p);
  return rel !== '' && rel !== '..' && !rel.startsWith(`..${path.sep}`) && !path.isAbsolute(rel);
}

/** `p` with the symbolic links of its existing part resolved (the rest may not exist yet). */
async function realLocation(p: string): Promise<string> {
  const rest: string[] = [];
  for (let at = p; ; at = path.dirname(at)) {
    try {
      return path.join(await realpath(at), ...rest);
    } catch {
      if (path.dirname(at) === at) return p;
      rest.unshift(path.basename(at));
    }
  }
}
