/**
 * Reads logged bytes back out of the write log's segments: spilled slices (docs/write-log.md
 * "Spilling") are read from there until carved. One descriptor per segment for the reader's
 * life; `close` when done. A segment that is gone was reclaimed, so its records are carved:
 * the error says so (`code` ENOENT) and the caller reads the blocks instead.
 */
import { closeSync, openSync } from 'node:fs';
import path from 'node:path';
import { DittoError } from '../../../shared/errors.ts';
import { quickReads } from '../../payload/quick-io.ts';
import type { LogPlace } from './log.ts';

export class LogReader {
  private readonly fds = new Map<string, number>();

  constructor(private readonly dir: string) {}

  /** Fills `into` with the logged bytes from `place.at` on. */
  async read(place: LogPlace, into: Buffer): Promise<void> {
    let fd = this.fds.get(place.segment);
    if (fd === undefined) {
      // Opening an existing file takes microseconds: on the loop, not a threadpool round trip.
      fd = openSync(path.join(this.dir, place.segment), 'r');
      this.fds.set(place.segment, fd);
    }
    for (let done = 0; done < into.length;) {
      const n = await quickReads.read(fd, into, done, into.length - done, place.at + done);
      if (n === 0) throw new DittoError('IO', `write log: ${place.segment} ends before record ${place.lsn} does`);
      done += n;
    }
  }

  close(): void {
    for (const fd of this.fds.values()) closeSync(fd);
    this.fds.clear();
  }
}
