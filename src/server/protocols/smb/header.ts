/** MS-SMB2 §2.2.1 the SMB2 packet header, sync (§2.2.1.2) and async (§2.2.1.1) forms. */
import { Flags, HEADER_SIZE } from './constants.ts';
import { LeReader } from './reader.ts';

export const PROTOCOL_ID = 0x424d53fe; // 0xFE 'S' 'M' 'B' read little-endian

export interface Smb2Header {
  creditCharge: number;
  /** ChannelSequence/Status: a status in responses. */
  status: number;
  command: number;
  /** CreditRequest in requests, CreditResponse in responses. */
  credits: number;
  flags: number;
  nextCommand: number;
  messageId: bigint;
  /** Async id when ASYNC_COMMAND is set, else 0. */
  asyncId: bigint;
  treeId: number;
  sessionId: bigint;
  signature: Buffer;
}

/** The header at `offset`, or undefined when the bytes are not a whole SMB2 header. */
export function decodeHeader(buf: Buffer, offset = 0): Smb2Header | undefined {
  const r = new LeReader(buf, offset);
  if (r.u32() !== PROTOCOL_ID || r.u16() !== HEADER_SIZE) return undefined;
  const creditCharge = r.u16();
  const status = r.u32();
  const command = r.u16();
  const credits = r.u16();
  const flags = r.u32();
  const nextCommand = r.u32();
  const messageId = r.u64();
  let asyncId = 0n;
  let treeId = 0;
  if (flags & Flags.ASYNC_COMMAND) asyncId = r.u64();
  else {
    r.u32(); // Reserved (ProcessId)
    treeId = r.u32();
  }
  const sessionId = r.u64();
  const signature = r.bytes(16);
  if (!r.ok) return undefined;
  return {
    creditCharge,
    status,
    command,
    credits,
    flags,
    nextCommand,
    messageId,
    asyncId,
    treeId,
    sessionId,
    signature,
  };
}

/** Writes a 64-byte header into `out` at `offset` (signature zero; signing fills it later). */
export function encodeHeader(h: Smb2Header, out: Buffer, offset = 0): void {
  out.writeUInt32LE(PROTOCOL_ID, offset);
  out.writeUInt16LE(HEADER_SIZE, offset + 4);
  out.writeUInt16LE(h.creditCharge, offset + 6);
  out.writeUInt32LE(h.status >>> 0, offset + 8);
  out.writeUInt16LE(h.command, offset + 12);
  out.writeUInt16LE(h.credits, offset + 14);
  out.writeUInt32LE(h.flags >>> 0, offset + 16);
  out.writeUInt32LE(h.nextCommand, offset + 20);
  out.writeBigUInt64LE(h.messageId, offset + 24);
  if (h.flags & Flags.ASYNC_COMMAND) out.writeBigUInt64LE(h.asyncId, offset + 32);
  else {
    out.writeUInt32LE(0xfeff, offset + 32);
    out.writeUInt32LE(h.treeId >>> 0, offset + 36);
  }
  out.writeBigUInt64LE(h.sessionId, offset + 40);
  out.fill(0, offset + 48, offset + 64);
}
