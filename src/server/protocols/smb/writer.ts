/**
 * Little-endian encoding into a growing buffer. Responses are small apart from READ data,
 * which is never copied here: handlers return it as a separate chunk.
 */
export class LeWriter {
  private buf: Buffer;
  length = 0;

  constructor(initial = 256) {
    this.buf = Buffer.allocUnsafe(initial);
  }

  private room(n: number): void {
    if (this.length + n <= this.buf.length) return;
    const next = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.length + n));
    this.buf.copy(next, 0, 0, this.length);
    this.buf = next;
  }

  u8(v: number): this {
    this.room(1);
    this.buf[this.length++] = v & 0xff;
    return this;
  }

  u16(v: number): this {
    this.room(2);
    this.buf.writeUInt16LE(v & 0xffff, this.length);
    this.length += 2;
    return this;
  }

  u32(v: number): this {
    this.room(4);
    this.buf.writeUInt32LE(v >>> 0, this.length);
    this.length += 4;
    return this;
  }

  u64(v: bigint | number): this {
    this.room(8);
    this.buf.writeBigUInt64LE(BigInt.asUintN(64, BigInt(v)), this.length);
    this.length += 8;
    return this;
  }

  bytes(b: Buffer): this {
    this.room(b.length);
    b.copy(this.buf, this.length);
    this.length += b.length;
    return this;
  }

  zeros(n: number): this {
    this.room(n);
    this.buf.fill(0, this.length, this.length + n);
    this.length += n;
    return this;
  }

  /** Zero bytes up to a multiple of `n` (counted from the start of this writer). */
  align(n: number): this {
    const pad = (n - (this.length % n)) % n;
    return this.zeros(pad);
  }

  /** Overwrites a u16/u32 written earlier (offsets and lengths known only later). */
  setU16(at: number, v: number): this {
    this.buf.writeUInt16LE(v & 0xffff, at);
    return this;
  }

  setU32(at: number, v: number): this {
    this.buf.writeUInt32LE(v >>> 0, at);
    return this;
  }

  /** The bytes written so far (a view: copy it if the writer is used again). */
  finish(): Buffer {
    return this.buf.subarray(0, this.length);
  }
}

/** A Windows FILETIME: 100 ns intervals since 1601-01-01 UTC. */
export function fileTime(t: { sec: number; nsec: number }): bigint {
  return (BigInt(t.sec) + 11644473600n) * 10_000_000n + BigInt(Math.floor(t.nsec / 100));
}

/** A FILETIME back to seconds and nanoseconds. */
export function fromFileTime(ft: bigint): { sec: number; nsec: number } {
  const rel = ft - 11644473600n * 10_000_000n;
  const sec = rel >= 0n ? rel / 10_000_000n : -((-rel + 9_999_999n) / 10_000_000n);
  return { sec: Number(sec), nsec: Number(rel - sec * 10_000_000n) * 100 };
}
