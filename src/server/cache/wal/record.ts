/**
 * Write-log records. Each record is a fixed header, the payload id (UTF-8) and its body: the
 * bytes of a write, the stamp of an invalidation; a CRC-32C over everything after the CRC
 * field catches torn and corrupt tails.
 *
 *   0  u32  magic 'DWL1'
 *   4  u32  CRC-32C of bytes 8 .. end
 *   8  u64  LSN (sequence number, +1 per record across segments)
 *  16  u8   kind (write, truncate, invalidate, invalidateThrough)
 *  17  u8   reserved (0)
 *  18  u16  payload id length
 *  20  u64  offset (write, invalidations) or size (truncate)
 *  28  u32  data length (write) or range length (invalidations)
 *  32  ...  payload id, then the body: a write's data, an invalidateThrough's u64 `through`
 *
 * Kind 4 came with its stamp; kind 3, without one, is what earlier versions wrote in its
 * place, still read from a log they left (docs/write-log.md "Format").
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
  /**
   * Written by earlier versions: [offset, offset + length) was written straight to the block
   * store and made durable there, over the payload's records before this one in the log.
   */
  invalidate: 3,
  /**
   * [offset, offset + length) was written straight to the block store and made durable
   * there, over the payload's records up to LSN `through` (those logged before that write),
   * wherever this record lies in the log: not over the ones after.
   */
  invalidateThrough: 4,
} as const;
export type RecordKind = (typeof RecordKind)[keyof typeof RecordKind];
const KINDS: ReadonlySet<number> = new Set(Object.values(RecordKind));

export interface LogRecord {
  lsn: number;
  kind: RecordKind;
  payloadId: string;
  offset: number;
  /** Write: the bytes (a view into the segment read). Other kinds: empty. */
  data: Buffer;
  /** Invalidations: the range length; write: data.length; truncate: 0. */
  length: number;
  /** invalidateThrough: the newest of the payload's records it masks. */
  through?: number;
}

export type RecordInput = Omit<LogRecord, 'lsn'>;

/** The record's size in bytes. */
export function recordSize(r: RecordInput): number {
  return HEADER_SIZE + Buffer.byteLength(r.payloadId, 'utf8') + bodyLength(r.kind, r.data.length);
}

const STAMP_BYTES = 8;

/** The bytes after the payload id: a write's data, an invalidateThrough's stamp. */
export function bodyLength(kind: number, length: number): number {
  if (kind === RecordKind.write) return length;
  return kind === RecordKind.invalidateThrough ? STAMP_BYTES : 0;
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
  const body = at + HEADER_SIZE + idLength;
  const end = body + bodyLength(r.kind, r.data.length);
  buf.writeUInt32LE(RECORD_MAGIC, at);
  buf.writeBigUInt64LE(BigInt(lsn), at + 8);
  buf.writeUInt8(r.kind, at + 16);
  buf.writeUInt8(0, at + 17);
  buf.writeUInt16LE(idLength, at + 18);
  buf.writeBigUInt64LE(BigInt(r.offset), at + 20);
  buf.writeUInt32LE(r.kind === RecordKind.write ? r.data.length : r.length, at + 28);
  buf.write(r.payloadId, at + HEADER_SIZE, 'utf8');
  if (r.kind !== RecordKind.invalidateThrough) r.data.copy(buf, body);
  else if (r.through === undefined) throw new RangeError('an invalidateThrough record without its stamp');
  else buf.writeBigUInt64LE(BigInt(r.through), body);
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
  if (!KINDS.has(kind)) return { torn: 'unknown kind' };
  const idLength = buf.readUInt16LE(at + 18);
  const length = buf.readUInt32LE(at + 28);
  const size = HEADER_SIZE + idLength + bodyLength(kind, length);
  if (buf.length - at < size) return { torn: 'short record' };
  if (crc32c(buf.subarray(at + 8, at + size)) !== buf.readUInt32LE(at + 4)) return { torn: 'bad CRC' };
  const lsn = Number(buf.readBigUInt64LE(at + 8));
  const offset = Number(buf.readBigUInt64LE(at + 20));
  if (!Number.isSafeInteger(lsn) || !Number.isSafeInteger(offset)) return { torn: 'out of range' };
  const idStart = at + HEADER_SIZE;
  const payloadId = buf.toString('utf8', idStart, idStart + idLength);
  const body = idStart + idLength;
  const stamped = kind === RecordKind.invalidateThrough;
  const through = stamped ? Number(buf.readBigUInt64LE(body)) : undefined;
  if (through !== undefined && !Number.isSafeInteger(through)) return { torn: 'out of range' };
  const data = buf.subarray(body, stamped ? body : at + size);
  return { record: { lsn, kind: kind as RecordKind, payloadId, offset, data, length, through }, size };
}
