/** File I/O helpers of the block store: positioned reads and writes, syncs, errors as DittoErrors. */
import { closeSync, fdatasync, fsync, openSync } from 'node:fs';
import { DittoError } from '../../../../shared/errors.ts';
import { quickReads, quickWrites } from '../../quick-io.ts';

/** fdatasync (data: a block file) or fsync (a directory) of an open descriptor, on the threadpool. */
export function syncFd(fd: number, data: boolean): Promise<void> {
  return new Promise((resolve, reject) => (data ? fdatasync : fsync)(fd, (err) => (err ? reject(err) : resolve())));
}

/** fdatasync of a file or fsync of a directory; one removed since has nothing left to make durable. */
export async function syncPath(path: string, data: boolean): Promise<void> {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (err) {
    if (errno(err) === 'ENOENT') return;
    throw err;
  }
  try {
    await syncFd(fd, data);
  } finally {
    closeSync(fd);
  }
}

/** Writes all of `data` at `position` (usually one system call). */
export async function writeAll(fd: number, data: Buffer, position: number): Promise<void> {
  for (let done = 0; done < data.length;) {
    done += await quickWrites.write(fd, data, done, data.length - done, position + done);
  }
}

// On a descriptor the caller holds open: reads and small writes on the event loop while they
// are quick (quick-io.ts).

export function pread(fd: number, buf: Buffer, at: number, length: number, position: number): Promise<number> {
  return quickReads.read(fd, buf, at, length, position);
}

export function errno(err: unknown): string | undefined {
  return (err as NodeJS.ErrnoException | undefined)?.code;
}

export function fsError(err: unknown): DittoError {
  if (err instanceof DittoError) return err;
  const code = errno(err);
  const detail = err instanceof Error ? err.message : String(err);
  return new DittoError(code === 'ENOSPC' || code === 'EDQUOT' ? 'NO_SPACE' : 'IO', detail);
}
