/**
 * Directory change watching for CHANGE_NOTIFY (MS-SMB2 §3.3.5.19): a watched directory's
 * listing is compared with the one taken at the last report, so changes made through any
 * protocol, or in a folder share's folder on this computer, are seen. Checked when a
 * request arrives and then every `POLL_MS` while one waits; only the directory itself, not
 * its subtree, is compared.
 */
import type { AuthContext, FileHandle, MetadataOps } from '../../metadata/types.ts';
import { LeWriter } from './writer.ts';

export const POLL_MS = 1000;
/** Larger directories are not compared entry by entry: the client is told to re-list (NOTIFY_ENUM_DIR). */
const MAX_ENTRIES = 20_000;

/** MS-FSCC §2.7.1 FILE_NOTIFY_INFORMATION actions. */
export const NotifyAction = { ADDED: 1, REMOVED: 2, MODIFIED: 3, RENAMED_OLD_NAME: 4, RENAMED_NEW_NAME: 5 } as const;

interface EntryState {
  fileid: number;
  mtime: string;
  size: number;
}

export type Listing = Map<string, EntryState> | 'too-large';

export interface Change {
  action: number;
  name: string;
}

export async function listing(md: MetadataOps, auth: AuthContext, dir: FileHandle): Promise<Listing> {
  const out = new Map<string, EntryState>();
  let cookie = 0;
  let verifier: Buffer | undefined;
  for (;;) {
    const page = await md.readDir(auth, dir, cookie, verifier, 1024);
    for (const e of page.entries)
      out.set(e.name, { fileid: e.fileid, mtime: `${e.attr.mtime.sec}.${e.attr.mtime.nsec}`, size: e.attr.size });
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
    if (to === undefined) changes.push({ action: NotifyAction.REMOVED, name: old });
    else
      changes.push(
        { action: NotifyAction.RENAMED_OLD_NAME, name: old },
        { action: NotifyAction.RENAMED_NEW_NAME, name: to },
      );
  }
  const renamedNew = new Set(renamedTo.values());
  for (const n of added) if (!renamedNew.has(n)) changes.push({ action: NotifyAction.ADDED, name: n });
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
