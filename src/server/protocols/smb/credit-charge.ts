/**
 * MS-SMB2 §3.3.5.2.5: on a multi-credit connection (LARGE_MTU), a READ, WRITE, IOCTL,
 * QUERY_DIRECTORY or CHANGE_NOTIFY must pay one credit per 64 KiB it sends or may receive;
 * a request that pays less is refused (INVALID_PARAMETER) before it runs.
 */
import { Command, HEADER_SIZE } from './constants.ts';
import type { Smb2Header } from './header.ts';

const UNIT = 65536;

/** max(send payload, expected response) of a request, or undefined for a command that carries none. */
export function payloadSize(command: number, request: Buffer): number | undefined {
  const at = (offset: number): number =>
    request.length >= HEADER_SIZE + offset + 4 ? request.readUInt32LE(HEADER_SIZE + offset) : 0;
  switch (command) {
    case Command.READ:
    case Command.WRITE:
    case Command.CHANGE_NOTIFY:
      return at(4);
    case Command.QUERY_DIRECTORY:
      return at(28);
    case Command.IOCTL:
      return Math.max(at(28) + at(40), at(32) + at(44));
    default:
      return undefined;
  }
}

/** Whether the request's CreditCharge (0 counts as 1) covers its payload. */
export function chargeCovers(hdr: Pick<Smb2Header, 'command' | 'creditCharge'>, request: Buffer): boolean {
  const size = payloadSize(hdr.command, request);
  if (size === undefined || size === 0) return true;
  return Math.max(1, hdr.creditCharge) >= Math.floor((size - 1) / UNIT) + 1;
}
