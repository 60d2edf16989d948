/**
 * The last-write time an SMB client sees for an open it writes through (MS-FSA §2.1.4.17,
 * §2.1.5.4; Windows and Samba 4.17 behave so): the first write after open does not change it
 * at once; it moves about two seconds later, or sooner at a FLUSH, an end-of-file change or
 * any FileBasicInformation set. Writes after that change it no more until CLOSE, which then
 * stamps the time of the close. An explicit write time set by a client stays as set.
 * FileBasicInformation's -1 (MS-FSCC §2.4.7 "freeze") keeps the write time as it is for
 * this open whatever it writes; -2 thaws it.
 *
 * The store's mtime still moves with every write (NFS clients and the share's folder see
 * it at once); only what SMB reports for this open is held back, and CLOSE stores what was
 * reported. All state lives on the open: no timers, the delay is checked when asked.
 */
import type { FileAttr, Timespec } from '../../metadata/types.ts';

/** How long the first write's time update waits (Samba's default, what Windows shows). */
export const WRITE_TIME_DELAY_MS = 2000;

export interface WriteTimeState {
  /** What the client sees instead of the store's mtime; undefined: the store's mtime. */
  shown: Timespec | undefined;
  /** While set (ms since the epoch), the first write's update is due at that time. */
  dueAt: number | undefined;
  /** A write came after the delayed update: CLOSE stamps its own time. */
  updateOnClose: boolean;
  /** Frozen by the client (-1): `shown` stays and CLOSE stores it back. */
  frozen: boolean;
}

interface WithWriteTime {
  writeTime?: WriteTimeState;
}

function pendingShown(s: WriteTimeState, nowMs: number): Timespec | undefined {
  if (s.frozen || s.dueAt === undefined) return s.shown;
  return nowMs < s.dueAt ? s.shown : undefined;
}

/** Before a WRITE's change is recorded; `before` is the file as it was. */
export function noteWrite(open: WithWriteTime, before: FileAttr, nowMs = Date.now()): void {
  const s = open.writeTime;
  if (s === undefined) {
    open.writeTime = { shown: before.mtime, dueAt: nowMs + WRITE_TIME_DELAY_MS, updateOnClose: false, frozen: false };
    return;
  }
  if (s.frozen) return;
  if (s.dueAt !== undefined) {
    if (nowMs < s.dueAt) return;
    // The delayed update happened: from now on the time is held until CLOSE.
    s.dueAt = undefined;
    s.shown = before.mtime;
  }
  s.shown ??= before.mtime;
  s.updateOnClose = true;
}

/** FLUSH, an end-of-file change or a basic-information set: a pending update happens now. */
export function settleWriteTime(open: WithWriteTime): void {
  const s = open.writeTime;
  if (s === undefined || s.frozen || s.dueAt === undefined) return;
  s.dueAt = undefined;
  s.shown = undefined;
}

/** A client set the write time itself: it stays as set, CLOSE included. */
export function writeTimeSet(open: WithWriteTime): void {
  const s = open.writeTime;
  if (s === undefined) return;
  s.shown = undefined;
  s.dueAt = undefined;
  s.updateOnClose = false;
  s.frozen = false;
}

/** FileBasicInformation's LastWriteTime -1: held at `current` for this open. */
export function freezeWriteTime(open: WithWriteTime, current: Timespec): void {
  open.writeTime = { shown: current, dueAt: undefined, updateOnClose: false, frozen: true };
}

/** LastWriteTime -2: updates resume (the next write starts a delayed update). */
export function thawWriteTime(open: WithWriteTime): void {
  if (open.writeTime?.frozen) open.writeTime = undefined;
}

/** The attributes as this open's client should see them. */
export function shownAttr(open: WithWriteTime, attr: FileAttr, nowMs = Date.now()): FileAttr {
  const s = open.writeTime;
  if (s === undefined) return attr;
  const shown = pendingShown(s, nowMs);
  return shown === undefined ? attr : { ...attr, mtime: shown };
}

/**
 * At CLOSE: the write time to store, if it must change — the close's own time after writes
 * that followed the delayed update, or the frozen time after writes that moved it.
 */
export function writeTimeAtClose(open: WithWriteTime, closeTime: Timespec): Timespec | undefined {
  const s = open.writeTime;
  if (s === undefined) return undefined;
  const stamp = s.frozen ? s.shown : s.updateOnClose ? closeTime : undefined;
  // Asked once per close: a second call (CLOSE, then the shared close path) stores nothing.
  s.frozen = false;
  s.updateOnClose = false;
  return stamp;
}
