import { describe, expect, it } from 'vitest';
import type { FileAttr, Timespec } from '../../metadata/types.ts';
import {
  freezeWriteTime,
  noteWrite,
  settleWriteTime,
  shownAttr,
  thawWriteTime,
  WRITE_TIME_DELAY_MS,
  writeTimeAtClose,
  type WriteTimeState,
} from './write-time.ts';

const t = (sec: number): Timespec => ({ sec, nsec: 0 });
const file = (mtimeSec: number): FileAttr => ({ mtime: t(mtimeSec) }) as FileAttr;

describe('delayed last-write time of an SMB open', () => {
  it('holds the first write back until the delay, then shows the store; later writes wait for CLOSE', () => {
    const open: { writeTime?: WriteTimeState } = {};
    noteWrite(open, file(100), 0);
    expect(shownAttr(open, file(101), 10).mtime).toEqual(t(100));
    expect(shownAttr(open, file(101), WRITE_TIME_DELAY_MS).mtime).toEqual(t(101));
    noteWrite(open, file(101), WRITE_TIME_DELAY_MS + 1);
    expect(shownAttr(open, file(105), WRITE_TIME_DELAY_MS + 5000).mtime).toEqual(t(101));
    expect(writeTimeAtClose(open, t(200))).toEqual(t(200));
  });

  it('a flush makes the pending update happen at once and nothing is stamped at CLOSE', () => {
    const open: { writeTime?: WriteTimeState } = {};
    noteWrite(open, file(100), 0);
    settleWriteTime(open);
    expect(shownAttr(open, file(101), 10).mtime).toEqual(t(101));
    expect(writeTimeAtClose(open, t(200))).toBeUndefined();
  });

  it('a frozen time stays through writes and is stored back at CLOSE; thaw forgets it', () => {
    const open: { writeTime?: WriteTimeState } = {};
    freezeWriteTime(open, t(50));
    noteWrite(open, file(50), 0);
    expect(shownAttr(open, file(60), 10_000).mtime).toEqual(t(50));
    expect(writeTimeAtClose(open, t(200))).toEqual(t(50));
    expect(writeTimeAtClose(open, t(201))).toBeUndefined();
    const thawed: { writeTime?: WriteTimeState } = {};
    freezeWriteTime(thawed, t(50));
    thawWriteTime(thawed);
    expect(shownAttr(thawed, file(60), 10_000).mtime).toEqual(t(60));
  });
});
