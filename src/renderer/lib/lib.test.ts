// Pure parts of the renderer: addresses with real ports, form checks with the shared
// schemas, problem details in words, the live history, the HTTP transport's tokens.
import { describe, expect, it, vi } from 'vitest';
import { ApiError, CreateUserRequest } from '../../shared/api/index.ts';
import { HttpTransport } from '../transport/http.ts';
import { IpcTransport } from '../transport/ipc.ts';
import { niceMax } from '../components/Chart.tsx';
import { connectLines, formatBytes, formatRate } from './format.ts';
import { check, explain } from './forms.ts';
import { LiveHistory } from './live.ts';
import { suggestShareName } from '../pages/ShareWizard.tsx';

describe('connect lines', () => {
  it('gives smb://, \\\\host\\share and mount lines with the real ports', () => {
    const lines = connectLines('/photos', { host: 'nas.local', nfsPort: 12049, mountPort: 12050, smbPort: 12445 }).map(
      (l) => l.value,
    );
    expect(lines).toContain('smb://nas.local:12445/photos');
    expect(lines).toContain('\\\\nas.local\\photos');
    expect(lines.find((l) => l.includes('mount -t nfs'))).toContain(
      'port=12049,mountport=12050,nolock nas.local:/photos /mnt/photos',
    );
    expect(lines.find((l) => l.includes('mount_nfs'))).toContain(
      'port=12049,mountport=12050,nolocks nas.local:/photos',
    );
  });

  it('leaves out what is not serving', () => {
    expect(connectLines('/a', { host: 'h', nfsPort: null, smbPort: 445 }).map((l) => l.value)).toEqual([
      'smb://h/a',
      '\\\\h\\a',
    ]);
    expect(connectLines('/a', { host: 'h' })).toEqual([]);
  });
});

describe('forms', () => {
  it('checks with the shared schema, one sentence per field', () => {
    const r = check(CreateUserRequest, { username: '9lives', password: 'x' });
    expect(r.ok).toBe(false);
    expect(!r.ok && Object.keys(r.errors).sort()).toEqual(['password', 'username']);
    expect(!r.ok && r.errors['password']).toBe('Expected at least 8 characters.');
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
      message: 'Validation failed: The current password is wrong.',
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
    expect(explain(throttled).message).toBe(
      'Too many requests: Too many failed sign-ins from this address: try again in 2 seconds.',
    );
  });

  it('suggests a share name from a folder', () => {
    expect(suggestShareName('/home/me/Photos Backup')).toBe('/Photos_Backup');
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
