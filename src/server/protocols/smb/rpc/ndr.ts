/** NDR (C706 §14) pieces srvsvc needs: unique pointers and conformant varying UTF-16 strings. */
import { LeReader } from '../reader.ts';
import { LeWriter } from '../writer.ts';

export class NdrWriter extends LeWriter {
  private referent = 0x20000;

  /** A non-null unique pointer's referent id. */
  pointer(): this {
    this.referent += 4;
    return this.u32(this.referent);
  }

  /** A conformant varying string with its NUL, padded to 4. */
  string(s: string): this {
    const chars = s.length + 1;
    this.u32(chars)
      .u32(0)
      .u32(chars)
      .bytes(Buffer.from(`${s}\0`, 'utf16le'));
    return this.align(4);
  }
}

/** Reads a conformant varying string (after its pointer, if any); the reader stays 4-aligned. */
export function readString(r: LeReader): string {
  r.u32();
  r.u32();
  const actual = r.u32();
  const s = r
    .bytes(actual * 2)
    .toString('utf16le')
    .replace(/\0+$/, '');
  r.skip((4 - (r.pos % 4)) % 4);
  return s;
}

/** A unique pointer to a string: null or the string. */
export function readOptionalString(r: LeReader): string | undefined {
  return r.u32() === 0 ? undefined : readString(r);
}
