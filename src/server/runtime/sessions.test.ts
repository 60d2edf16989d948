import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import type { AccessIndex } from './access.ts';
import type { AdaptersService } from './adapters.ts';
import { MountsService } from './mounts.ts';
import { RECENT_ACTIVITY_MS, SessionsService } from './sessions.ts';
import type { LiveConnection, ProtocolAdapter } from './types.ts';

function setup() {
  const mounts = new MountsService();
  let conns: LiveConnection[] = [];
  let nfsUp = true;
  const closed: unknown[] = [];
  const nfs = { sessions: () => conns } as unknown as ProtocolAdapter;
  const adapters = {
    running: (t: string) => (t === 'nfs' && nfsUp ? nfs : undefined),
    disconnect: (f: unknown, only?: string) => {
      closed.push(only === undefined ? f : { ...(f as object), only });
      const n = conns.length;
      conns = [];
      return n;
    },
  } as unknown as AdaptersService;
  const access = { userName: (uid: number) => (uid === 1000 ? 'alice' : undefined) } as unknown as AccessIndex;
  const sessions = new SessionsService(mounts, adapters, access, pino({ level: 'silent' }));
  return {
    mounts,
    sessions,
    closed,
    setConns: (c: LiveConnection[]) => (conns = c),
    setNfsUp: (up: boolean) => (nfsUp = up),
  };
}

describe('SessionsService: who is connected, in words', () => {
  it('names users instead of uids; an NFSv3 mount is connected while a connection lives or it was used lately', () => {
    const t = setup();
    const m = t.mounts.add({ protocol: 'nfs3', clientAddr: '10.0.0.9', share: '/export', user: '1000' });
    t.mounts.add({ protocol: 'nfs3', clientAddr: '10.0.0.8', share: '/export', user: '4242' });
    const now = Date.now();
    const [a, b] = t.sessions.list(now);
    expect(a).toMatchObject({ user: 'alice', uid: 1000, state: 'connected', connections: 0 });
    expect(b).toMatchObject({ user: 'uid 4242', uid: 4242 });
    // Minutes later, with no connection left: only the MOUNT record remains.
    const later = now + RECENT_ACTIVITY_MS + 1;
    expect(t.sessions.list(later)[0]).toMatchObject({ state: 'mounted' });
    t.setConns([{ clientAddr: '10.0.0.9', shares: ['/export'] }]);
    expect(t.sessions.list(later)[0]).toMatchObject({ state: 'connected', connections: 1 });
    // NFS stopped: nobody is connected, whatever happened a moment ago.
    t.setNfsUp(false);
    expect(t.sessions.list(now).map((s) => s.state)).toEqual(['mounted', 'mounted']);
    t.setNfsUp(true);
    // Disconnect closes the client's connections on that share and drops the record.
    expect(t.sessions.disconnectMount(m.id)).toBe(1);
    expect(t.closed).toEqual([{ clientAddr: '10.0.0.9', share: '/export', only: 'nfs' }]);
    expect(t.sessions.list().map((s) => s.clientAddr)).toEqual(['10.0.0.8']);
  });

  it("SMB sessions side by side: one row each; Disconnect closes that session's connection and drops only its record", () => {
    const t = setup();
    const alice = t.mounts.add({
      protocol: 'smb',
      clientAddr: '10.0.0.9',
      share: '/export',
      user: 'alice',
      key: 'c1/s1',
    });
    t.mounts.add({ protocol: 'smb', clientAddr: '10.0.0.9', share: '/export', user: 'bob', key: 'c2/s1' });
    expect(t.sessions.list().map((s) => `${s.user} ${s.uid}`)).toEqual(['alice null', 'bob null']);
    expect(t.sessions.disconnectMount(alice.id)).toBe(1);
    expect(t.closed).toEqual([{ mountKey: 'c1/s1', only: 'smb' }]);
    expect(t.sessions.list().map((s) => s.user)).toEqual(['bob']);
  });
});
