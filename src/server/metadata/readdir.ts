/** READDIR / READDIRPLUS (RFC 1813 §3.3.16, §3.3.17). */
import { DittoError } from '../../shared/errors.ts';
import { admit } from './file-helpers.ts';
import { R, requireAccess } from './permissions.ts';
import { handleOf, loadDir, type ShareRegistry, withUnstable } from './shares.ts';
import type { AuthContext, DirEntry, DirPage, FileHandle } from './types.ts';

const VERIFIER_SIZE = 8;

/**
 * Cookies are the store's entry sequence numbers, which only grow: resuming after any
 * cookie, even one of a removed entry, lists each remaining entry once. So a directory's
 * listing can always resume and its verifier never has to change; it is the directory's
 * fileid, which catches a cookie presented for another directory's listing.
 */
function verifierOf(fileid: number): Buffer {
  const v = Buffer.alloc(VERIFIER_SIZE);
  v.writeUIntBE(fileid, 2, 6);
  return v;
}

export async function readDir(
  reg: ShareRegistry,
  auth: AuthContext,
  dirH: FileHandle,
  cookie: number,
  verifier: Buffer | undefined,
  maxEntries: number,
): Promise<DirPage> {
  const { share, fileid, generation, cred } = admit(reg, auth, dirH);
  const dir = await loadDir(share.store, share, fileid, generation);
  requireAccess(cred, dir.attr, R);
  const expected = verifierOf(fileid);
  // Clients send zeros with cookie 0, and some with every cookie; only a different non-zero one is wrong.
  if (cookie !== 0 && verifier !== undefined && !verifier.equals(expected) && verifier.some((b) => b !== 0)) {
    throw new DittoError('BAD_COOKIE');
  }
  const limit = Math.max(1, Math.floor(maxEntries));
  const rows = await share.store.listDir(fileid, cookie, limit + 1);
  const eof = rows.length <= limit;
  const n = Math.min(rows.length, limit);
  const entries: DirEntry[] = new Array(n);
  for (let i = 0; i < n; i++) {
    const { name, cookie: c, file: stored } = rows[i]!;
    const file = withUnstable(stored, share.unstable.get(stored.attr.fileid));
    entries[i] = {
      name,
      fileid: file.attr.fileid,
      cookie: c,
      handle: handleOf(share, file.attr.fileid, file.generation),
      attr: file.attr,
    };
  }
  return { entries, eof, verifier: expected, dirAttr: dir.attr };
}
