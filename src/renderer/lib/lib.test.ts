// Pure parts of the renderer: addresses with real ports, form checks with the shared
// schemas, problem details in words, the live history, the HTTP transport's tokens.
import { describe, expect, it, vi } from 'vitest';
import { ApiError, CreateUserRequest } from '../../shared/api/index.ts';
import { HttpTransport } from '../transport/http.ts';
import { IpcTransport } from '../transport/ipc.ts';
import { axisTicks, niceMax } from '../components/Chart.tsx';
import { connectLines, type ConnectLine } from '../../shared/connect.ts';
import { defaultHost } from '../pages/Connect.tsx';
import { formatBytes, formatRate } from './format.ts';
import { check, explain } from './forms.ts';
import { LiveHistory } from './live.ts';
import { suggestShareName } from '../pages/ShareWizard.tsx';

describe('connect lines', () => {
  const both = { name: '/photos', protocols: { nfs: true, smb: true } };
  const ports = { nfs: { port: 12049, mountPort: 12050 }, smb: { port: 12445 } };
  const byId = (lines: ConnectLine[]) => Object.fromEntries(lines.map((l) => [l.id, l]));

  it('gives pasteable lines with the real NFS and MOUNT ports', () => {
    const l = byId(connectLines(both, '192.168.1.20', ports));
    expect(l['linux']?.value).toBe(
      'sudo mkdir -p /mnt/photos && sudo mount -t nfs -o nfsvers=3,tcp,port=12049,mountport=12050,mountproto=tcp,nolock 192.168.1.20:/photos /mnt/photos',
    );
    expect(l['fstab']?.value).toBe(
      '192.168.1.20:/photos  /mnt/photos  nfs  nfsvers=3,tcp,port=12049,mountport=12050,mountproto=tcp,nolock,_netdev  0  0',
    );
    // macOS: never /mnt (read-only system volume).
    expect(l['macos']?.value).toBe(
      'mkdir -p ~/mnt/photos && sudo mount_nfs -o vers=3,tcp,port=12049,mountport=12050,nolocks 192.168.1.20:/photos ~/mnt/photos',
    );
    expect(l['finder-nfs']?.value).toBe('nfs://192.168.1.20:12049/photos');
    expect(l['finder-nfs']?.note).toMatch(/MOUNT port/);
    expect(l['linux']?.note).toMatch(/portmapper on port 111/);
  });

  it('drops nolock for Linux once NFSv3 locking is reachable (portmapper on 111)', () => {
    const l = byId(
      connectLines(both, '192.168.1.20', { ...ports, nfs: { port: 2049, mountPort: 2049, locking: true } }),
    );
    expect(l['linux']?.value).toBe(
      'sudo mkdir -p /mnt/photos && sudo mount -t nfs -o nfsvers=3,tcp,port=2049,mountport=2049,mountproto=tcp 192.168.1.20:/photos /mnt/photos',
    );
    expect(l['linux']?.note).toBeUndefined();
    expect(l['fstab']?.value).toContain('mountproto=tcp,_netdev');
    expect(l['macos']?.value).toContain(',nolocks '); // macOS's lockd wants its *_RES calls on its own NLM service
  });

  it('tells the truth about Windows and ports other than 445', () => {
    const l = byId(connectLines(both, 'nas.local', ports));
    expect(l['smb-url']?.value).toBe('smb://nas.local:12445/photos');
    expect(l['windows']).toBeUndefined();
    expect(l['windows-port']?.value).toBe('net use Z: "\\\\nas.local\\photos" /TCPPORT:12445');
    expect(l['windows-port']?.note).toMatch(/Explorer reaches SMB only on port 445/);
    const on445 = byId(connectLines(both, 'nas.local', { nfs: null, smb: { port: 445 } }));
    expect(on445['smb-url']?.value).toBe('smb://nas.local/photos');
    expect(on445['windows']?.value).toBe('\\\\nas.local\\photos');
    expect(on445['windows-port']).toBeUndefined();
  });

  it('shows only protocols the share serves and adapters that run', () => {
    expect(connectLines(both, 'h', { nfs: null, smb: null })).toEqual([]);
    const nfsOnly = connectLines({ ...both, protocols: { nfs: true, smb: false } }, 'h', ports).map((l) => l.id);
    expect(nfsOnly).toEqual(['linux', 'fstab', 'macos', 'finder-nfs']);
    expect(connectLines(both, 'h', { ...ports, smb: null }).some((l) => l.value.includes('smb://'))).toBe(false);
  });

  it('brackets IPv6 and quotes names with spaces', () => {
    const l = byId(connectLines({ name: '/my photos', protocols: { nfs: true, smb: true } }, 'fd00::5', ports));
    expect(l['linux']?.value).toContain("'[fd00::5]:/my photos' '/mnt/my photos'");
    expect(l['fstab']?.value).toMatch(/^\[fd00::5\]:\/my\\040photos {2}\/mnt\/my\\040photos /);
    expect(l['smb-url']?.value).toBe('smb://[fd00::5]:12445/my%20photos');
    expect(l['windows-port']?.value).toContain('\\\\fd00--5.ipv6-literal.net\\my photos');
  });

  it('prefers the chosen address, then the page host, then the best guess', () => {
    const info = {
      hostname: 'nas',
      addresses: [
        { host: '192.168.1.20', kind: 'ipv4' as const, note: 'eth0' },
        { host: 'nas.local', kind: 'name' as const, note: 'mDNS' },
      ],
      nfs: null,
      smb: null,
    };
    expect(defaultHost(info, null, '127.0.0.1')).toBe('192.168.1.20');
    expect(defaultHost(info, null, 'nas.local')).toBe('nas.local');
    expect(defaultHost(info, 'nas.local', '192.168.1.20')).toBe('nas.local');
    expect(defaultHost(info, 'gone', '127.0.0.1')).toBe('192.168.1.20');
  });
});

