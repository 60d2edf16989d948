import { describe, expect, it } from 'vitest';
import { OpenPaths } from './open-paths.ts';

describe('OpenPaths', () => {
  it('finds open files anywhere below a directory, case-insensitively, per share', () => {
    const paths = new OpenPaths();
    paths.add('k1', 'export', 'Dir\\Sub\\file.txt');
    expect(paths.openBelow('export', 'dir')).toBe(true);
    expect(paths.openBelow('export', 'DIR\\sub')).toBe(true);
    expect(paths.openBelow('export', 'Dir\\Sub\\file.txt')).toBe(false);
    expect(paths.openBelow('export', 'Di')).toBe(false);
    expect(paths.openBelow('other', 'Dir')).toBe(false);
  });

  it('keeps a file until its last open ends, and follows its renames', () => {
    const paths = new OpenPaths();
    paths.add('k1', 'export', 'a\\f');
    paths.add('k1', 'export', 'a\\f');
    paths.moved('k1', 'b\\f');
    expect(paths.openBelow('export', 'a')).toBe(false);
    paths.remove('k1');
    expect(paths.openBelow('export', 'b')).toBe(true);
    paths.remove('k1');
    expect(paths.openBelow('export', 'b')).toBe(false);
  });
});
