/**
 * Which files a metadata store opens: a missing or empty file (a new store), or a metadata
 * database of its own. Anything else is refused before SQLite changes a byte of it: a file
 * that is not a database, another program's database (the control plane's among them),
 * another store's, or one another connection holds (at once, with no busy wait that
 * would block the event loop). The store's name is kept in `meta` under 'store'.
 */
import { closeSync, existsSync, mkdirSync, openSync, readSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Database } from 'better-sqlite3';
import { DittoError } from '../../../../shared/errors.ts';

/** The first 16 bytes of every SQLite database file (https://sqlite.org/fileformat.html §1.3). */
const SQLITE_HEADER = Buffer.from('SQLite format 3\0', 'latin1');
/** Suffixes of the files SQLite keeps beside a database (`<db>-wal`, ...): part of that database. */
export const SQLITE_SIDECARS = ['-wal', '-shm', '-journal'] as const;
/** Tables every version of our schema has (migrations.ts). */
const OUR_TABLES = ['meta', 'roots', 'files', 'entries'];
const OWNER_KEY = 'store';

/**
 * Refuses a path that is a folder, a file that is not a SQLite database, and a new
 * database where another one's journal is left; creates the folders of a new one.
 */
export function checkDatabaseFile(path: string): void {
  const size = sizeOf(path);
  if (size === undefined) {
    try {
      mkdirSync(dirname(path), { recursive: true });
    } catch (err) {
      throw openError(err, path);
    }
  }
  if (size === undefined || size === 0) {
    const left = SQLITE_SIDECARS.map((s) => path + s).find((f) => existsSync(f));
    if (left !== undefined) {
      throw new DittoError('CONFLICT', `${left} is left from another database: a new store will not overwrite it`);
    }
    const suffix = SQLITE_SIDECARS.find((s) => path.endsWith(s));
    if (suffix !== undefined && existsSync(path.slice(0, -suffix.length))) {
      throw new DittoError('CONFLICT', `${path} belongs to the database ${path.slice(0, -suffix.length)}`);
    }
    return;
  }
  if (!readHead(path).equals(SQLITE_HEADER)) {
    throw new DittoError('CONFLICT', `${path} is not a SQLite database: a metadata store will not overwrite it`);
  }
}

/**
 * Before SQLite writes anything (journal mode, schema): an empty database, or ours, made
 * by `owner` or by a version that did not record one. Reading takes the first lock, so a
 * database held elsewhere fails here (IN_USE, given a zero busy timeout).
 */
export function checkOwnDatabase(db: Database, path: string, owner: string | undefined): void {
  const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").pluck().all() as string[];
  if (tables.length === 0) return;
  if (!OUR_TABLES.every((t) => tables.includes(t))) {
    throw new DittoError(
      'CONFLICT',
      `${path} is a SQLite database but not a DittoFS metadata store: a metadata store will not change it`,
    );
  }
  const madeBy = ownerOf(db);
  if (owner !== undefined && madeBy !== undefined && madeBy !== owner) {
    throw new DittoError('CONFLICT', `${path} holds metadata store "${madeBy}": only that store opens it`);
  }
}

/** Records `owner` in a database that has none yet (new, or made before stores recorded it). */
export function claimDatabase(db: Database, owner: string | undefined): void {
  if (owner === undefined || ownerOf(db) !== undefined) return;
  db.prepare('INSERT INTO meta (key, value) VALUES (?, ?)').run(OWNER_KEY, owner);
}

function ownerOf(db: Database): string | undefined {
  const value = db.prepare('SELECT value FROM meta WHERE key = ?').pluck().get(OWNER_KEY);
  return typeof value === 'string' ? value : undefined;
}

/** The size of the file at `path`, undefined if there is none; refuses anything but a file. */
function sizeOf(path: string): number | undefined {
  let st;
  try {
    st = statSync(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw openError(err, path);
  }
  if (st.isDirectory()) throw new DittoError('IS_DIRECTORY', `${path} is a folder, not a database file`);
  if (!st.isFile()) throw new DittoError('CONFLICT', `${path} is not a regular file`);
  return st.size;
}

function readHead(path: string): Buffer {
  const head = Buffer.alloc(SQLITE_HEADER.length);
  try {
    const fd = openSync(path, 'r');
    try {
      readSync(fd, head, 0, head.length, 0);
    } finally {
      closeSync(fd);
    }
  } catch (err) {
    throw openError(err, path);
  }
  return head;
}

/** Failures to open as registry errors: the ones an admin can act on are 4xx, with the reason. */
export function openError(err: unknown, path: string): DittoError {
  if (err instanceof DittoError) return err;
  const detail = err instanceof Error ? err.message : String(err);
  switch ((err as { code?: unknown } | undefined)?.code) {
    case 'SQLITE_BUSY':
    case 'SQLITE_LOCKED':
      return new DittoError('IN_USE', `${path} is in use by another connection (another store or program has it open)`);
    case 'SQLITE_NOTADB':
      return new DittoError('CONFLICT', `${path} is not a SQLite database: a metadata store will not overwrite it`);
    case 'SQLITE_READONLY':
    case 'EROFS':
      return new DittoError('READ_ONLY', `${path} is read-only for the server`);
    case 'SQLITE_CANTOPEN':
    case 'SQLITE_PERM':
    case 'EACCES':
    case 'EPERM':
      return new DittoError('ACCESS_DENIED', `${path} cannot be opened by the server's user: ${detail}`);
    case 'ENOTDIR':
      return new DittoError('NOT_DIRECTORY', `a folder above ${path} is a file`);
    case 'SQLITE_FULL':
    case 'ENOSPC':
    case 'EDQUOT':
      return new DittoError('NO_SPACE', detail);
    default:
      return new DittoError('IO', detail);
  }
}
