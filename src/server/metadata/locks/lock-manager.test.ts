import { describe, expect, it } from 'vitest';
import { LockManager } from './lock-manager.ts';

describe('LockManager', () => {
  it('shares read locks, refuses writes over them, ignores disjoint ranges', () => {
    const m = new LockManager();
    expect(m.lock('f', 'a', 'read', 0, 100)).toBeUndefined();
    expect(m.lock('f', 'b', 'read', 50, 150)).toBeUndefined();
    expect(m.lock('f', 'c', 'write', 90, 95)).toMatchObject({ owner: 'a' });
    expect(m.lock('f', 'c', 'write', 150, Infinity)).toBeUndefined();
    expect(m.conflict('g', 'c', 'write', 0, 10)).toBeUndefined();
  });

  it('replaces and splits an owner’s own locks (POSIX)', () => {
    const m = new LockManager();
    m.lock('f', 'a', 'write', 0, 100);
    expect(m.lock('f', 'a', 'read', 40, 60)).toBeUndefined(); // downgrade the middle
    expect(m.conflict('f', 'b', 'read', 45, 50)).toBeUndefined();
    expect(m.conflict('f', 'b', 'read', 10, 20)).toMatchObject({ kind: 'write', start: 0, end: 40 });
    m.unlock('f', 'a', 0, 50);
    expect(m.conflict('f', 'b', 'write', 0, 50)).toBeUndefined();
    expect(m.conflict('f', 'b', 'write', 52, 55)).toMatchObject({ kind: 'read', start: 50, end: 60 });
    expect(m.holds('f', 'a')).toBe(true);
    m.releaseWhere((o) => o === 'a');
    expect(m.holds('f', 'a')).toBe(false);
  });
});