describe('forms', () => {
  it('checks with the shared schema, one sentence per field', () => {
    const r = check(CreateUserRequest, { username: '9lives', password: 'x' });
    expect(r.ok).toBe(false);
    expect(!r.ok && Object.keys(r.errors).sort()).toEqual(['password', 'username']);
    expect(!r.ok && r.errors['password']).toBe('Use at least 8 characters.');
  });

  it("puts the server's problem in words", () => {
    const e = new ApiError({
      type: 'about:blank',
      title: 'Validation failed',
      status: 400,
      code: 'VALIDATION',
      detail: 'currentPassword: the current password is wrong',
    });
    expect(explain(e)).toEqual({
      message: 'The current password is wrong.',
      fields: { currentPassword: 'The current password is wrong.' },
    });
    const v = new ApiError({
      type: 'about:blank',
      title: 'Validation failed',
      status: 400,
      code: 'VALIDATION',
      detail: 'invalid body',
      errors: [{ path: 'body.name', message: 'expected a path such as /export' }],
    });
    expect(explain(v).fields).toEqual({ name: 'Expected a path such as /export.' });
    const down = new ApiError({
      type: 'about:blank',
      title: 'Server unreachable',
      status: 0,
      code: 'UNREACHABLE',
      detail: 'cannot reach x',
    });
    expect(explain(down).message).toMatch(/^Cannot reach the server/);
    // The sign-in page shows how long to wait after too many failed sign-ins.
    const throttled = new ApiError({
      type: 'about:blank',
      title: 'Too many requests',
      status: 429,
      code: 'RATE_LIMITED',
      detail: 'too many failed sign-ins from this address: try again in 2 seconds',
    });
    expect(explain(throttled).message).toBe('Too many failed sign-ins from this address: try again in 2 seconds.');
  });

  it('suggests a share name from a folder', () => {
    expect(suggestShareName('/home/me/Photos Backup')).toBe('/Photos Backup');
    expect(suggestShareName('/home/me/Été: 2024?')).toBe('/Été_ 2024_');
    expect(suggestShareName('C:\\Users\\me\\Music\\')).toBe('/Music');
    expect(suggestShareName('/')).toBe('');
  });
});

