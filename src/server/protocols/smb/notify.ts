/**
 * Directory change watching for CHANGE_NOTIFY (MS-SMB2 §3.3.5.19): a watched directory's
 * listing is compared with the one taken at the last report, so changes made through any
 * protocol, or in a folder share's folder on this computer, are seen. Checked when a
 * request arrives and then every `POLL_MS` while one waits; only the directory itself, not
 * its subtree, is compared.
 */
import { FileType, type AuthContext, type FileHandle, type MetadataOps } from '../../metadata/types.ts';
import { LeWriter } from './writer.ts';
import type { DirChange } from '../../metadata/change-feed.ts';

export const POLL_MS = 1000;
/** Larger directories are not compared entry by entry: the client is told to re-list (NOTIFY_ENUM_DIR). */
const MAX_ENTRIES = 20_000;

/** MS-FSCC §2.7.1 FILE_NOTIFY_INFORMATION actions. */
export const NotifyAction = { ADDED: 1, REMOVED: 2, MODIFIED: 3, RENAMED_OLD_NAME: 4, RENAMED_NEW_NAME: 5 } as const;

interface EntryState {
  fileid: number;
  mtime: string;
  size: number;
  directory?: boolean;
}

export type Listing = Map<string, EntryState> | 'too-large';

export interface Change {
  action: number;
  name: string;
  /** Whether the entry is a directory; undefined when not known. */
  directory?: boolean;
}

/** MS-SMB2 §2.2.35 CompletionFilter bits. */
export const NotifyFilter = { FILE_NAME: 0x1, DIR_NAME: 0x2, ALL: 0xfff } as const;
const NAME_BITS = NotifyFilter.FILE_NAME | NotifyFilter.DIR_NAME;

/**
 * Whether a client's CompletionFilter asks for a change: name changes by FILE_NAME or
 * DIR_NAME (either when the kind is unknown), MODIFIED by any other bit (attributes, size,
 * times, EAs, security: which of them changed is not tracked).
 */
export function wanted(filter: number, c: Change): boolean {
  if (c.action !== NotifyAction.MODIFIED) {
    const bits = c.directory === undefined ? NAME_BITS : c.directory ? NotifyFilter.DIR_NAME : NotifyFilter.FILE_NAME;
    return (filter & bits) !== 0;
  }
  return (filter & ~NAME_BITS) !== 0;
}

/** Bytes one change takes in a FILE_NOTIFY_INFORMATION chain (with its alignment). */
export function encodedSize(c: Change): number {
  return (12 + c.name.length * 2 + 3) & ~3;
}

export async function listing(md: MetadataOps, auth: AuthContext, dir: FileHandle): Promise<Listing> {
  const out = new Map<string, EntryState>();
  let cookie = 0;
  let verifier: Buffer | undefined;
  for (;;) {
    const page = await md.readDir(auth, dir, cookie, verifier, 1024);
    for (const e of page.entries)
      out.set(e.name, {
        fileid: e.fileid,
        mtime: `${e.attr.mtime.sec}.${e.attr.mtime.nsec}`,
        size: e.attr.size,
        directory: e.attr.type === FileType.Directory,
      });
    if (out.size > MAX_ENTRIES) return 'too-large';
    if (page.eof || page.entries.length === 0) return out;
    cookie = (page.entries[page.entries.length - 1] as { cookie: number }).cookie;
    verifier = page.verifier;
  }
}

/** What changed from `before` to `after`; a name gone and another come with the same file id is a rename. */
export function diff(before: Map<string, EntryState>, after: Map<string, EntryState>): Change[] {
  const changes: Change[] = [];
  const added = [...after.keys()].filter((n) => !before.has(n));
  const removed = [...before.keys()].filter((n) => !after.has(n));
  const renamedTo = new Map<string, string>();
  for (const old of removed) {
    const id = before.get(old)?.fileid;
    const to = added.find((n) => after.get(n)?.fileid === id && ![...renamedTo.values()].includes(n));
    if (to !== undefined) renamedTo.set(old, to);
  }
  for (const old of removed) {
    const to = renamedTo.get(old);
    if (to === undefined)
      changes.push({ action: NotifyAction.REMOVED, name: old, directory: before.get(old)?.directory });
    else
      changes.push(
        { action: NotifyAction.RENAMED_OLD_NAME, name: old },
        { action: NotifyAction.RENAMED_NEW_NAME, name: to },
      );
  }
  const renamedNew = new Set(renamedTo.values());
  for (const n of added)
    if (!renamedNew.has(n)) changes.push({ action: NotifyAction.ADDED, name: n, directory: after.get(n)?.directory });
  for (const [n, now] of after) {
    const was = before.get(n);
    if (was && (was.mtime !== now.mtime || was.size !== now.size))
      changes.push({ action: NotifyAction.MODIFIED, name: n });
  }
  return changes;
}

/** FILE_NOTIFY_INFORMATION entries, 4-byte aligned and chained; undefined when they exceed `max`. */
export function encodeChanges(changes: Change[], max: number): Buffer | undefined {
  const w = new LeWriter(256);
  let last = -1;
  for (const c of changes) {
    w.align(4);
    if (last >= 0) w.setU32(last, w.length - last);
    last = w.length;
    const name = Buffer.from(c.name, 'utf16le');
    w.u32(0).u32(c.action).u32(name.length).bytes(name);
  }
  return w.length > max ? undefined : Buffer.from(w.finish());
}

/** Tells CHANGE_NOTIFY watchers of `dir` what only SMB sees (attribute sets, a delete pending); a stale `dir` has none. */
export function announce(md: MetadataOps, dir: FileHandle, change: DirChange): void {
  let key: string;
  try {
    key = md.changeKey(dir);
  } catch {
    return;
  }
  md.changes.emit(key, change);
}
