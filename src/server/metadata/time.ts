/** Server timestamps for atime/mtime/ctime/btime. */
import { performance } from 'node:perf_hooks';
import type { Timespec } from './types.ts';

/**
 * Bounds on the offset from performance.now() to the wall clock, narrowed by every reading:
 * Date.now() only says which millisecond the wall clock is in, and each reading at another
 * point within its millisecond cuts the range. A clock step (NTP, a VM resumed) shows as a
 * reading outside the range, which then starts again from that reading.
 */
let offsetLow = Number.NEGATIVE_INFINITY;
let offsetHigh = Number.POSITIVE_INFINITY;

/**
 * The wall clock in ms with sub-millisecond digits, never behind it: the high bound of the
 * offset, at most a millisecond ahead just after a step and within microseconds once a few
 * readings have narrowed it. Date.now() alone stamps up to 1 ms in the past, and so did a
 * guess inside that millisecond: a client comparing with its own nanosecond clock saw time
 * running backwards (smbtorture's delayed-2write checks that a close's write time is after the
 * moment the client sent the close).
 */
function preciseMs(): number {
  const before = performance.now();
  const ms = Date.now();
  const after = performance.now();
  const low = ms - after;
  const high = ms + 1 - before;
  if (low > offsetHigh || high < offsetLow) {
    offsetLow = low;
    offsetHigh = high;
  } else {
    if (low > offsetLow) offsetLow = low;
    if (high < offsetHigh) offsetHigh = high;
  }
  return offsetHigh + after;
}

let lastSec = 0;
let lastNsec = 0;

/**
 * The current time, strictly increasing from call to call: clients notice changes by
 * mtime/ctime (RFC 1813 §2.6 wcc_data), so two changes within one millisecond must still
 * get different times. A clock stepped backwards holds time still until it catches up.
 */
export function now(): Timespec {
  const ms = preciseMs();
  let sec = Math.floor(ms / 1000);
  let nsec = Math.min(999_999_999, Math.floor((ms - sec * 1000) * 1_000_000));
  if (sec < lastSec || (sec === lastSec && nsec <= lastNsec)) {
    sec = lastSec;
    nsec = lastNsec + 1;
    if (nsec === 1_000_000_000) {
      sec++;
      nsec = 0;
    }
  }
  lastSec = sec;
  lastNsec = nsec;
  return { sec, nsec };
}

export function sameTime(a: Timespec, b: Timespec): boolean {
  return a.sec === b.sec && a.nsec === b.nsec;
}