describe('units and charts', () => {
  it('formats bytes with labelled units', () => {
    expect(formatBytes(0)).toBe('0 B');
    expect(formatBytes(1234)).toBe('1.2 kB');
    expect(formatRate(64_000_000)).toBe('64.0 MB/s');
    expect([0, 3, 7, 12, 999].map(niceMax)).toEqual([1, 5, 10, 20, 1000]);
    // Idle: one "0 B/s" label, not "1 B/s, 1 B/s, 0 B/s".
    expect(axisTicks(0).map(formatRate)).toEqual(['0 B/s']);
    expect(axisTicks(7_000_000).map(formatRate)).toEqual(['0 B/s', '5.0 MB/s', '10.0 MB/s']);
  });

  it('keeps the last N throughput samples', () => {
    const h = new LiveHistory(3);
    const seen = vi.fn();
    h.subscribe(seen);
    for (let i = 0; i < 5; i++)
      h.push({
        type: 'throughput',
        time: String(i),
        total: { bytesRead: i, bytesWritten: 0, ops: 1 },
        byShare: {},
        byClient: { [`c${i % 2}`]: { bytesRead: i, bytesWritten: 0, ops: 1 } },
      });
    expect(h.snapshot().map((s) => s.time)).toEqual(['2', '3', '4']);
    expect(seen).toHaveBeenCalledTimes(5);
    expect(h.clients()).toEqual(['c0', 'c1']);
  });
});

describe('transports', () => {
  const user = { username: 'admin', role: 'admin' };
  const jwt = (exp: number) => `x.${btoa(JSON.stringify({ exp })).replace(/=+$/, '')}.y`;

  it('HTTP: signs in, refreshes an expiring token once, and keeps it in storage', async () => {
    const store = new Map<string, string>();
    const storage = {
      getItem: (k: string) => store.get(k) ?? null,
      setItem: (k: string, v: string) => void store.set(k, v),
      removeItem: (k: string) => void store.delete(k),
    };
    const soon = Math.floor(Date.now() / 1000) + 10;
    const later = Math.floor(Date.now() / 1000) + 900;
    const calls: string[] = [];
    const fetchFn = vi.fn(async (url: string, init: RequestInit) => {
      calls.push(
        `${init.method} ${url.replace('http://nas', '')} ${(init.headers as Record<string, string>)['authorization'] ?? ''}`,
      );
      const json = (body: unknown, status = 200) =>
        new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
      if (url.endsWith('/auth/login'))
        return json({
          tokenType: 'Bearer',
          accessToken: jwt(soon),
          refreshToken: 'r1',
          expiresIn: 10,
          refreshExpiresIn: 100,
          user,
        });
      if (url.endsWith('/auth/refresh'))
        return json({
          tokenType: 'Bearer',
          accessToken: jwt(later),
          refreshToken: 'r2',
          expiresIn: 900,
          refreshExpiresIn: 100,
          user,
        });
      return json([]);
    });
    const t = new HttpTransport({ baseUrl: 'http://nas', storage, fetch: fetchFn as unknown as typeof fetch });
    await t.login('admin', 'pw');
    expect(t.session?.user.username).toBe('admin');
    await Promise.all([t.call('shares.list', {}), t.call('users.list', {})]);
    expect(calls.filter((c) => c.includes('/auth/refresh'))).toHaveLength(1);
    expect(calls.at(-1)).toContain(`Bearer ${jwt(later)}`);
    expect(JSON.parse(store.get('dittofs.tokens') as string).refreshToken).toBe('r2');
    await t.logout();
    expect(store.size).toBe(0);
    expect(t.session).toBeUndefined();
  });

  it('IPC: unwraps results and turns problems into ApiError', async () => {
    const api = {
      platform: 'linux',
      subscribe: vi.fn(() => () => undefined),
      call: vi.fn(async (op: string) =>
        op === 'auth.me'
          ? { ok: true as const, result: user }
          : {
              ok: false as const,
              error: { title: 'Conflict', status: 409, code: 'EXISTS', detail: 'share /a exists' },
            },
      ),
    };
    const t = new IpcTransport(api);
    await t.restore();
    expect(t.session?.user.username).toBe('admin');
    const err = await t
      .call('shares.create', { body: { name: '/a', metadataStore: 'm', payloadStore: 'p' } })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect((err as ApiError).code).toBe('EXISTS');
    expect((err as ApiError).detail).toBe('share /a exists');
  });
});
