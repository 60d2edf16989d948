// The one lock table of NFSv4, NLM and SMB: POSIX owners (merge, split, up/downgrade),
// Windows owners (stacking, zero-length points, exact unlock, I/O checks), conflicts
// between protocols, release when a client vanishes, and blocking waits.
import { describe, expect, it } from 'vitest';
import { clientPrefix, LockManager, ownerKey, TO_END } from './lock-manager.ts';

const nfs = (o: string) => ownerKey('nfs4', 'c1', o);
const nlm = (host: string, o = '1') => ownerKey('nlm', host, o);
const smb = (open: string) => ownerKey('smb', '7', open);
const B = BigInt;

describe('LockManager, POSIX owners', () => {
  it('shares read locks, refuses writes over them, ignores disjoint ranges and other files', () => {
    const m = new LockManager();
    expect(m.lock('f', nfs('a'), 'read', 0n, 100n)).toBeUndefined();
    expect(m.lock('f', nfs('b'), 'read', 50n, 150n)).toBeUndefined();
    expect(m.lock('f', nfs('c'), 'write', 90n, 95n)).toMatchObject({ owner: nfs('a') });
    expect(m.lock('f', nfs('c'), 'write', 150n, TO_END)).toBeUndefined();
    expect(m.conflict('g', nfs('c'), 'write', 0n, 10n)).toBeUndefined();
  });

  it('replaces and splits an owner’s own locks: downgrade, upgrade, partial unlock', () => {
    const m = new LockManager();
    m.lock('f', nfs('a'), 'write', 0n, 100n);
    expect(m.lock('f', nfs('a'), 'read', 40n, 60n)).toBeUndefined(); // downgrade the middle
    expect(m.conflict('f', nfs('b'), 'read', 45n, 50n)).toBeUndefined();
    expect(m.conflict('f', nfs('b'), 'read', 10n, 20n)).toMatchObject({ kind: 'write', start: 0n, end: 40n });
    expect(m.unlock('f', nfs('a'), 0n, 50n)).toBe(true);
    expect(m.conflict('f', nfs('b'), 'write', 0n, 50n)).toBeUndefined();
    expect(m.conflict('f', nfs('b'), 'write', 52n, 55n)).toMatchObject({ kind: 'read', start: 50n, end: 60n });
    expect(m.lock('f', nfs('a'), 'write', 50n, 60n)).toBeUndefined(); // upgrade back
    expect(m.conflict('f', nfs('b'), 'read', 55n, 56n)).toMatchObject({ kind: 'write' });
    m.lock('f', nfs('b'), 'read', 200n, 300n);
    expect(m.lock('f', nfs('a'), 'write', 250n, 260n)).toMatchObject({ owner: nfs('b') }); // upgrade refused
    expect(m.unlock('f', nfs('a'), 1000n, 2000n)).toBe(false);
    expect(m.conflict('f', nfs('b'), 'write', 0n, 55n)).toMatchObject({
      owner: nfs('a'),
      kind: 'write',
      start: 50n,
      end: 60n,
    });
  });
});

describe('LockManager, SMB owners (MS-FSA §2.1.5.7)', () => {
  const L = (kind: 'read' | 'write', start: number, length: number) => ({
    kind,
    start: B(start),
    end: B(start + length),
  });

  it('stacks shared on its own exclusive lock; an exclusive meets even its own lock', () => {
    const m = new LockManager();
    expect(m.lockAll('f', smb('a'), [L('write', 0, 10)])).toBeUndefined();
    expect(m.lockAll('f', smb('b'), [L('read', 5, 10)])).toBeDefined();
    expect(m.lockAll('f', smb('a'), [L('read', 5, 2)])).toBeUndefined();
    expect(m.lockAll('f', smb('a'), [L('write', 5, 2)])).toBeDefined();
    expect(m.lockAll('f', smb('b'), [L('write', 10, 5)])).toBeUndefined(); // adjacent
  });

  it('zero-length locks meet only ranges holding them strictly inside', () => {
    const m = new LockManager();
    expect(m.lockAll('f', smb('a'), [L('write', 10, 0)])).toBeUndefined();
    expect(m.lockAll('f', smb('b'), [L('write', 10, 0)])).toBeUndefined();
    expect(m.lockAll('f', smb('b'), [L('write', 10, 2)])).toBeUndefined();
    expect(m.lockAll('f', smb('c'), [L('write', 9, 2)])).toBeDefined();
  });

  it('all or nothing; unlock names one exact lock, exclusive before shared', () => {
    const m = new LockManager();
    m.lockAll('f', smb('a'), [L('write', 100, 10)]);
    expect(m.lockAll('f', smb('b'), [L('write', 0, 10), L('write', 105, 1)])).toBeDefined();
    expect(m.lockAll('f', smb('c'), [L('write', 0, 10)])).toBeUndefined(); // b's first lock was not kept
    m.lockAll('f', smb('a'), [L('read', 100, 10)]);
    expect(m.unlock('f', smb('a'), 100n, 110n)).toBe(true); // the exclusive one
    expect(m.lockAll('f', smb('b'), [L('read', 100, 10)])).toBeUndefined();
    expect(m.unlock('f', smb('a'), 100n, 111n)).toBe(false);
  });

  it('ranges past 2^64 are exact', () => {
    const m = new LockManager();
    const top = (1n << 64n) - 1n;
    expect(m.lockAll('f', smb('a'), [{ kind: 'write', start: top, end: top + 10n }])).toBeUndefined();
    expect(m.lockAll('f', smb('b'), [{ kind: 'write', start: top - 1n, end: top }])).toBeUndefined();
    expect(m.lockAll('f', smb('b'), [{ kind: 'write', start: top + 9n, end: top + 20n }])).toBeDefined();
  });

  it('reads and writes against locks (§2.1.4.10), and release on close', () => {
    const m = new LockManager();
    m.lockAll('f', smb('a'), [L('write', 0, 10), L('read', 20, 10)]);
    expect(m.allows('f', smb('b'), 5n, 6n, false)).toBe(false);
    expect(m.allows('f', smb('a'), 5n, 6n, true)).toBe(true);
    expect(m.allows('f', smb('b'), 25n, 26n, false)).toBe(true);
    expect(m.allows('f', smb('b'), 25n, 26n, true)).toBe(false);
    expect(m.allows('f', smb('a'), 25n, 26n, true)).toBe(false); // one's own shared lock blocks writes too
    m.release('f', smb('a'));
    expect(m.allows('f', smb('b'), 0n, 100n, true)).toBe(true);
  });
});

