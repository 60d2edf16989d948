import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { isDittoError } from '../../shared/errors.ts';
import { SqliteControlPlaneStore } from '../controlplane/store/sqlite/sqlite.ts';
import { AccessIndex } from '../runtime/access.ts';
import { SettingsService } from '../runtime/settings.ts';
import { UsersService } from '../runtime/users.ts';
import { md4, ntHash } from './nthash.ts';
import { AuthService, RateLimitedError } from './tokens.ts';

const logger = pino({ level: 'silent' });

// scrypt is deliberately slow (tested with the password module); these tests are about tokens.
vi.mock('./password.ts', () => ({
  hashPassword: async (p: string) => `test$${p}`,
  verifyPassword: async (p: string, encoded: string) => encoded === `test$${p}`,
  generatePassword: () => 'generated-password',
}));

async function rejects(p: Promise<unknown>, code: string, detail?: RegExp): Promise<void> {
  try {
    await p;
  } catch (err) {
    expect(isDittoError(err), String(err)).toBe(true);
    expect((err as { code: string }).code).toBe(code);
    if (detail) expect((err as Error).message).toMatch(detail);
    return;
  }
  throw new Error(`expected ${code}`);
}

describe('md4 / ntHash', () => {
  it('matches the RFC 1320 test suite', () => {
    const vectors: [string, string][] = [
      ['', '31d6cfe0d16ae931b73c59d7e0c089c0'],
      ['a', 'bde52cb31de33e46245e05fbdbd6fb24'],
      ['abc', 'a448017aaf21d8525fc10ae87aa6729d'],
      ['message digest', 'd9130a8164549fe818874806e1c7014b'],
      ['abcdefghijklmnopqrstuvwxyz', 'd79e1c308aa5bbcdeea8ed63df412da9'],
      [
        '12345678901234567890123456789012345678901234567890123456789012345678901234567890',
        'e33b4ddc9c38f2199c3e7b164fcc0536',
      ],
    ];
    for (const [input, hex] of vectors) expect(md4(Buffer.from(input)).toString('hex'), input).toBe(hex);
  });

  it('computes the NT hash of a password (MD4 of UTF-16LE)', () => {
    expect(ntHash('password')).toBe('8846f7eaee8fb117ad06bdd830b7586c');
  });
});

