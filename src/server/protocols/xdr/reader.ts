/**
 * Zero-copy XDR decoding (RFC 4506) over a Buffer.
 *
 * The reader never throws on bad input: the first problem is recorded in `fault`, the
 * cursor jumps to the end and every later read returns a neutral value (0, false, an empty
 * buffer or string). Decoders are written straight-line and the caller checks `ok` once.
 * Opaque data comes back as a subarray of the input, never a copy.
 */

/** Why decoding stopped: input ended early, a length exceeded its bound, or a value is out of range. */
export type XdrFault = 'short' | 'too-long' | 'range';

const EMPTY = Buffer.alloc(0);
const TWO_32 = 0x1_0000_0000;
/** Largest high word of a u64 that still fits a JS number exactly (2^53 - 1). */
const MAX_SAFE_HI = 0x1f_ffff;

/** Bytes of zero padding that follow `len` bytes of opaque data. */
export function xdrPad(len: number): number {
  return (4 - (len & 3)) & 3;
}

export class XdrReader {
  private buf: Buffer = EMPTY;
  private pos = 0;
  private end = 0;
  /** The first decoding problem, or undefined while everything parsed. */
  fault: XdrFault | undefined;

  constructor(buf?: Buffer) {
    if (buf) this.reset(buf);
  }

  /** Starts reading `buf` from `offset`, clearing any earlier fault. */
  reset(buf: Buffer, offset = 0): this {
    this.buf = buf;
    this.pos = offset;
    this.end = buf.length;
    this.fault = undefined;
    return this;
  }

  get ok(): boolean {
    return this.fault === undefined;
  }

  get remaining(): number {
    return this.end - this.pos;
  }

  /** Records a fault (the first one wins) and stops all further reads. */
  fail(fault: XdrFault): void {
    this.fault ??= fault;
    this.pos = this.end;
  }

  private need(n: number): boolean {
    if (this.end - this.pos >= n) return true;
    this.fail('short');
    return false;
  }

  u32(): number {
    if (!this.need(4)) return 0;
    const v = this.buf.readUInt32BE(this.pos);
    this.pos += 4;
    return v;
  }

  i32(): number {
    if (!this.need(4)) return 0;
    const v = this.buf.readInt32BE(this.pos);
    this.pos += 4;
    return v;
  }

  /** An unsigned hyper as a number; values above 2^53 - 1 are a 'range' fault. */
  u64(): number {
    if (!this.need(8)) return 0;
    const hi = this.buf.readUInt32BE(this.pos);
    const lo = this.buf.readUInt32BE(this.pos + 4);
    this.pos += 8;
    if (hi > MAX_SAFE_HI) {
      this.fail('range');
      return 0;
    }
    return hi * TWO_32 + lo;
  }

  /** XDR bool: exactly 0 or 1, anything else is a 'range' fault. */
  bool(): boolean {
    const v = this.u32();
    if (v > 1) this.fail('range');
    return v === 1;
  }

  /** An enum value that must be below `limit`. */
  enumBelow(limit: number): number {
    const v = this.u32();
    if (v >= limit) {
      this.fail('range');
      return 0;
    }
    return v;
  }

  /** Fixed-length opaque[n] (plus padding), as a view into the input. */
  opaqueFixed(n: number): Buffer {
    const padded = n + xdrPad(n);
    if (!this.need(padded)) return EMPTY;
    const out = this.buf.subarray(this.pos, this.pos + n);
    this.pos += padded;
    return out;
  }

  /** Variable-length opaque<max>, as a view into the input. */
  opaque(max: number): Buffer {
    const n = this.u32();
    if (n > max) {
      this.fail('too-long');
      return EMPTY;
    }
    return this.opaqueFixed(n);
  }

  /** string<max> decoded as UTF-8 (invalid sequences become U+FFFD). */
  string(max: number): string {
    const n = this.u32();
    if (n > max) {
      this.fail('too-long');
      return '';
    }
    const padded = n + xdrPad(n);
    if (!this.need(padded)) return '';
    const s = this.buf.toString('utf8', this.pos, this.pos + n);
    this.pos += padded;
    return s;
  }

  /** Optional-data (`*T`) and bool-discriminated unions: a bool, then the value when TRUE. */
  optional<T>(read: (r: XdrReader) => T): T | undefined {
    return this.bool() ? read(this) : undefined;
  }
}
