import { describe, expect, it } from 'vitest';
import { Command, HEADER_SIZE } from './constants.ts';
import { chargeCovers, payloadSize } from './credit-charge.ts';

/** A request: the 64-byte header, then a body with `fields` (offset → u32) set. */
function request(fields: Record<number, number>): Buffer {
  const b = Buffer.alloc(HEADER_SIZE + 64);
  for (const [offset, value] of Object.entries(fields)) b.writeUInt32LE(value, HEADER_SIZE + Number(offset));
  return b;
}

describe('credit charge (MS-SMB2 3.3.5.2.5)', () => {
  it('asks one credit per 64 KiB of a READ or WRITE, CreditCharge 0 counting as 1', () => {
    const read1M = request({ 4: 1024 * 1024 });
    expect(payloadSize(Command.READ, read1M)).toBe(1024 * 1024);
    expect(chargeCovers({ command: Command.READ, creditCharge: 16 }, read1M)).toBe(true);
    expect(chargeCovers({ command: Command.READ, creditCharge: 15 }, read1M)).toBe(false);
    expect(chargeCovers({ command: Command.WRITE, creditCharge: 0 }, request({ 4: 65536 }))).toBe(true);
    expect(chargeCovers({ command: Command.WRITE, creditCharge: 1 }, request({ 4: 65537 }))).toBe(false);
  });

  it('counts the output buffer of QUERY_DIRECTORY and CHANGE_NOTIFY and the larger direction of IOCTL', () => {
    expect(chargeCovers({ command: Command.QUERY_DIRECTORY, creditCharge: 1 }, request({ 28: 0x10000 }))).toBe(true);
    expect(chargeCovers({ command: Command.QUERY_DIRECTORY, creditCharge: 1 }, request({ 28: 0x20000 }))).toBe(false);
    expect(chargeCovers({ command: Command.CHANGE_NOTIFY, creditCharge: 2 }, request({ 4: 0x20000 }))).toBe(true);
    expect(payloadSize(Command.IOCTL, request({ 28: 10, 40: 0, 32: 0, 44: 0x30000 }))).toBe(0x30000);
    expect(chargeCovers({ command: Command.IOCTL, creditCharge: 2 }, request({ 44: 0x30000 }))).toBe(false);
  });

  it('leaves other commands alone', () => {
    expect(payloadSize(Command.CREATE, request({ 4: 1 << 30 }))).toBeUndefined();
    expect(chargeCovers({ command: Command.CREATE, creditCharge: 0 }, request({ 4: 1 << 30 }))).toBe(true);
  });
});
