/** Metadata side of READ and WRITE (RFC 1813 §3.3.6, §3.3.7); the payload is the PayloadService's. */
import { DittoError, isDittoError } from '../../shared/errors.ts';
import { admit, mutation } from './file-helpers.ts';
import { R, W, mayDoIo } from './permissions.ts';
import {
  loadFile,
  loadStored,
  lockStored,
  restoreUnstable,
  type ShareRegistry,
  type ShareState,
  takeUnstable,
  type UnstableWrite,
  unstableAttr,
} from './shares.ts';
import type { FileRecord, StoreTx } from './store.ts';
import { now } from './time.ts';
import { type AuthContext, type FileAttr, type FileHandle, FileType, type PersistMode, type Wcc } from './types.ts';

function requireRegular(rec: FileRecord): void {
  if (rec.attr.type === FileType.Directory) throw new DittoError('IS_DIRECTORY');
  if (rec.attr.type !== FileType.Regular) throw new DittoError('INVALID_ARGUMENT', 'not a regular file');
}

export async function prepareRead(reg: ShareRegistry, auth: AuthContext, h: FileHandle): Promise<FileAttr> {
  const { share, fileid, generation, cred } = admit(reg, auth, h);
  const rec = await loadFile(share.store, share, fileid, generation);
  requireRegular(rec);
  if (!mayDoIo(cred, rec.attr, R)) throw new DittoError('ACCESS_DENIED');
  return rec.attr;
}

export async function prepareWrite(reg: ShareRegistry, auth: AuthContext, h: FileHandle): Promise<FileAttr> {
  const { share, fileid, generation, cred } = mutation(reg, auth, h);
  const rec = await loadFile(share.store, share, fileid, generation);
  requireRegular(rec);
  if (!mayDoIo(cred, rec.attr, W)) throw new DittoError('ACCESS_DENIED');
  return rec.attr;
}

/**
 * Grows the size to `end`, sets mtime/ctime and (for a non-root writer) clears setuid/setgid.
 *
 * An unstable write (`stable` false) only records that in memory (ShareState.unstable):
 * every attribute read merges it, so the new size shows at once, and `persistWrites`
 * (COMMIT), a stable write or shutdown stores it. Like the unstable data, it may be lost
 * in a crash before then. A stable write persists it before returning; calls for one file
 * that arrive before its update starts share one store write, and the store's group
 * commit batches across files.
 */
export async function commitWrite(
  reg: ShareRegistry,
  auth: AuthContext,
  h: FileHandle,
  end: number,
  stable: boolean,
): Promise<Wcc> {
  const { share, fileid, generation, cred } = mutation(reg, auth, h);
  if (!Number.isSafeInteger(end) || end < 0) throw new DittoError('INVALID_ARGUMENT', 'bad write end');
  const rec = await loadFile(share.store, share, fileid, generation);
  requireRegular(rec);
  const killSuidBits = cred.uid !== 0;
  const t = now();
  let u = share.unstable.get(fileid);
  if (u === undefined) {
    u = { end, killSuid: killSuidBits, time: t, taken: false, result: undefined };
    share.unstable.set(fileid, u);
  } else {
    if (end > u.end) u.end = end;
    u.killSuid ||= killSuidBits;
    u.time = t;
  }
  if (!stable) return { before: rec.attr, after: unstableAttr(rec.attr, u) };
  return persistDurably(share, fileid);
}

/** Stores the file's unstable write state (PersistMode); its attributes after. */
export async function persistWrites(
  reg: ShareRegistry,
  auth: AuthContext,
  h: FileHandle,
  mode: PersistMode = 'durable',
): Promise<FileAttr> {
  const { share, fileid, generation } = admit(reg, auth, h);
  await loadStored(share.store, share, fileid, generation);
  // SMB FLUSH with nothing of the file's own to store: what came before is synced all the same.
  const syncAnyway = mode === 'flush' && !share.unstable.has(fileid) && !share.persisting.has(fileid);
  if (mode === 'lazy') share.storedLazily.mark(fileid);
  const wcc = mode === 'lazy' ? await persist(share, fileid, true) : await persistDurably(share, fileid, syncAnyway);
  return wcc.after ?? (await loadFile(share.store, share, fileid)).attr;
}

/** Persists every unstable write of the share; a file removed meanwhile is skipped. */
export async function persistShare(share: ShareState): Promise<void> {
  const results = await Promise.allSettled(Array.from(share.unstable.keys(), (fileid) => persist(share, fileid)));
  for (const r of results) {
    if (r.status === 'rejected' && !isDittoError(r.reason, 'STALE_HANDLE')) throw r.reason;
  }
}

/**
 * Stores the file's unstable state durably. After a lazy store of the file (which a store
 * under way may be, and which this then shares), or with `syncAnyway`, an empty durable
 * transaction syncs what was committed lazily before.
 */
async function persistDurably(share: ShareState, fileid: number, syncAnyway = false): Promise<Wcc> {
  // Taken before: a lazy store starting later marks the file again.
  const lazyBefore = share.storedLazily.take(fileid);
  const wcc = await persist(share, fileid);
  if (lazyBefore || syncAnyway) await share.store.transaction(async () => undefined);
  return wcc;
}

function persist(share: ShareState, fileid: number, lazy = false): Promise<Wcc> {
  const u = share.unstable.get(fileid);
  if (u === undefined) {
    // Nothing recorded, but a transaction may be storing what was: wait for it.
    return share.persisting.get(fileid) ?? Promise.resolve({ before: undefined, after: undefined });
  }
  if (u.result !== undefined) return u.result;
  /** This transaction took `u` (its body may run again: PostgreSQL after a conflict). */
  let mine = false;
  const result = share.store.transaction(
    async (tx) => {
      // Taken at the start of the body: writes from now on record a new state for the next commit.
      if (!mine) {
        if (u.taken) return { before: undefined, after: undefined };
        takeUnstable(share, fileid);
        mine = true;
      }
      return applyWrite(tx, share, fileid, u);
    },
    lazy ? { lazy: true } : undefined,
  );
  u.result = result;
  share.persisting.set(fileid, result);
  const settle = (): void => {
    if (share.persisting.get(fileid) === result) share.persisting.delete(fileid);
  };
  result.then(settle, (err: unknown) => {
    settle();
    // A failed store write keeps the state in memory (a removed file has none to keep).
    if (u.taken && !isDittoError(err, 'STALE_HANDLE')) restoreUnstable(share, fileid, u);
  });
  return result;
}

async function applyWrite(tx: StoreTx, share: ShareState, fileid: number, u: UnstableWrite): Promise<Wcc> {
  const rec = await lockStored(tx, share, fileid);
  requireRegular(rec);
  const attr = unstableAttr(rec.attr, u);
  await tx.putFile({ ...rec, attr });
  return { before: rec.attr, after: attr };
}
