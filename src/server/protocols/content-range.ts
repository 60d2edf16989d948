/**
 * Bulk content operations the protocols share: server-side copy (NFSv4.2 COPY, SMB2
 * FSCTL_SRV_COPYCHUNK), writing zeros over a range (NFSv4.2 DEALLOCATE, FSCTL_SET_ZERO_DATA)
 * and finding which parts of a range hold data (FSCTL_QUERY_ALLOCATED_RANGES). Content is
 * moved through PayloadOps in chunks, so a large request holds little memory at a time.
 */
import type { PayloadOps } from '../payload/types.ts';

/** A file's content: where PayloadOps finds it. */
export interface ContentRef {
  share: string;
  payloadId: string;
}

/** Bytes moved per payload call. */
export const IO_CHUNK = 1024 * 1024;
const ZEROS = Buffer.alloc(IO_CHUNK);

/** Writes zeros over [offset, end) of a file's content. */
export async function zeroRange(payload: PayloadOps, file: ContentRef, offset: number, end: number): Promise<void> {
  for (let at = offset; at < end; at += IO_CHUNK) {
    await payload.writeAt(file.share, file.payloadId, ZEROS.subarray(0, Math.min(IO_CHUNK, end - at)), at);
  }
}

/**
 * Copies `count` bytes from one file's content to another's (any shares), chunk by chunk. A
 * copy within one file whose ranges overlap is exact only up to IO_CHUNK bytes (each chunk is
 * read whole before it is written); callers refuse or bound longer ones.
 */
export async function copyRange(
  payload: PayloadOps,
  src: ContentRef,
  srcOffset: number,
  dst: ContentRef,
  dstOffset: number,
  count: number,
): Promise<void> {
  for (let done = 0; done < count; done += IO_CHUNK) {
    const n = Math.min(IO_CHUNK, count - done);
    const data = await payload.readAt(src.share, src.payloadId, srcOffset + done, n);
    await payload.writeAt(dst.share, dst.payloadId, data, dstOffset + done);
  }
}

/** A run of bytes: [offset, offset + length). */
export interface ByteRange {
  offset: number;
  length: number;
}

/** The granule data ranges are found in: a block holding only zeros is reported as a hole. */
export const DATA_GRANULE = 4096;

/**
 * The parts of [offset, end) that hold data, as a file system that frees all-zero 4 KiB
 * blocks reports them (XFS, Btrfs): the payload stores keep no hole map, so the content is
 * read and every aligned granule that is not all zeros counts as data, merged into runs and
 * clipped to [offset, end). Past `scanLimit` bytes nothing more is read and the rest of the
 * range counts as data (always a correct answer: allocated ranges may hold zeros).
 */
export async function dataRanges(
  payload: PayloadOps,
  file: ContentRef,
  offset: number,
  end: number,
  scanLimit: number,
): Promise<ByteRange[]> {
  const ranges: ByteRange[] = [];
  const add = (from: number, to: number): void => {
    const last = ranges[ranges.length - 1];
    if (last && last.offset + last.length === from) last.length += to - from;
    else ranges.push({ offset: from, length: to - from });
  };
  const scanEnd = Math.min(end, offset + scanLimit);
  let at = offset - (offset % DATA_GRANULE);
  while (at < scanEnd) {
    const n = Math.min(IO_CHUNK, scanEnd - at);
    const data = await payload.readAt(file.share, file.payloadId, at, n);
    for (let g = 0; g < n; g += DATA_GRANULE) {
      const granule = data.subarray(g, Math.min(g + DATA_GRANULE, n));
      if (!granule.equals(ZEROS.subarray(0, granule.length))) {
        add(Math.max(at + g, offset), Math.min(at + g + granule.length, scanEnd));
      }
    }
    at += n;
  }
  if (scanEnd < end) add(scanEnd, end);
  return ranges;
}
