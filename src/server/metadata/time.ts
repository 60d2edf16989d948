/** Server timestamps for atime/mtime/ctime/btime. */
import { performance } from 'node:perf_hooks';
import type { Timespec } from './types.ts';

/** Wall-clock ms of performance.now()'s zero, kept within the millisecond Date.now() gives. */
let perfOrigin = performance.timeOrigin;

/**
 * The wall clock in ms with sub-millisecond digits. Date.now() alone stamps up to 1 ms in the
 * past, which a client comparing with its own nanosecond clock sees as time running backwards
 * (smbtorture's delayed-2write checks a close's write time is after it sent the close). The
 * monotonic clock drifts from the wall clock (NTP): it is shifted back into Date.now()'s
 * millisecond whenever it leaves it.
 */
function preciseMs(): number {
  const ms = Date.now();
  let t = perfOrigin + performance.now();
  if (t < ms || t >= ms + 1) {
    perfOrigin += ms - Math.floor(t);
    t = perfOrigin + performance.now();
  }
  return t;
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
