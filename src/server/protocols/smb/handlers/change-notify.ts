/**
 * MS-SMB2 §3.3.5.19 CHANGE_NOTIFY: reports changes in a directory. Changes since the last
 * report on this open come back at once; otherwise the request goes asynchronous (interim
 * STATUS_PENDING) and completes when the directory changes, with STATUS_CANCELLED on CANCEL
 * and STATUS_NOTIFY_CLEANUP when the directory is closed. Too many changes for the client's
 * buffer: STATUS_NOTIFY_ENUM_DIR (re-list).
 */
import { HEADER_SIZE, Status } from '../constants.ts';
import { ERROR_BODY, openOf, outputBuffer, SmbStatusError, type SmbHandler, type SmbReply } from '../handler.ts';
import { diff, encodeChanges, listing, POLL_MS, type Listing } from '../notify.ts';
import { LeReader } from '../reader.ts';
import type { Open } from '../state.ts';

function changed(before: Listing, after: Listing, max: number): SmbReply | undefined {
  if (before === 'too-large' || after === 'too-large')
    return before === after ? undefined : { status: Status.NOTIFY_ENUM_DIR, body: ERROR_BODY };
  const changes = diff(before, after);
  if (changes.length === 0) return undefined;
  const data = encodeChanges(changes, max);
  if (!data) return { status: Status.NOTIFY_ENUM_DIR, body: ERROR_BODY };
  return outputBuffer(Status.SUCCESS, data);
}

export const changeNotify: SmbHandler = {
  name: 'CHANGE_NOTIFY',
  needsSession: true,
  needsTree: true,
  async run(ctx) {
    const r = new LeReader(ctx.msg, HEADER_SIZE);
    if (r.u16() !== 32) throw new SmbStatusError(Status.INVALID_PARAMETER);
    r.u16(); // Flags (WATCH_TREE: only the directory itself is compared)
    const max = r.u32();
    const open = openOf(ctx, r.u64(), r.u64());
    if (!r.ok || !open.isDirectory || !ctx.session) throw new SmbStatusError(Status.INVALID_PARAMETER);
    if (max > ctx.server.settings.maxIoSize) throw new SmbStatusError(Status.INVALID_PARAMETER);
    const md = ctx.server.runtime.metadata;
    const auth = ctx.session.auth;
    const now = await listing(md, auth, open.handle);
    const watch = (open.watch ??= { snapshot: now });
    const ready = changed(watch.snapshot, now, max);
    watch.snapshot = now;
    if (ready) return ready;
    if (watch.waiting) throw new SmbStatusError(Status.INSUFFICIENT_RESOURCES); // one waiting request per open
    return wait(watch, () => listing(md, auth, open.handle), max);
  },
};

function wait(watch: NonNullable<Open['watch']>, list: () => Promise<Listing>, max: number): SmbReply {
  let timer: NodeJS.Timeout | undefined;
  let settle!: (reply: SmbReply) => void;
  const later = new Promise<SmbReply>((resolve) => (settle = resolve));
  const finish = (reply: SmbReply): void => {
    clearTimeout(timer);
    if (watch.waiting === undefined) return;
    watch.waiting = undefined;
    settle(reply);
  };
  watch.waiting = (status) => finish({ status, body: ERROR_BODY });
  const poll = async (): Promise<void> => {
    if (watch.waiting === undefined) return;
    try {
      const now = await list();
      const ready = changed(watch.snapshot, now, max);
      watch.snapshot = now;
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
