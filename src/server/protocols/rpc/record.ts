/**
 * Record marking for RPC over TCP (RFC 5531 §11): each record is a sequence of fragments,
 * each preceded by a 4-byte header (last-fragment bit + 31-bit length). The decoder also
 * frames SMB2's direct TCP transport (MS-SMB2 §2.1): one 4-byte big-endian length whose top
 * byte must be zero (RFC 1002 session message) before each message, a record of one fragment.
 */
import { xdrPad } from '../xdr/reader.ts';
import { xdrPadding, type XdrWriter } from '../xdr/writer.ts';
import { LAST_FRAGMENT } from './constants.ts';
import { RECORD_MARK_BYTES } from './message.ts';

/** The least free space a socket read is offered (Node reads up to 64 KiB at a time). */
const MIN_READ = 64 * 1024;
/**
 * Decides whether the record being received may grow to `recordBytes`: asked at each of its
 * fragment headers, before any room is made for the fragment. While it says no, `next`
 * reports "need more" and leaves the header unread; it is asked again on the next `next`.
 */
export interface RecordGate {
  admit(recordBytes: number): boolean;
  /** The admitted record is complete, or the stream died: it holds nothing any more. */
  settle(): void;
}

/** Receive buffers hold at least this much, and room for a few records of the largest size seen. */
const MIN_SLAB = 256 * 1024;
const RECORDS_PER_SLAB = 4;
/**
 * Emptied receive buffers kept per decoder for reuse, until `trimSpares`. Keeping two made a
 * 1 GiB copy (16 WRITEs of 1 MiB in flight, answered in bursts) allocate 45 fresh 4 MiB
 * buffers, each lying as garbage until a GC and costing a thousand page faults (RSS peak
 * 155-170 MiB instead of 141-144, and slower).
 */
const SPARE_LIMIT = 8;
/** A connection quiet this long lets its spare receive buffers go (`trimSpares`). */
export const SPARES_IDLE_MS = 2000;

/** How the stream marks its records: RPC record marking, or SMB2's direct TCP length prefix. */
export type Framing = 'rpc' | 'smb';
const SMB_LENGTH_MASK = 0xffffff;

/** A receive buffer and how many records handed out still lie in it. */
class Slab {
  lent = 0;
  constructor(readonly buf: Buffer) {}
}

/**
 * Turns received bytes into complete records. Socket reads land straight in a receive
 * buffer (`readBuffer` / `received`; `push` copies a chunk in), and a record sent as one
 * fragment, as clients do, is returned as a view of that buffer: no copy. The buffer's space
 * is reused once every record in it has been handed back with `recycle`. A fragment header
 * that would take the record past `maxRecordSize` sets `error` before any room is made for
 * it; the stream is then dead. A `gate` may hold a record back at a fragment header; reads
 * are offered room up to the end of the fragment being received plus MIN_READ, so no more
 * than MIN_READ of a record is taken in before its gate has admitted it. Multi-fragment
 * records are copied out and joined.
 */
export class RecordDecoder {
  private slab: Slab;
  /** Bytes received into slab.buf, and where its unparsed ones start. */
  private readPos = 0;
  private parsePos = 0;
  /** Bytes still due in the current fragment, or -1 while waiting for a fragment header. */
  private fragLeft = -1;
  private lastFragment = false;
  /** The record arrives in several fragments: its bytes are copied out as they come. */
  private collecting = false;
  private parts: Buffer[] = [];
  private recordLen = 0;
  /** Size of the largest record seen: receive buffers are sized for a few of them. */
  private largest = 0;
  private spare: Slab[] = [];
  /** Records handed out, to the receive buffer each lies in. */
  private readonly lent = new WeakMap<Buffer, Slab>();
  error: string | undefined;
  private readonly smb: boolean;

  constructor(
    readonly maxRecordSize: number,
    private readonly gate?: RecordGate,
    framing: Framing = 'rpc',
  ) {
    this.smb = framing === 'smb';
    this.slab = new Slab(Buffer.allocUnsafeSlow(MIN_SLAB));
  }

  /** Bytes received but not yet returned as part of a record. */
  get pending(): number {
    return this.readPos - this.parsePos + this.recordLen;
  }

  /**
   * Where the next socket read should put its bytes (at least MIN_READ of room); report how
   * many it wrote with `received` before asking again.
   */
  readBuffer(): Buffer {
    if (this.error !== undefined) return this.slab.buf.subarray(0, MIN_READ);
    const slab = this.slab;
    if (slab.lent === 0 && this.parsePos === this.readPos) this.parsePos = this.readPos = 0;
    // The record being received, if its length is known, should end inside this buffer.
    const recordEnd = this.fragLeft >= 0 && !this.collecting ? this.parsePos + this.fragLeft : 0;
    if (slab.buf.length - this.readPos < MIN_READ || recordEnd > slab.buf.length) this.switchSlab();
    const fragmentEnd = this.fragLeft >= 0 ? this.parsePos + this.fragLeft : this.parsePos;
    return this.slab.buf.subarray(this.readPos, Math.max(this.readPos, fragmentEnd) + MIN_READ);
  }

