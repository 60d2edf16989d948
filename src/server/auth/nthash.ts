/**
 * The NT hash SMB's NTLM needs: MD4 (RFC 1320) of the UTF-16LE password. OpenSSL 3 no
 * longer offers MD4 by default, so it is implemented here (it is only used for this).
 */

function rotl(x: number, n: number): number {
  return (x << n) | (x >>> (32 - n));
}

/** MD4 digest of `data` (RFC 1320). */
export function md4(data: Buffer): Buffer {
  const bitLen = data.length * 8;
  const padLen = ((data.length + 8) >> 6) * 64 + 64;
  const msg = Buffer.alloc(padLen);
  data.copy(msg);
  msg[data.length] = 0x80;
  msg.writeUInt32LE(bitLen >>> 0, padLen - 8);
  msg.writeUInt32LE(Math.floor(bitLen / 0x100000000), padLen - 4);

  let a = 0x67452301;
  let b = 0xefcdab89;
  let c = 0x98badcfe;
  let d = 0x10325476;
  const x = new Array<number>(16);
  const F = (p: number, q: number, r: number) => (p & q) | (~p & r);
  const G = (p: number, q: number, r: number) => (p & q) | (p & r) | (q & r);
  const H = (p: number, q: number, r: number) => p ^ q ^ r;

  for (let off = 0; off < padLen; off += 64) {
    for (let i = 0; i < 16; i++) x[i] = msg.readUInt32LE(off + i * 4);
    const [aa, bb, cc, dd] = [a, b, c, d];
    const X = (i: number): number => x[i] as number;
    // Round 1
    for (const i of [0, 4, 8, 12]) {
      a = rotl((a + F(b, c, d) + X(i)) | 0, 3);
      d = rotl((d + F(a, b, c) + X(i + 1)) | 0, 7);
      c = rotl((c + F(d, a, b) + X(i + 2)) | 0, 11);
      b = rotl((b + F(c, d, a) + X(i + 3)) | 0, 19);
    }
    // Round 2
    for (const i of [0, 1, 2, 3]) {
      a = rotl((a + G(b, c, d) + X(i) + 0x5a827999) | 0, 3);
      d = rotl((d + G(a, b, c) + X(i + 4) + 0x5a827999) | 0, 5);
      c = rotl((c + G(d, a, b) + X(i + 8) + 0x5a827999) | 0, 9);
      b = rotl((b + G(c, d, a) + X(i + 12) + 0x5a827999) | 0, 13);
    }
    // Round 3
    for (const i of [0, 2, 1, 3]) {
      a = rotl((a + H(b, c, d) + X(i) + 0x6ed9eba1) | 0, 3);
      d = rotl((d + H(a, b, c) + X(i + 8) + 0x6ed9eba1) | 0, 9);
      c = rotl((c + H(d, a, b) + X(i + 4) + 0x6ed9eba1) | 0, 11);
      b = rotl((b + H(c, d, a) + X(i + 12) + 0x6ed9eba1) | 0, 15);
    }
    a = (a + aa) | 0;
    b = (b + bb) | 0;
    c = (c + cc) | 0;
    d = (d + dd) | 0;
  }
  const out = Buffer.alloc(16);
  out.writeInt32LE(a, 0);
  out.writeInt32LE(b, 4);
  out.writeInt32LE(c, 8);
  out.writeInt32LE(d, 12);
  return out;
}

/** The NT hash (hex) of a password, as `User.ntHash` stores it. */
export function ntHash(password: string): string {
  return md4(Buffer.from(password, 'utf16le')).toString('hex');
}
