/**
 * Record marking for RPC over TCP (RFC 5531 §11): each record is a sequence of fragments,
 * each preceded by a 4-byte header (last-fragment bit + 31-bit length).
 */
import { xdrPad } from '../xdr/reader.ts';
import { xdrPadding, type XdrWriter } from '../xdr/writer.ts';
import { LAST_FRAGMENT } from './constants.ts';
import { RECORD_MARK_BYTES } from './message.ts';

const EMPTY = Buffer.alloc(0);

/** Records at least this long that span several chunks are assembled in reused buffers. */
const REUSE_MIN_BYTES = 64 * 1024;
/** Returned buffers kept per decoder for the next large records. */
const SPARE_LIMIT = 8;

/**
 * Turns socket chunks into complete records. A record that lies within one chunk is
 * returned as a view of it; only records spread over several chunks or fragments are
 * concatenated, and only once complete. A fragment header that would take the record past
 * `maxRecordSize` sets `error` before anything is buffered for it; the stream is then dead.
 */
export class RecordDecoder {
  private chunks: Buffer[] = [];
  /** Read offset into chunks[0]. */
  private head = 0;
  private buffered = 0;
  /** Bytes still due in the current fragment, or -1 while waiting for a fragment header. */
  private fragLeft = -1;
  private lastFragment = false;
  private parts: Buffer[] = [];
  private recordLen = 0;
  /** Buffers of returned large records, ready for the next ones. */
  private spare: Buffer[] = [];
  /** Large records handed out, to the buffer each lies in. */
  private readonly lent = new Map<Buffer, Buffer>();
  error: string | undefined;

  constructor(readonly maxRecordSize: number) {}

  /** Bytes received but not yet returned as part of a record. */
  get pending(): number {
    return this.buffered + this.recordLen;
  }

  push(chunk: Buffer): void {
    if (this.error || chunk.length === 0) return;
    this.chunks.push(chunk);
    this.buffered += chunk.length;
  }

  /** The next complete record, or undefined when more input is needed (or `error` is set). */
  next(): Buffer | undefined {
    while (this.error === undefined) {
      if (this.fragLeft < 0) {
        if (this.buffered < 4) return undefined;
        const header = this.readHeader();
        const len = header & ~LAST_FRAGMENT;
        if (this.recordLen + len > this.maxRecordSize) {
          this.error = `record of more than ${this.maxRecordSize} bytes`;
          this.chunks = [];
          this.parts = [];
          this.buffered = 0;
          this.recordLen = 0;
          return undefined;
        }
        this.lastFragment = (header & LAST_FRAGMENT) !== 0;
        this.fragLeft = len;
      }
      while (this.fragLeft > 0 && this.buffered > 0) {
        const part = this.take(this.fragLeft);
        this.parts.push(part);
        this.recordLen += part.length;
        this.fragLeft -= part.length;
      }
      if (this.fragLeft > 0) return undefined;
      this.fragLeft = -1;
      if (this.lastFragment) return this.completeRecord();
    }
    return undefined;
  }

  private completeRecord(): Buffer {
    const parts = this.parts;
    const record =
      parts.length === 1
        ? (parts[0] as Buffer)
        : parts.length === 0
          ? EMPTY
          : this.recordLen >= REUSE_MIN_BYTES
            ? this.assemble(parts, this.recordLen)
            : Buffer.concat(parts, this.recordLen);
    this.parts = [];
    this.recordLen = 0;
    return record;
  }

  /**
   * Hands a record from `next` back once nothing refers to it or to any view of it (its call
   * has replied): a large one's buffer is then reused for a later record. Others are ignored.
   */
  recycle(record: Buffer): void {
    const buf = this.lent.get(record);
    if (buf === undefined) return;
    this.lent.delete(record);
    if (this.spare.length < SPARE_LIMIT) this.spare.push(buf);
  }

  /** Concatenates `parts` into a spare buffer (or a new one), lent until `recycle`. */
  private assemble(parts: Buffer[], len: number): Buffer {
    let buf = this.spare.pop();
    while (buf !== undefined && buf.length < len) buf = this.spare.pop();
    buf ??= Buffer.allocUnsafeSlow(len);
    let pos = 0;
    for (const part of parts) pos += part.copy(buf, pos);
    const record = buf.subarray(0, len);
    this.lent.set(record, buf);
    return record;
  }

  private readHeader(): number {
    const first = this.chunks[0] as Buffer;
    if (first.length - this.head >= 4) {
      const v = first.readUInt32BE(this.head);
      this.advance(4);
      return v;
    }
    let v = 0;
    for (let i = 0; i < 4; i++) {
      const chunk = this.chunks[0] as Buffer;
      v = v * 256 + (chunk[this.head] as number);
      this.advance(1);
    }
    return v;
  }

  /** Up to `max` bytes from the first chunk, as a view. */
  private take(max: number): Buffer {
    const chunk = this.chunks[0] as Buffer;
    const n = Math.min(max, chunk.length - this.head);
    const out = chunk.subarray(this.head, this.head + n);
    this.advance(n);
    return out;
  }

  private advance(n: number): void {
    this.head += n;
    this.buffered -= n;
    if (this.head === (this.chunks[0] as Buffer).length) {
      this.chunks.shift();
      this.head = 0;
    }
  }
}

/**
 * Completes a reply written after a RECORD_MARK_BYTES placeholder: fills in a single
 * last-fragment header covering the header bytes plus `bulk` and its padding, and returns
 * the chunks to write in order.
 */
export function sealRecord(w: XdrWriter, bulk: Buffer | undefined): Buffer[] {
  const bulkLen = bulk ? bulk.length + xdrPad(bulk.length) : 0;
  w.patchU32(0, (LAST_FRAGMENT | (w.length - RECORD_MARK_BYTES + bulkLen)) >>> 0);
  const header = w.finish();
  if (!bulk) return [header];
  const pad = xdrPad(bulk.length);
  return pad === 0 ? [header, bulk] : [header, bulk, xdrPadding(bulk.length)];
}
