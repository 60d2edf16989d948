/**
 * Pooled XDR encoding (RFC 4506).
 *
 * The writer is a bump allocator over a slab: each message is written after the previous
 * one and `finish()` returns a view of it. Finished bytes are never touched again, so a
 * view can sit in a socket's write queue while the next reply is encoded; when the slab is
 * full a new one is started and the old one is freed once its last view is gone. Bulk data
 * (READ payloads) is not copied in: encoders return it as a separate chunk.
 */
import { xdrPad } from './reader.ts';

const TWO_32 = 0x1_0000_0000;
const ZEROS = Buffer.alloc(4);

export class XdrWriter {
  private slab: Buffer;
  private start = 0;
  private pos = 0;

  constructor(private readonly slabSize = 64 * 1024) {
    this.slab = Buffer.allocUnsafe(slabSize);
  }

  /** Bytes written into the current message. */
  get length(): number {
    return this.pos - this.start;
  }

  private ensure(n: number): void {
    if (this.pos + n <= this.slab.length) return;
    const used = this.pos - this.start;
    const next = Buffer.allocUnsafe(Math.max(this.slabSize, (used + n) * 2));
    this.slab.copy(next, 0, this.start, this.pos);
    this.slab = next;
    this.start = 0;
    this.pos = used;
  }

  u32(v: number): this {
    this.ensure(4);
    putU32(this.slab, this.pos, v);
    this.pos += 4;
    return this;
  }

  /** An unsigned hyper from a non-negative safe integer (negative values encode as 0). */
  u64(v: number): this {
    const n = v > 0 ? v : 0;
    this.ensure(8);
    putU32(this.slab, this.pos, Math.floor(n / TWO_32));
    putU32(this.slab, this.pos + 4, n);
    this.pos += 8;
    return this;
  }

  bool(v: boolean): this {
    return this.u32(v ? 1 : 0);
  }

  /** Fixed-length opaque (plus zero padding). */
  opaqueFixed(data: Buffer): this {
    const pad = xdrPad(data.length);
    this.ensure(data.length + pad);
    data.copy(this.slab, this.pos);
    this.pos += data.length;
    this.zeros(pad);
    return this;
  }

  /** Variable-length opaque: length, bytes, padding. */
  opaque(data: Buffer): this {
    this.u32(data.length);
    return this.opaqueFixed(data);
  }

  string(s: string): this {
    const n = Buffer.byteLength(s, 'utf8');
    const pad = xdrPad(n);
    this.ensure(4 + n + pad);
    putU32(this.slab, this.pos, n);
    this.pos += 4;
    this.slab.write(s, this.pos, n, 'utf8');
    this.pos += n;
    this.zeros(pad);
    return this;
  }

  private zeros(n: number): void {
    for (let i = 0; i < n; i++) this.slab[this.pos++] = 0;
  }

  /** Overwrites a u32 at `offset` bytes from the start of the current message. */
  patchU32(offset: number, v: number): void {
    this.slab.writeUInt32BE(v >>> 0, this.start + offset);
  }

  /** Ends the current message and returns it as a view; the next message starts after it. */
  finish(): Buffer {
    const out = this.slab.subarray(this.start, this.pos);
    this.start = this.pos;
    return out;
  }

  /** Drops the partly written current message. */
  discard(): void {
    this.pos = this.start;
  }
}

/**
 * Big-endian, by byte: the slab has room (ensure), so Buffer.writeUInt32BE's checks only
 * cost time here, on the path of every attribute of every READDIRPLUS entry.
 */
function putU32(buf: Buffer, at: number, v: number): void {
  buf[at] = v >>> 24;
  buf[at + 1] = v >>> 16;
  buf[at + 2] = v >>> 8;
  buf[at + 3] = v;
}

/** Zero bytes for padding a bulk chunk to a multiple of four. */
export function xdrPadding(len: number): Buffer {
  return ZEROS.subarray(0, xdrPad(len));
}
