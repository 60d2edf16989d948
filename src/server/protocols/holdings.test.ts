// Open-file and lock counts per client and share, as the sessions list shows them.
import { describe, expect, it } from 'vitest';
import { clientPrefix, fileKey, LockManager, ownerKey, TO_END } from '../metadata/locks/lock-manager.ts';
import { HoldingsTally } from './holdings.ts';

const nfs = (o: string) => ownerKey('nfs4', 'c1', o);
const smb = (open: string) => ownerKey('smb', '7', open);

describe('LockManager.countsByClient and HoldingsTally (the sessions list’s lock counts)', () => {
  it('counts locks per client and share, and a tally adds them to the opens of the client’s address', () => {
    const m = new LockManager();
    m.lock(fileKey('photos', 1), nfs('a'), 'write', 0n, 10n);
    m.lock(fileKey('photos', 1), nfs('b'), 'read', 20n, 30n);
    m.lock(fileKey('docs', 2), nfs('a'), 'read', 0n, TO_END);
    m.lock(fileKey('photos', 3), smb('9'), 'write', 0n, 1n);
    const counts = m.countsByClient();
    expect(counts.get(clientPrefix('nfs4', 'c1'))).toEqual(
      new Map([
        ['photos', 2],
        ['docs', 1],
      ]),
    );
    expect(counts.get(clientPrefix('smb', '7'))).toEqual(new Map([['photos', 1]]));

    const tally = new HoldingsTally(counts);
    tally.open('10.0.0.5', 'photos');
    tally.locksOf(clientPrefix('nfs4', 'c1'), '10.0.0.5');
    tally.locksOf(clientPrefix('nfs4', 'unknown'), '10.0.0.6');
    expect(tally.list()).toEqual(
      expect.arrayContaining([
        { clientAddr: '10.0.0.5', share: 'photos', opens: 1, locks: 2 },
        { clientAddr: '10.0.0.5', share: 'docs', opens: 0, locks: 1 },
      ]),
    );
    expect(tally.list()).toHaveLength(2);
    m.unlock(fileKey('docs', 2), nfs('a'), 0n, TO_END);
    expect(m.countsByClient().get(clientPrefix('nfs4', 'c1'))?.has('docs')).toBe(false);
  });
});