describe('AuthService', () => {
  let store: SqliteControlPlaneStore;
  let settings: SettingsService;
  let users: UsersService;
  let now = Date.parse('2030-01-01T00:00:00Z');
  const clock = () => now;

  beforeEach(async () => {
    store = SqliteControlPlaneStore.open(':memory:');
    settings = new SettingsService(store);
    users = new UsersService(store, new AccessIndex(store), logger, async () => 0);
    await users.create({ username: 'alice', password: 'alice-password', role: 'operator' });
  });
  afterEach(async () => {
    await store.close();
  });

  it('signs in with the right password and authenticates the access token', async () => {
    const auth = new AuthService(store, settings, logger, { now: clock });
    const t = await auth.login('alice', 'alice-password', '127.0.0.1');
    expect(t.expiresIn).toBe(900);
    expect(t.refreshExpiresIn).toBe(7 * 24 * 3600);
    expect((await auth.authenticate(t.accessToken)).user.username).toBe('alice');
    await rejects(auth.authenticate(t.refreshToken), 'UNAUTHENTICATED');
  });

  it('gives the same answer for an unknown user and a wrong password', async () => {
    const auth = new AuthService(store, settings, logger, { now: clock });
    await rejects(auth.login('alice', 'wrong-password', 'ip'), 'UNAUTHENTICATED', /^invalid user name or password$/);
    await rejects(auth.login('nobody', 'wrong-password', 'ip'), 'UNAUTHENTICATED', /^invalid user name or password$/);
  });

  it('keeps the generated secret in the control plane, or uses the configured one', async () => {
    const a = new AuthService(store, settings, logger, { now: clock });
    const t = await a.login('alice', 'alice-password', 'ip');
    const b = new AuthService(store, settings, logger, { now: clock });
    expect((await b.authenticate(t.accessToken)).user.username).toBe('alice');
    const other = new AuthService(store, settings, logger, { now: clock, secret: 'x'.repeat(40) });
    await rejects(other.authenticate(t.accessToken), 'UNAUTHENTICATED', /invalid token/);
    expect((await settings.list()).some((s) => s.key.includes('jwt'))).toBe(false);
    await expect(settings.get('_internal.jwtSecret')).rejects.toThrow();
    await rejects(new AuthService(store, settings, logger, { secret: 'short' }).init(), 'INVALID_ARGUMENT');
  });

  it('rejects an expired access token', async () => {
    const auth = new AuthService(store, settings, logger, { now: clock });
    const t = await auth.login('alice', 'alice-password', 'ip');
    now += 14 * 60_000;
    await auth.authenticate(t.accessToken);
    now += 2 * 60_000;
    await rejects(auth.authenticate(t.accessToken), 'UNAUTHENTICATED', /expired/);
    // The refresh token still works and yields a fresh access token.
    const next = await auth.refresh(t.refreshToken);
    expect((await auth.authenticate(next.accessToken)).user.username).toBe('alice');
  });

  it('tokens issued before a password change stop working', async () => {
    const auth = new AuthService(store, settings, logger, { now: clock });
    const t = await auth.login('alice', 'alice-password', 'ip');
    await new Promise((r) => setTimeout(r, 5));
    await users.setPassword('alice', 'alice-password-2');
    await rejects(auth.authenticate(t.accessToken), 'UNAUTHENTICATED', /password change/);
    await rejects(auth.refresh(t.refreshToken), 'UNAUTHENTICATED');
  });

  it('a disabled or deleted user is signed out at once', async () => {
    const auth = new AuthService(store, settings, logger, { now: clock });
    const t = await auth.login('alice', 'alice-password', 'ip');
    await users.update('alice', { enabled: false });
    await rejects(auth.authenticate(t.accessToken), 'UNAUTHENTICATED', /disabled/);
    await rejects(auth.login('alice', 'alice-password', 'ip'), 'UNAUTHENTICATED');
    await users.update('alice', { enabled: true });
    await users.delete('alice');
    await rejects(auth.authenticate(t.accessToken), 'UNAUTHENTICATED', /no longer exists/);
  });

  it('rotates refresh tokens and revokes them on logout, persistently', async () => {
    const auth = new AuthService(store, settings, logger, { now: clock });
    const t = await auth.login('alice', 'alice-password', 'ip');
    const next = await auth.refresh(t.refreshToken);
    await rejects(auth.refresh(t.refreshToken), 'UNAUTHENTICATED', /revoked/);
    await auth.logout(next.refreshToken);
    const restarted = new AuthService(store, settings, logger, { now: clock });
    await rejects(restarted.refresh(next.refreshToken), 'UNAUTHENTICATED', /revoked/);
  });

  it('slows a source that guesses wrong without locking the account: the right password gets in', async () => {
    let slept = 0;
    const sleep = async (ms: number) => {
      slept += ms;
      now += ms;
    };
    const auth = new AuthService(store, settings, logger, { now: clock, sleep });
    // A local process guesses one password after another, trying other names too.
    for (let i = 0; i < 40; i++)
      await rejects(auth.login(i % 2 ? 'alice' : `user${i}`, `bad-${i}`, '127.0.0.1'), 'UNAUTHENTICATED');
    expect(slept).toBeGreaterThan(0);
    // The owner, on the same computer, with the right password: in after a short wait.
    slept = 0;
    await auth.login('alice', 'alice-password', '127.0.0.1');
    expect(slept).toBeLessThanOrEqual(4000);
    // Another address is not slowed at all.
    slept = 0;
    await auth.login('alice', 'alice-password', '192.0.2.5');
    expect(slept).toBe(0);
  });

  it('logs a few failed sign-ins per address a minute, not one line per guess', async () => {
    const lines: { msg: string; client?: string }[] = [];
    const capture = pino({ level: 'info' }, { write: (line: string) => void lines.push(JSON.parse(line)) });
    const sleep = async (ms: number) => {
      now += ms;
    };
    const auth = new AuthService(store, settings, capture, { now: clock, sleep });
    for (let i = 0; i < 30; i++) await rejects(auth.login('alice', `bad-${i}`, '192.0.2.7'), 'UNAUTHENTICATED');
    await rejects(auth.login('alice', 'bad', '192.0.2.8'), 'UNAUTHENTICATED');
    const failed = lines.filter((l) => l.msg === 'login failed');
    expect(failed.filter((l) => l.client === '192.0.2.7')).toHaveLength(5);
    expect(failed.filter((l) => l.client === '192.0.2.8')).toHaveLength(1);
  });

  it('refuses attempts past the longest wait with RATE_LIMITED, saying how long to wait in words', async () => {
    const auth = new AuthService(store, settings, logger, { now: clock, sleep: () => new Promise(() => undefined) });
    const attempts = Array.from({ length: 20 }, (_, i) => auth.login('alice', `bad-${i}`, '::1'));
    const err = await Promise.race(attempts.map((p) => p.catch((e: unknown) => e)));
    expect(err).toBeInstanceOf(RateLimitedError);
    expect((err as RateLimitedError).retryAfterSeconds).toBe(2);
    expect((err as Error).message).toBe('too many failed sign-ins from this address: try again in 2 seconds');
  });

  it('changes the own password only with the current one', async () => {
    const auth = new AuthService(store, settings, logger, { now: clock });
    const t = await auth.login('alice', 'alice-password', 'ip');
    const set = (u: string, p: string) => users.setPassword(u, p);
    await rejects(auth.changePassword(t.user, 'nope', 'new-password-1', 'ip', set), 'VALIDATION', /current password/);
    await rejects(auth.changePassword(t.user, 'alice-password', 'alice-password', 'ip', set), 'VALIDATION', /differ/);
    const fresh = await auth.changePassword(t.user, 'alice-password', 'new-password-1', 'ip', set);
    expect((await auth.authenticate(fresh.accessToken)).user.mustChangePassword).toBe(false);
    await auth.login('alice', 'new-password-1', 'ip');
  });
});

describe('UsersService', () => {
  it('keeps the last enabled admin', async () => {
    const store = SqliteControlPlaneStore.open(':memory:');
    const users = new UsersService(store, new AccessIndex(store), logger, async () => 0);
    await users.create({ username: 'root', password: 'root-password', role: 'admin' });
    await rejects(users.update('root', { role: 'user' }), 'CONFLICT');
    await rejects(users.update('root', { enabled: false }), 'CONFLICT');
    await rejects(users.delete('root'), 'CONFLICT');
    await users.create({ username: 'root2', password: 'root-password', role: 'admin' });
    await users.update('root', { role: 'user' });
    const created = await users.get('root2');
    expect(created.smbPassword).toBe(true);
    await store.close();
  });
});
