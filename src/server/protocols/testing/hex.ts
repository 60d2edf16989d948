/**
 * Test fixtures as annotated hex: whitespace is ignored and `#` starts a comment that runs
 * to the end of the line, so each field can carry its name.
 */
export function hex(text: string): Buffer {
  const digits = text.replace(/#[^\n]*/g, '').replace(/\s+/g, '');
  if (!/^([0-9a-fA-F]{2})*$/.test(digits)) throw new Error(`bad hex fixture: ${digits}`);
  return Buffer.from(digits, 'hex');
}