describe('LockManager across protocols', () => {
  it('a lock held over one protocol conflicts with the others', () => {
    const m = new LockManager();
    m.lockAll('f', smb('a'), [{ kind: 'write', start: 0n, end: 10n }]);
    expect(m.lock('f', nfs('x'), 'read', 5n, 6n)).toMatchObject({ owner: smb('a') });
    expect(m.lock('f', nlm('h1'), 'write', 9n, TO_END)).toMatchObject({ owner: smb('a') });
    expect(m.lock('f', nlm('h1'), 'read', 10n, TO_END)).toBeUndefined();
    expect(m.lockAll('f', smb('b'), [{ kind: 'write', start: 20n, end: 21n }])).toMatchObject({ owner: nlm('h1') });
    expect(m.allows('f', smb('b'), 20n, 21n, false)).toBe(true); // a read lock lets SMB read
    expect(m.allows('f', smb('b'), 20n, 21n, true)).toBe(false);
    expect(m.lock('f', nfs('x'), 'read', 20n, 30n)).toBeUndefined();
    expect(m.conflict('f', nlm('h2'), 'write', 25n, 26n)?.owner).toMatch(/^(nlm|nfs4):/);
  });

  it('releases every lock of a vanished client and wakes who waited for them', async () => {
    const m = new LockManager();
    m.lock('f', nlm('h1', '1'), 'write', 0n, TO_END);
    m.lock('g', nlm('h1', '2'), 'read', 0n, 5n);
    m.lock('g', nlm('h2', '1'), 'read', 0n, 5n);
    const waiting = m.wait('f', smb('a'), [{ kind: 'write', start: 0n, end: 1n }]);
    expect(m.waiting('f', smb('a'))).toBe(waiting);
    m.releaseWhere((o) => o.startsWith(clientPrefix('nlm', 'h1')));
    await expect(waiting.granted).resolves.toBe(true);
    expect(m.holds('f', smb('a'))).toBe(true);
    expect(m.holds('g', nlm('h1', '2'))).toBe(false);
    expect(m.holds('g', nlm('h2', '1'))).toBe(true);
  });
});

describe('LockManager waits', () => {
  it('grants waits in order as locks free, skips those still blocked, and cancels', async () => {
    const m = new LockManager();
    m.lock('f', nfs('a'), 'write', 0n, 100n);
    const first = m.wait('f', nlm('h', '1'), [{ kind: 'write', start: 0n, end: 10n }]);
    const second = m.wait('f', nlm('h', '2'), [{ kind: 'write', start: 5n, end: 6n }]);
    const third = m.wait('f', smb('c'), [{ kind: 'read', start: 50n, end: 60n }]);
    const cancelled = m.wait('f', smb('d'), [{ kind: 'read', start: 70n, end: 80n }]);
    cancelled.cancel();
    await expect(cancelled.granted).resolves.toBe(false);
    m.unlock('f', nfs('a'), 0n, 60n); // frees 0..60: first and third fit, second overlaps first
    await expect(first.granted).resolves.toBe(true);
    await expect(third.granted).resolves.toBe(true);
    expect(m.waiting('f', nlm('h', '2'))).toBe(second);
    m.releaseWhere((o) => o === nlm('h', '2')); // its owner went away
    await expect(second.granted).resolves.toBe(false);
    expect(m.holds('f', nlm('h', '2'))).toBe(false);
    expect([m.holds('f', nfs('a')), m.holds('f', nlm('h', '1')), m.holds('f', smb('c'))]).toEqual([true, true, true]);
  });

  it('a released open takes its waits with it', async () => {
    const m = new LockManager();
    m.lock('f', nfs('a'), 'write', 0n, 1n);
    const w = m.wait('f', smb('x'), [{ kind: 'write', start: 0n, end: 1n }]);
    m.release('f', smb('x'));
    await expect(w.granted).resolves.toBe(false);
    m.unlock('f', nfs('a'), 0n, 1n);
    expect(m.holds('f', smb('x'))).toBe(false);
  });
});
