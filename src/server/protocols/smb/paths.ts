/**
 * SMB path names (MS-FSCC §2.1.5: backslash-separated, relative to the share root) resolved
 * through MetadataService. Names are case-insensitive and case-preserving over SMB, as with
 * Samba's default: an exact lookup first, then a case-insensitive match in the directory.
 */
import { DittoError } from '../../../shared/errors.ts';
import type { AuthContext, Entry, FileHandle, MetadataOps } from '../../metadata/types.ts';
import { Status } from './constants.ts';
import { SmbStatusError } from './handler.ts';

/** Path components; `..`, empty names and characters Windows forbids are OBJECT_NAME_INVALID. */
export function splitPath(path: string): string[] {
  const parts = path.split('\\').filter((p) => p !== '' && p !== '.');
  for (const p of parts) {
    if (p === '..') throw new SmbStatusError(Status.OBJECT_PATH_SYNTAX_BAD);
    if (/["*/:<>?|]/.test(p) || [...p].some((c) => c.charCodeAt(0) < 0x20))
      throw new SmbStatusError(Status.OBJECT_NAME_INVALID);
  }
  return parts;
}

/** Looks a name up in a directory, falling back to a case-insensitive match. */
export async function lookupName(
  md: MetadataOps,
  auth: AuthContext,
  dir: FileHandle,
  name: string,
): Promise<(Entry & { name: string }) | undefined> {
  try {
    const e = await md.lookup(auth, dir, name);
    return { handle: e.handle, attr: e.attr, name };
  } catch (err) {
    if (!(err instanceof DittoError) || err.code !== 'NOT_FOUND') throw err;
  }
  return md.lookupCaseless(auth, dir, name);
}

export interface Resolved {
  /** The directory holding the last component (the root for a one-component path). */
  parent: FileHandle;
  /** The last component as stored (its existing case) or as given when it does not exist. */
  name: string;
  /** The object itself, when it exists. */
  entry: Entry | undefined;
  /** The path with the stored case of every existing component. */
  path: string;
  /** The root and each directory down to `parent`: the directory holding each component. */
  dirs: FileHandle[];
}

/** Resolves every component but the last, which may not exist; a missing directory is OBJECT_PATH_NOT_FOUND. */
export async function resolvePath(
  md: MetadataOps,
  auth: AuthContext,
  root: FileHandle,
  path: string,
): Promise<Resolved | undefined> {
  const parts = splitPath(path);
  if (parts.length === 0) return undefined;
  let dir = root;
  const names: string[] = [];
  const dirs = [root];
  for (const part of parts.slice(0, -1)) {
    const e = await lookupName(md, auth, dir, part);
    if (!e || e.attr.type !== 2) throw new SmbStatusError(Status.OBJECT_PATH_NOT_FOUND);
    dir = e.handle;
    names.push(e.name);
    dirs.push(dir);
  }
  const last = parts[parts.length - 1] as string;
  const e = await lookupName(md, auth, dir, last);
  names.push(e?.name ?? last);
  return {
    parent: dir,
    name: e?.name ?? last,
    entry: e && { handle: e.handle, attr: e.attr },
    path: names.join('\\'),
    dirs,
  };
}