  /** `n` bytes were written at the start of the last `readBuffer()`. */
  received(n: number): void {
    if (this.error === undefined) this.readPos += n;
  }

  /** Copies a chunk in (for streams that hand out their own chunks). */
  push(chunk: Buffer): void {
    for (let done = 0; done < chunk.length && this.error === undefined;) {
      const n = chunk.copy(this.readBuffer(), 0, done);
      this.received(n);
      done += n;
    }
  }

  /** The next complete record, or undefined when more input is needed (or `error` is set). */
  next(): Buffer | undefined {
    const buf = this.slab.buf;
    while (this.error === undefined) {
      if (this.fragLeft < 0) {
        if (this.readPos - this.parsePos < 4) return undefined;
        const header = buf.readUInt32BE(this.parsePos);
        if (this.smb && header >>> 24 !== 0) {
          this.fail('not an SMB session message');
          return undefined;
        }
        const len = this.smb ? header & SMB_LENGTH_MASK : header & ~LAST_FRAGMENT;
        if (this.recordLen + len > this.maxRecordSize) {
          this.fail(`record of more than ${this.maxRecordSize} bytes`);
          return undefined;
        }
        if (this.gate && !this.gate.admit(this.recordLen + len)) return undefined;
        this.parsePos += 4;
        this.lastFragment = this.smb || (header & LAST_FRAGMENT) !== 0;
        this.fragLeft = len;
        this.collecting ||= !this.lastFragment;
      }
      if (!this.collecting) {
        // One fragment: hand out a view once all of it is here.
        if (this.readPos - this.parsePos < this.fragLeft) return undefined;
        const record = buf.subarray(this.parsePos, this.parsePos + this.fragLeft);
        this.parsePos += this.fragLeft;
        this.fragLeft = -1;
        this.largest = Math.max(this.largest, record.length);
        this.slab.lent++;
        this.lent.set(record, this.slab);
        this.gate?.settle();
        return record;
      }
      const n = Math.min(this.fragLeft, this.readPos - this.parsePos);
      if (n > 0) {
        this.parts.push(Buffer.from(buf.subarray(this.parsePos, this.parsePos + n)));
        this.parsePos += n;
        this.recordLen += n;
        this.fragLeft -= n;
      }
      if (this.fragLeft > 0) return undefined;
      this.fragLeft = -1;
      if (this.lastFragment) {
        const record = Buffer.concat(this.parts, this.recordLen);
        this.parts = [];
        this.recordLen = 0;
        this.collecting = false;
        this.gate?.settle();
        return record;
      }
    }
    return undefined;
  }

  /**
   * Hands a record from `next` back once nothing refers to it or to any view of it (its call
   * has replied), so its space can be reused. Anything else is ignored.
   */
  recycle(record: Buffer): void {
    const slab = this.lent.get(record);
    if (slab === undefined) return;
    this.lent.delete(record);
    slab.lent--;
    if (slab.lent === 0 && slab !== this.slab && this.spare.length < SPARE_LIMIT) this.spare.push(slab);
  }

  /** Lets the spare receive buffers go (the connection has been quiet for a while). */
  trimSpares(): void {
    this.spare.length = 0;
  }

  /** Moves the unparsed bytes to a fresh (or spare) buffer with room for the record under way. */
  private switchSlab(): void {
    const carry = this.readPos - this.parsePos;
    const due = Math.max(carry, this.fragLeft >= 0 && !this.collecting ? this.fragLeft : 0);
    const want = Math.max(MIN_SLAB, RECORDS_PER_SLAB * (this.largest + 4), due + MIN_READ);
    let next = this.spare.pop();
    while (next !== undefined && next.buf.length < want) next = this.spare.pop();
    next ??= new Slab(Buffer.allocUnsafeSlow(want));
    this.slab.buf.copy(next.buf, 0, this.parsePos, this.readPos);
    const old = this.slab;
    this.slab = next;
    this.parsePos = 0;
    this.readPos = carry;
    if (old.lent === 0 && this.spare.length < SPARE_LIMIT) this.spare.push(old);
  }

  private fail(reason: string): void {
    this.error = reason;
    this.gate?.settle();
    this.parts = [];
    this.recordLen = 0;
    this.collecting = false;
    this.parsePos = this.readPos = 0;
    // Later reads land in a small scratch buffer: records handed out keep theirs.
    this.slab = new Slab(Buffer.allocUnsafeSlow(MIN_READ));
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
