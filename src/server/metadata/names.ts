/** Validation of directory entry names. */
import { DittoError } from '../../shared/errors.ts';

/** NAME_MAX in bytes (UTF-8). */
const NAME_MAX = 255;

/** Throws INVALID_ARGUMENT for empty names or names with '/' or NUL, NAME_TOO_LONG past 255 bytes. */
export function checkName(name: string): void {
  if (name.length === 0 || name.includes('/') || name.includes('\0')) {
    throw new DittoError('INVALID_ARGUMENT', `invalid name ${JSON.stringify(name)}`);
  }
  // A UTF-16 unit is at most 3 UTF-8 bytes, so short names need no byte count.
  if (name.length * 3 > NAME_MAX && Buffer.byteLength(name, 'utf8') > NAME_MAX) throw new DittoError('NAME_TOO_LONG');
}

export function isDotName(name: string): boolean {
  return name === '.' || name === '..';
}
