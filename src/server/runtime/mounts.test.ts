import { describe, expect, it } from 'vitest';
import { MountsService } from './mounts.ts';
import type { OpSample } from './types.ts';

const sample = (s: Partial<OpSample>): OpSample => ({
  protocol: 'smb',
  op: 'WRITE',
  share: '/export',
  clientAddr: '10.0.0.9',
  bytesRead: 0,
  bytesWritten: 0,
  latencyMs: 1,
  status: 'ok',
  ...s,
});

describe('MountsService: one record per mount, with its own counters', () => {
  it('NFS: mounting a share again keeps one record per protocol, client and share', () => {
    const mounts = new MountsService();
    const a = mounts.add({ protocol: 'nfs3', clientAddr: '10.0.0.9', share: '/export', user: '1000' });
    const again = mounts.add({
      protocol: 'nfs3',
      clientAddr: '10.0.0.9',
      share: '/export',
      user: '1000',
      version: '3',
    });
    expect(again).toBe(a);
    expect(a.version).toBe('3');
    mounts.add({ protocol: 'nfs4', clientAddr: '10.0.0.9', share: '/export', user: '1000' });
    mounts.add({ protocol: 'nfs3', clientAddr: '10.0.0.8', share: '/export', user: '1000' });
    expect(mounts.list()).toHaveLength(3);
    mounts.record(sample({ protocol: 'nfs3', bytesRead: 10 }));
    expect(a).toMatchObject({ bytesRead: 10, ops: 1 });
    expect(mounts.remove('nfs3', '10.0.0.9', '/export')).toBe(1);
    expect(mounts.list().map((m) => `${m.protocol} ${m.clientAddr}`)).toEqual(['nfs4 10.0.0.9', 'nfs3 10.0.0.8']);
  });

  it('keyed records (SMB sessions): two on one client and share, each credited and removed on its own', () => {
    const mounts = new MountsService();
    const events: string[] = [];
    mounts.on('mount', (m) => events.push(`+${m.user}`));
    mounts.on('unmount', (m) => events.push(`-${m.user}`));
    const alice = mounts.add({ protocol: 'smb', clientAddr: '10.0.0.9', share: '/export', user: 'alice', key: 's1' });
    const guest = mounts.add({ protocol: 'smb', clientAddr: '10.0.0.9', share: '/export', user: 'guest', key: 's2' });
    expect(mounts.add({ protocol: 'smb', clientAddr: '10.0.0.9', share: '/export', user: 'alice', key: 's1' })).toBe(
      alice,
    );
    expect(mounts.list().map((m) => m.user)).toEqual(['alice', 'guest']);

    mounts.record(sample({ mountKey: 's2', bytesWritten: 100 }));
    mounts.record(sample({ mountKey: 's1', bytesRead: 7 }));
    mounts.record(sample({ bytesRead: 1 })); // no key: no keyed record is credited
    expect(alice).toMatchObject({ bytesRead: 7, bytesWritten: 0, ops: 1 });
    expect(guest).toMatchObject({ bytesRead: 0, bytesWritten: 100, ops: 1 });
    expect(mounts.totals).toEqual({ bytesRead: 8, bytesWritten: 100, ops: 3 });

    expect(mounts.removeKey('s1')).toBe(true);
    expect(mounts.removeKey('s1')).toBe(false);
    expect(mounts.list().map((m) => m.user)).toEqual(['guest']);
    expect(mounts.get(guest.id)).toBe(guest);
    expect(mounts.removeId(guest.id)).toBe(true);
    expect(events).toEqual(['+alice', '+guest', '-alice', '-guest']);
  });

  it("a client's records go together, keyed or not; a share's records go when it is removed", () => {
    const mounts = new MountsService();
    mounts.add({ protocol: 'smb', clientAddr: '10.0.0.9', share: '/a', user: 'alice', key: 's1' });
    mounts.add({ protocol: 'smb', clientAddr: '10.0.0.9', share: '/b', user: 'bob', key: 's2' });
    mounts.add({ protocol: 'smb', clientAddr: '10.0.0.8', share: '/a', user: 'carol', key: 's3' });
    mounts.add({ protocol: 'nfs3', clientAddr: '10.0.0.9', share: '/a', user: '1000' });
    expect(mounts.remove('smb', '10.0.0.9')).toBe(2);
    expect(mounts.list().map((m) => m.user)).toEqual(['carol', '1000']);
    expect(mounts.removeShare('/a')).toBe(2);
    expect(mounts.list()).toEqual([]);
  });
});
