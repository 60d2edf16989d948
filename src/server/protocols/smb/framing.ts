/**
 * MS-SMB2 §2.1 direct TCP transport: each message is preceded by a 4-byte big-endian
 * length whose top byte must be zero (RFC 1002 session message type 0). Sans-I/O: `push`
 * takes socket chunks and returns the whole messages; a length above the maximum is
 * reported before any memory is spent on it.
 */
export type FrameResult = { frames: Buffer[]; error?: 'too-large' | 'bad-type' };

export class FrameDecoder {
  private chunks: Buffer[] = [];
  private buffered = 0;
  private want = -1;

  constructor(private readonly maxMessageSize: number) {}

  /** Bytes held for a message not yet complete. */
  get pending(): number {
    return this.buffered;
  }

  push(chunk: Buffer): FrameResult {
    this.chunks.push(chunk);
    this.buffered += chunk.length;
    const frames: Buffer[] = [];
    for (;;) {
      if (this.want < 0) {
        if (this.buffered < 4) break;
        const head = this.take(4);
        if (head[0] !== 0) return { frames, error: 'bad-type' };
        this.want = head.readUInt32BE(0) & 0xffffff;
        if (this.want > this.maxMessageSize) return { frames, error: 'too-large' };
      }
      if (this.buffered < this.want) break;
      frames.push(this.take(this.want));
      this.want = -1;
    }
    return { frames };
  }

  /** The next `n` buffered bytes (a view when they lie in one chunk). */
  private take(n: number): Buffer {
    const first = this.chunks[0];
    let out: Buffer;
    if (first && first.length >= n) {
      out = first.subarray(0, n);
      if (first.length === n) this.chunks.shift();
      else this.chunks[0] = first.subarray(n);
    } else {
      out = Buffer.allocUnsafe(n);
      let at = 0;
      while (at < n) {
        const c = this.chunks[0] as Buffer;
        const k = Math.min(c.length, n - at);
        c.copy(out, at, 0, k);
        at += k;
        if (k === c.length) this.chunks.shift();
        else this.chunks[0] = c.subarray(k);
      }
    }
    this.buffered -= n;
    return out;
  }
}

/** The 4-byte prefix for a message of `length` bytes. */
export function framePrefix(length: number): Buffer {
  const b = Buffer.allocUnsafe(4);
  b.writeUInt32BE(length & 0xffffff, 0);
  return b;
}
