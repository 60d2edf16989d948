/**
 * Opening a block store's folder (layout in paths.ts). A store writes into, and deletes
 * from, only a folder it made: one that was missing or empty when it was first opened,
 * marked by a FORMAT file naming the store. A folder with anything else in it, blocks in
 * another layout, or another store's blocks is refused (409), and nothing in it changes.
 */
import { mkdir, open, readdir, readFile, rename, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { DittoError } from '../../../../shared/errors.ts';
import { BLOCKS_DIR, FORMAT_FILE, formatText, parseFormat, TEMP_FILE, TMP_DIR } from './paths.ts';

/**
 * Makes `root` ready for the store `owner`: a new layout in a missing or empty folder, else
 * checks the one there; a layout from before FORMAT named its store is claimed by `owner`.
 * Then removes the temp files a crash left. Without an owner (tools, tests) any store's
 * layout opens and none is claimed.
 */
export async function openLayout(root: string, owner: string | undefined): Promise<void> {
  try {
    const format = await readFormat(root);
    if (format === undefined) {
      await createLayout(root, owner);
    } else {
      const { known, owner: madeBy } = parseFormat(format);
      if (!known) {
        throw new DittoError(
          'CONFLICT',
          `${root} holds blocks in a layout this version does not read (see its FORMAT)`,
        );
      }
      if (owner !== undefined && madeBy !== undefined && madeBy !== owner) {
        throw new DittoError(
          'CONFLICT',
          `${root} holds the blocks of payload store "${madeBy}": only that store opens it`,
        );
      }
      if (owner !== undefined && madeBy === undefined) await writeFormat(root, owner);
    }
    await mkdirOnce(join(root, BLOCKS_DIR));
    await mkdirOnce(join(root, TMP_DIR));
    await clearTempFiles(join(root, TMP_DIR));
  } catch (err) {
    throw layoutError(err, root);
  }
}

/** FORMAT's text, or undefined when the folder or its FORMAT does not exist. */
async function readFormat(root: string): Promise<string | undefined> {
  try {
    return await readFile(join(root, FORMAT_FILE), 'utf8');
  } catch (err) {
    const code = errno(err);
    if (code === 'ENOENT') return undefined;
    if (code === 'EISDIR') throw notOurs(root); // a folder named FORMAT
    throw err; // ENOTDIR: root (or a folder above it) is a file
  }
}

function notOurs(root: string): DittoError {
  return new DittoError(
    'CONFLICT',
    `${root} is not empty and holds no DittoFS block store: choose a new or empty folder ` +
      '(a store never writes into a folder with files it did not make)',
  );
}

/** FORMAT goes in first: a crash before blocks/ and tmp/ exist leaves a layout that reopens. */
async function createLayout(root: string, owner: string | undefined): Promise<void> {
  await mkdir(root, { recursive: true });
  if ((await readdir(root)).length > 0) throw notOurs(root);
  const fh = await open(join(root, FORMAT_FILE), 'wx'); // never over a file made meanwhile
  try {
    await fh.writeFile(formatText(owner));
    await fh.datasync();
  } finally {
    await fh.close();
  }
  await syncDir(root);
}

/** Replaces FORMAT atomically (a crash leaves the old one or the new one). */
async function writeFormat(root: string, owner: string): Promise<void> {
  const next = join(root, `${FORMAT_FILE}.new`);
  const fh = await open(next, 'w');
  try {
    await fh.writeFile(formatText(owner));
    await fh.datasync();
  } finally {
    await fh.close();
  }
  await rename(next, join(root, FORMAT_FILE));
  await syncDir(root);
}

async function mkdirOnce(dir: string): Promise<void> {
  try {
    await mkdir(dir);
  } catch (err) {
    if (errno(err) !== 'EEXIST') throw err;
  }
}

/** Temp files are only ever ours (named by put); anything else in tmp/ stays. */
async function clearTempFiles(tmpDir: string): Promise<void> {
  for (const name of await readdir(tmpDir)) {
    if (TEMP_FILE.test(name)) await unlink(join(tmpDir, name));
  }
}

/** Windows cannot open a directory to fsync it; NTFS journals the entries itself. */
async function syncDir(dir: string): Promise<void> {
  if (process.platform === 'win32') return;
  const fh = await open(dir, 'r');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

function errno(err: unknown): string | undefined {
  return (err as NodeJS.ErrnoException | undefined)?.code;
}

/** Refusals the admin can act on are 4xx with the reason; the rest are I/O errors. */
function layoutError(err: unknown, root: string): DittoError {
  if (err instanceof DittoError) return err;
  switch (errno(err)) {
    case 'ENOTDIR':
      return new DittoError('NOT_DIRECTORY', `${root} (or a folder above it) is a file, not a folder`);
    case 'EACCES':
    case 'EPERM':
      return new DittoError('ACCESS_DENIED', `${root}: permission denied for the server's user`);
    case 'EROFS':
      return new DittoError('READ_ONLY', `${root} is on a read-only file system`);
    case 'ENOSPC':
    case 'EDQUOT':
      return new DittoError('NO_SPACE', `${root}: no space left on the device`);
    default:
      return new DittoError('IO', err instanceof Error ? err.message : String(err));
  }
}
