/**
 * Little-endian decoding for SMB2 (MS-SMB2 §2.1: all fields little-endian) over a Buffer.
 * Like the XDR reader it never throws: the first short read is recorded in `fault`, later
 * reads return 0 or empty buffers, and the caller checks `ok` once. Byte ranges come back
 * as subarrays of the input, never copies.
 */
const EMPTY = Buffer.alloc(0);

export class LeReader {
  pos: number;
  fault = false;

  constructor(
    readonly buf: Buffer,
    offset = 0,
  ) {
    this.pos = offset;
  }

  get ok(): boolean {
    return !this.fault;
  }

  private need(n: number): boolean {
    if (n >= 0 && this.pos + n <= this.buf.length) return true;
    this.fault = true;
    this.pos = this.buf.length;
    return false;
  }

  u8(): number {
    if (!this.need(1)) return 0;
    return this.buf[this.pos++] as number;
  }

  u16(): number {
    if (!this.need(2)) return 0;
    const v = this.buf.readUInt16LE(this.pos);
    this.pos += 2;
    return v;
  }

  u32(): number {
    if (!this.need(4)) return 0;
    const v = this.buf.readUInt32LE(this.pos);
    this.pos += 4;
    return v;
  }

  /** A u64 as a bigint (message and session ids use all 64 bits). */
  u64(): bigint {
    if (!this.need(8)) return 0n;
    const v = this.buf.readBigUInt64LE(this.pos);
    this.pos += 8;
    return v;
  }

  /** A u64 that must fit a JS number (offsets, lengths); larger values fault. */
  u64n(): number {
    const v = this.u64();
    if (v > BigInt(Number.MAX_SAFE_INTEGER)) {
      this.fault = true;
      return 0;
    }
    return Number(v);
  }

  bytes(n: number): Buffer {
    if (!this.need(n)) return EMPTY;
    const b = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return b;
  }

  skip(n: number): this {
    if (this.need(n)) this.pos += n;
    return this;
  }

  /** `len` bytes at an absolute `offset` (a field's offset/length pair); empty when len is 0. */
  at(offset: number, len: number): Buffer {
    if (len === 0) return EMPTY;
    if (offset < 0 || len < 0 || offset + len > this.buf.length) {
      this.fault = true;
      return EMPTY;
    }
    return this.buf.subarray(offset, offset + len);
  }
}

/** UTF-16LE text (SMB2 names); an odd byte length is a fault the caller already checked. */
export function utf16(buf: Buffer): string {
  return buf.toString('utf16le');
}
