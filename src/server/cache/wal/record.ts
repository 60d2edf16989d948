/**
 * Write-log records. Each record is a fixed header, the payload id (UTF-8) and, for a write,
 * the bytes; a CRC-32C over everything after the CRC field catches torn and corrupt tails.
 *
 *   0  u32  magic 'DWL1'
 *   4  u32  CRC-32C of bytes 8 .. end
 *   8  u64  LSN (sequence number, +1 per record across segments)
 *  16  u8   kind (write, truncate, invalidate)
 *  17  u8   reserved (0)
 *  18  u16  payload id length
 *  20  u64  offset (write, invalidate) or size (truncate)
 *  28  u32  data length (write) or range length (invalidate)
 *  32  ...  payload id, then data
 */
import { crc32c } from '@node-rs/crc32';

export const RECORD_MAGIC = 0x44574c31;
export const HEADER_SIZE = 32;
const MAX_ID_BYTES = 0xffff;

export const RecordKind = {
  /** Bytes at an offset. */
  write: 1,
  /** Content past `offset` dropped (already applied to the block store when logged). */
  truncate: 2,
  /** [offset, offset + length) was written straight to the block store and made durable there. */
  invalidate: 3,
} as const;
export type RecordKind = (typeof RecordKind)[keyof typeof RecordKind];

export interface LogRecord {
  lsn: number;
  kind: RecordKind;
  payloadId: string;
  offset: number;
  /** Write: the bytes (a view into the segment read). Other kinds: empty. */
  data: Buffer;
  /** Invalidate: the range length; write: data.length; truncate: 0. */
  length: number;
}

export type RecordInput = Omit<LogRecord, 'lsn'>;

/** The record's size in bytes. */
export function recordSize(r: RecordInput): number {
  return HEADER_SIZE + Buffer.byteLength(r.payloadId, 'utf8') + r.data.length;
}

/** The whole record as one buffer, ready to append. */
export function encodeRecord(lsn: number, r: RecordInput): Buffer {
  const out = Buffer.allocUnsafe(recordSize(r));
  encodeRecordInto(out, 0, lsn, r);
  return out;
}

/**
 * Writes the record into `buf` at `at` (recordSize bytes): a batch of records goes into one
 * buffer, one allocation per write to the log instead of one per record.
 */
export function encodeRecordInto(buf: Buffer, at: number, lsn: number, r: RecordInput): void {
  const idLength = Buffer.byteLength(r.payloadId, 'utf8');
  if (idLength > MAX_ID_BYTES) throw new RangeError('payload id too long for a log record');
  const end = at + HEADER_SIZE + idLength + r.data.length;
  buf.writeUInt32LE(RECORD_MAGIC, at);
  buf.writeBigUInt64LE(BigInt(lsn), at + 8);
  buf.writeUInt8(r.kind, at + 16);
  buf.writeUInt8(0, at + 17);
  buf.writeUInt16LE(idLength, at + 18);
  buf.writeBigUInt64LE(BigInt(r.offset), at + 20);
  buf.writeUInt32LE(r.kind === RecordKind.write ? r.data.length : r.length, at + 28);
  buf.write(r.payloadId, at + HEADER_SIZE, 'utf8');
  r.data.copy(buf, at + HEADER_SIZE + idLength);
  buf.writeUInt32LE(crc32c(buf.subarray(at + 8, end)), at + 4);
}

export type DecodeResult = { record: LogRecord; size: number } | { torn: string };

/**
 * The record at `at` in `buf`, or why there is none (a torn or corrupt tail: the caller
 * stops there). Never throws on bad input.
 */
export function decodeRecord(buf: Buffer, at: number): DecodeResult {
  if (buf.length - at < HEADER_SIZE) return { torn: 'short header' };
  if (buf.readUInt32LE(at) !== RECORD_MAGIC) return { torn: 'bad magic' };
  const kind = buf.readUInt8(at + 16);
  if (kind !== RecordKind.write && kind !== RecordKind.truncate && kind !== RecordKind.invalidate) {
    return { torn: 'unknown kind' };
  }
  const idLength = buf.readUInt16LE(at + 18);
  const length = buf.readUInt32LE(at + 28);
  const dataLength = kind === RecordKind.write ? length : 0;
  const size = HEADER_SIZE + idLength + dataLength;
  if (buf.length - at < size) return { torn: 'short record' };
  if (crc32c(buf.subarray(at + 8, at + size)) !== buf.readUInt32LE(at + 4)) return { torn: 'bad CRC' };
  const lsn = Number(buf.readBigUInt64LE(at + 8));
  const offset = Number(buf.readBigUInt64LE(at + 20));
  if (!Number.isSafeInteger(lsn) || !Number.isSafeInteger(offset)) return { torn: 'out of range' };
  const idStart = at + HEADER_SIZE;
  const payloadId = buf.toString('utf8', idStart, idStart + idLength);
  const data = buf.subarray(idStart + idLength, at + size);
  return { record: { lsn, kind, payloadId, offset, data, length }, size };
}
