/**
 * MS-SMB2 §3.3.5.19 CHANGE_NOTIFY: reports changes in a directory, as MetadataService's
 * change feed tells them (any protocol; SMB adds attribute changes and deletes of the
 * directory), else as a listing compared with the last one shows them. Only the changes the
 * handle's CompletionFilter asks for count. Changes since the last report on this open come
 * back at once; otherwise the request goes asynchronous (interim STATUS_PENDING) and
 * completes when the directory changes, with STATUS_CANCELLED on CANCEL, STATUS_NOTIFY_CLEANUP
 * when the directory is closed and STATUS_DELETE_PENDING when another open deletes it. Too
 * many changes for the client's buffer (or for the handle's, while none waits):
 * STATUS_NOTIFY_ENUM_DIR (re-list).
 */
import { HEADER_SIZE, Status } from '../constants.ts';
import {
  ERROR_BODY,
  openOf,
  outputBuffer,
  SmbStatusError,
  type SmbContext,
  type SmbHandler,
  type SmbReply,
} from '../handler.ts';
import type { DirChange, DirChangeAction } from '../../../metadata/change-feed.ts';
import {
  diff,
  encodeChanges,
  encodedSize,
  listing,
  NotifyAction,
  POLL_MS,
  wanted,
  type Change,
  type Listing,
} from '../notify.ts';
import { LeReader } from '../reader.ts';
import { Access } from '../share-modes.ts';
import type { Open, Watch } from '../state.ts';

const ACTIONS: Record<Exclude<DirChangeAction, 'delete-pending'>, number> = {
  added: NotifyAction.ADDED,
  removed: NotifyAction.REMOVED,
  'renamed-from': NotifyAction.RENAMED_OLD_NAME,
  'renamed-to': NotifyAction.RENAMED_NEW_NAME,
  modified: NotifyAction.MODIFIED,
};
const ENUM_DIR: SmbReply = { status: Status.NOTIFY_ENUM_DIR, body: ERROR_BODY };

function reply(changes: Change[], max: number): SmbReply | undefined {
  if (changes.length === 0) return undefined;
  const data = encodeChanges(changes, max);
  if (!data) return ENUM_DIR;
  return outputBuffer(Status.SUCCESS, data);
}

/** Takes the buffered changes (or the overflow) as a reply. */
function takeBuffered(watch: Watch, max: number): SmbReply | undefined {
  watch.bufferedBytes = 0;
  if (watch.overflowed) {
    watch.overflowed = false;
    watch.events.length = 0;
    return ENUM_DIR;
  }
  return reply(watch.events.splice(0), max);
}

/**
 * The reply for what changed since the last one: the changes reported, or (none reported)
 * the difference between the listing compared last and `now`.
 */
function changed(watch: Watch, now: Listing, max: number): SmbReply | undefined {
  if (watch.deletePending) return { status: Status.DELETE_PENDING, body: ERROR_BODY };
  const before = watch.snapshot;
  watch.snapshot = now;
  if (watch.fed) {
    watch.fed = false;
    return takeBuffered(watch, max);
  }
  if (before === 'too-large' || now === 'too-large') return before === now ? undefined : ENUM_DIR;
  return reply(
    diff(before, now).filter((c) => wanted(watch.filter, c)),
    max,
  );
}

function record(watch: Watch, c: DirChange): void {
  if (c.action === 'delete-pending') {
    watch.deletePending = true;
    watch.waiting?.(Status.DELETE_PENDING);
    return;
  }
  const change: Change = { action: ACTIONS[c.action], name: c.name, directory: c.directory };
  if (!wanted(watch.filter, change)) return;
  watch.fed = true;
  if (!watch.waiting) {
    // Kept for the next request up to the handle's buffer size, then dropped for a re-list.
    if (watch.overflowed) return;
    watch.bufferedBytes += encodedSize(change);
    if (watch.bufferedBytes > watch.maxBuffer) {
      watch.overflowed = true;
      watch.events.length = 0;
      return;
    }
  }
  watch.events.push(change);
  watch.wake?.();
}

function startWatch(ctx: SmbContext, open: Open, now: Listing, filter: number, maxBuffer: number): Watch {
  const md = ctx.server.runtime.metadata;
  const watch: Watch = {
    snapshot: now,
    events: [],
    fed: false,
    filter,
    maxBuffer,
    bufferedBytes: 0,
    overflowed: false,
    deletePending: false,
    unsubscribe: () => undefined,
  };
  watch.unsubscribe = md.changes.subscribe(md.changeKey(open.handle), (c) => record(watch, c));
  return watch;
}

export const changeNotify: SmbHandler = {
  name: 'CHANGE_NOTIFY',
  needsSession: true,
  needsTree: true,
  async run(ctx) {
    const r = new LeReader(ctx.msg, HEADER_SIZE);
    if (r.u16() !== 32) throw new SmbStatusError(Status.INVALID_PARAMETER);
    r.u16(); // Flags (WATCH_TREE: only the directory itself is watched)
    const max = r.u32();
    const open = openOf(ctx, r.u64(), r.u64());
    const filter = r.u32();
    if (!r.ok || !open.isDirectory || !ctx.session) throw new SmbStatusError(Status.INVALID_PARAMETER);
    if (max > ctx.server.settings.maxIoSize) throw new SmbStatusError(Status.INVALID_PARAMETER);
    // MS-SMB2 §3.3.5.19: the open must have been granted FILE_LIST_DIRECTORY.
    if (!(open.desiredAccess & Access.READ_DATA)) throw new SmbStatusError(Status.ACCESS_DENIED);
    const md = ctx.server.runtime.metadata;
    const auth = ctx.session.auth;
    const now = await listing(md, auth, open.handle);
    const watch = (open.watch ??= startWatch(ctx, open, now, filter, max));
    const ready = changed(watch, now, max);
    if (ready) return ready;
    if (watch.waiting) throw new SmbStatusError(Status.INSUFFICIENT_RESOURCES); // one waiting request per open
    return wait(watch, () => listing(md, auth, open.handle), max);
  },
};

function wait(watch: Watch, list: () => Promise<Listing>, max: number): SmbReply {
  let timer: NodeJS.Timeout | undefined;
  let settle!: (reply: SmbReply) => void;
  const later = new Promise<SmbReply>((resolve) => (settle = resolve));
  const finish = (r: SmbReply): void => {
    clearTimeout(timer);
    if (watch.waiting === undefined) return;
    watch.waiting = undefined;
    watch.wake = undefined;
    settle(r);
  };
  watch.waiting = (status) => finish({ status, body: ERROR_BODY });
  // A reported change completes the request at once; the listing is refreshed by the next poll.
  watch.wake = () => {
    const r = reply(watch.events.splice(0), max);
    if (r) finish(r);
  };
  const poll = async (): Promise<void> => {
    if (watch.waiting === undefined) return;
    try {
      const ready = changed(watch, await list(), max);
      if (ready) return finish(ready);
    } catch {
      // The directory went away or cannot be read now: the handle is as good as closed.
      return finish({ status: Status.NOTIFY_CLEANUP, body: ERROR_BODY });
    }
    timer = setTimeout(() => void poll(), POLL_MS);
  };
  timer = setTimeout(() => void poll(), POLL_MS);
  return { status: Status.PENDING, body: ERROR_BODY, later, cancel: () => watch.waiting?.(Status.CANCELLED) };
}
