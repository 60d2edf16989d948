/**
 * MS-SMB2 §2.1 direct TCP transport: each message is preceded by a 4-byte big-endian
 * length whose top byte must be zero (RFC 1002 session message type 0). Incoming messages
 * are framed by the RecordDecoder (rpc/record.ts, `'smb'` framing), which refuses a length
 * above the maximum before spending memory on it; replies get their prefix here.
 */
/** The 4-byte prefix for a message of `length` bytes. */
export function framePrefix(length: number): Buffer {
  const b = Buffer.allocUnsafe(4);
  b.writeUInt32BE(length & 0xffffff, 0);
  return b;
}
