/**
 * Reading contents from S3 for the offloaded stores: a whole content (`cas/<sha256>`) with a
 * deadline, and the requested range of it.
 */
import { DittoError } from '../../../shared/errors.ts';
import type { BlockStore } from '../blockstore.ts';
import { withDeadline } from './deadline.ts';
import { remoteKey } from './garbage.ts';

export const DEFAULT_READ_TIMEOUT_MS = 10_000;

/** The whole content from S3; IO if it is missing or S3 does not answer within `timeoutMs`. */
export async function fetchContent(remote: BlockStore, hash: string, timeoutMs: number): Promise<Buffer> {
  let data: Buffer | undefined;
  try {
    data = await withDeadline(
      remote.get(remoteKey(hash)),
      timeoutMs,
      () => new DittoError('IO', `S3 did not answer within ${timeoutMs / 1000} s`),
    );
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    throw new DittoError('IO', `cannot read block ${hash.slice(0, 12)} from S3: ${why}`);
  }
  if (data === undefined) throw new DittoError('IO', `block ${hash.slice(0, 12)} is missing from S3`);
  return data;
}

/** Bytes [offset, offset + length) of a whole content (shorter where it ends), in `into` if it fits. */
export function rangeOf(whole: Buffer, offset: number, length: number | undefined, into?: Buffer): Buffer {
  const end = length === undefined ? whole.length : Math.min(whole.length, offset + length);
  const part = whole.subarray(Math.min(offset, whole.length), end);
  if (into !== undefined && into.length >= part.length) {
    part.copy(into);
    return into.subarray(0, part.length);
  }
  return part;
}
