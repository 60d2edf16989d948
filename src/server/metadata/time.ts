/** Server timestamps for atime/mtime/ctime/btime. */
import type { Timespec } from './types.ts';

let lastSec = 0;
let lastNsec = 0;

/**
 * The current time, strictly increasing from call to call: clients notice changes by
 * mtime/ctime (RFC 1813 §2.6 wcc_data), so two changes within one millisecond must still
 * get different times. A clock stepped backwards holds time still until it catches up.
 */
export function now(): Timespec {
  const ms = Date.now();
  let sec = Math.floor(ms / 1000);
  let nsec = (ms - sec * 1000) * 1_000_000;
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
