/**
 * RC4, which NTLM key exchange and NTLMSSP sealing still use (MS-NLMP §3.4.4). OpenSSL 3
 * moved it to the legacy provider, so node:crypto cannot be relied on to have it.
 */
export class Rc4 {
  private readonly s = new Uint8Array(256);
  private i = 0;
  private j = 0;

  constructor(key: Buffer) {
    const s = this.s;
    for (let k = 0; k < 256; k++) s[k] = k;
    let j = 0;
    for (let k = 0; k < 256; k++) {
      j = (j + (s[k] as number) + (key[k % key.length] as number)) & 0xff;
      const t = s[k] as number;
      s[k] = s[j] as number;
      s[j] = t;
    }
  }

  /** Transforms `data` with the continuing key stream (encrypt and decrypt are the same). */
  update(data: Buffer): Buffer {
    const s = this.s;
    const out = Buffer.allocUnsafe(data.length);
    for (let k = 0; k < data.length; k++) {
      this.i = (this.i + 1) & 0xff;
      this.j = (this.j + (s[this.i] as number)) & 0xff;
      const t = s[this.i] as number;
      s[this.i] = s[this.j] as number;
      s[this.j] = t;
      out[k] = (data[k] as number) ^ (s[((s[this.i] as number) + (s[this.j] as number)) & 0xff] as number);
    }
    return out;
  }
}

export function rc4(key: Buffer, data: Buffer): Buffer {
  return new Rc4(key).update(data);
}
