// Changes through the API take effect live on NFS (libnfs' nfs-ls / nfs-cp against a really
// started `dfs`), the event stream and /metrics follow the traffic, and the security basics
// hold: loopback listeners, no secret or password in the logs or echoed in an error.
import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseServerEvent, type ServerEvent } from '../../src/shared/api/events.ts';
import { configSchema } from '../../src/server/config/schema.ts';
import { startDfs, type DfsProcess } from '../helpers/dfs.ts';
import { freePort } from '../helpers/ports.ts';
import { makeTmpDir, removeTmpDir } from '../helpers/tmp.ts';
import { apiBase, hasLibnfs, http, login, metricSum, nfsUrl, parsePrometheus, run, type Tokens } from './helpers.ts';

const SECRET = randomBytes(32).toString('hex');
const ADMIN_PASSWORD = `admin-${randomBytes(8).toString('hex')}`;
const USER_PASSWORD = `carol-${randomBytes(8).toString('hex')}`;
const BAD_REQUEST_PASSWORD = `leak-${randomBytes(8).toString('hex')}`;
const FILE_SIZE = 8 * 1024 * 1024;

/** Listening sockets on a port from /proc/net/tcp{,6}: their local addresses (hex as the kernel writes them). */
function listeningAddresses(port: number): string[] {
  const out: string[] = [];
  for (const f of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text = '';
    try {
      text = readFileSync(f, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const cols = line.trim().split(/\s+/);
      const [addr, portHex] = (cols[1] ?? '').split(':');
      if (cols[3] === '0A' && portHex && parseInt(portHex, 16) === port && addr) out.push(addr);
    }
  }
  return out;
}

describe.skipIf(!hasLibnfs())('API changes apply live; events, metrics and security', () => {
  let dfs: DfsProcess;
  let base = '';
  let admin: Tokens;
  let dir = '';
  let file = '';
  const seenTokens: string[] = [];

  const api = async (method: string, url: string, body?: unknown) => {
    const r = await http(base, method, `/api/v1${url}`, { token: admin.accessToken, body });
    expect(r.status, `${method} ${url}: ${r.text}`).toBeLessThan(300);
    return r.body;
  };

  beforeAll(async () => {
    dir = makeTmpDir('dittofs-live-');
    file = path.join(dir, 'payload.bin');
    writeFileSync(file, randomBytes(FILE_SIZE));
    dfs = await startDfs({
      env: { DITTOFS_CONTROLPLANE_SECRET: SECRET, DITTOFS_ADMIN_INITIAL_PASSWORD: ADMIN_PASSWORD },
    });
    base = apiBase(dfs);
    try {
      admin = await login(base, 'admin', ADMIN_PASSWORD);
      seenTokens.push(admin.accessToken, admin.refreshToken);
      await api('POST', '/stores/metadata', { name: 'lm', type: 'memory' });
      await api('POST', '/stores/payload', { name: 'lp', type: 'memory' });
      await api('POST', '/users', { username: 'carol', password: USER_PASSWORD });
    } catch (err) {
      throw new Error(`${(err as Error).message}\n--- dfs log (tail) ---\n${dfs.logs().slice(-6000)}`);
    }
  });

  afterAll(async () => {
    await dfs?.stop();
    removeTmpDir(dir);
  });

  it('a share created through the API is mountable at once', async () => {
    await api('POST', '/shares', { name: '/live', metadataStore: 'lm', payloadStore: 'lp', squash: 'none' });
    const ls = await run('nfs-ls', [nfsUrl(dfs, '/live')]);
    expect(ls.code, ls.stderr).toBe(0);
  });

  it('a disabled share refuses a new mount; enabled again it serves', async () => {
    await api('POST', '/shares/live/disable');
    const refused = await run('nfs-ls', [nfsUrl(dfs, '/live')]);
    expect(refused.code).not.toBe(0);
    await api('POST', '/shares/live/enable');
    expect((await run('nfs-ls', [nfsUrl(dfs, '/live')])).code).toBe(0);
  });

  it('a read-only share makes a write through NFS fail', async () => {
    await api('PATCH', '/shares/live', { readOnly: true });
    const denied = await run('nfs-cp', [file, nfsUrl(dfs, '/live', 'ro.bin')]);
    expect(denied.code).not.toBe(0);
    await api('PATCH', '/shares/live', { readOnly: false });
    const allowed = await run('nfs-cp', [file, nfsUrl(dfs, '/live', 'rw.bin')]);
    expect(allowed.code, allowed.stderr).toBe(0);
  });

  it('the event stream delivers a throughput sample with non-zero bytes while nfs-cp copies', async () => {
    const events: ServerEvent[] = [];
    const ctrl = new AbortController();
    const res = await fetch(`${base}/api/v1/events?access_token=${admin.accessToken}`, { signal: ctrl.signal });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const reading = (async () => {
      const decoder = new TextDecoder();
      let buf = '';
      try {
        for await (const chunk of res.body!) {
          buf += decoder.decode(chunk as Uint8Array, { stream: true });
          let i: number;
          while ((i = buf.indexOf('\n\n')) >= 0) {
            const data = buf
              .slice(0, i)
              .split('\n')
              .filter((l) => l.startsWith('data: '))
              .map((l) => l.slice(6))
              .join('\n');
            buf = buf.slice(i + 2);
            if (data) events.push(parseServerEvent(data));
          }
        }
      } catch {
        /* aborted */
      }
    })();
    const cp = await run('nfs-cp', [file, nfsUrl(dfs, '/live', 'streamed.bin')]);
    expect(cp.code, cp.stderr).toBe(0);
    const deadline = Date.now() + 5000;
    const written = () =>
      events
        .filter((e): e is Extract<ServerEvent, { type: 'throughput' }> => e.type === 'throughput')
        .reduce((n, e) => n + e.total.bytesWritten, 0);
    while (written() < FILE_SIZE && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    ctrl.abort();
    await reading;
    expect(written()).toBeGreaterThanOrEqual(FILE_SIZE);
    const sample = events.find((e) => e.type === 'throughput' && e.total.bytesWritten > 0);
    expect(sample).toBeDefined();
    if (sample?.type === 'throughput') {
      expect(sample.byShare['/live']?.bytesWritten).toBeGreaterThan(0);
      expect(Object.values(sample.byClient).some((c) => c.bytesWritten > 0)).toBe(true);
    }
  });

  it('/metrics parses as Prometheus text and its byte counters grow with a copy', async () => {
    const scrape = async () => {
      const r = await fetch(`http://127.0.0.1:${dfs.metricsPort}/metrics`);
      expect(r.status).toBe(200);
      expect(r.headers.get('content-type')).toMatch(/^text\/plain/);
      return parsePrometheus(await r.text());
    };
    const before = await scrape();
    const cp = await run('nfs-cp', [file, nfsUrl(dfs, '/live', 'metered.bin')]);
    expect(cp.code, cp.stderr).toBe(0);
    const back = await run('nfs-cp', [nfsUrl(dfs, '/live', 'metered.bin'), path.join(dir, 'back.bin')]);
    expect(back.code, back.stderr).toBe(0);
    const after = await scrape();
    expect(
      metricSum(after, 'dittofs_bytes_written_total') - metricSum(before, 'dittofs_bytes_written_total'),
    ).toBeGreaterThanOrEqual(FILE_SIZE);
    expect(
      metricSum(after, 'dittofs_bytes_read_total') - metricSum(before, 'dittofs_bytes_read_total'),
    ).toBeGreaterThanOrEqual(FILE_SIZE);
    expect(metricSum(after, 'dittofs_requests_total')).toBeGreaterThan(metricSum(before, 'dittofs_requests_total'));
    for (const name of [
      'dittofs_request_duration_seconds_bucket',
      'dittofs_active_mounts',
      'dittofs_active_connections',
      'dittofs_store_objects',
      'dittofs_process_cpu_user_seconds_total',
    ]) {
      expect(
        [...after.keys()].some((k) => k.startsWith(name)),
        name,
      ).toBe(true);
    }
  });

  it("the default store's write log and the write cache are reported, and the log empties once its files are carved", async () => {
    type Health = { healthy: boolean; writeLog?: { bytes: number; capBytes: number; carveBacklogFiles: number } };
    type Stats = { writeCache: { bytes: number; dirtyBytes: number; capBytes: number } };
    const health = async () => (await api('GET', '/stores/payload/default-payload/health')) as Health;
    const idle = await health();
    expect(idle.healthy).toBe(true);
    expect(idle.writeLog, 'a durable store has a write log').toBeDefined();
    expect(idle.writeLog!.capBytes).toBeGreaterThan(0);
    const cp = await run('nfs-cp', [file, nfsUrl(dfs, '/export', 'logged.bin')]);
    expect(cp.code, cp.stderr).toBe(0);
    const stats = (await api('GET', '/stats')) as Stats;
    expect(stats.writeCache.capBytes).toBeGreaterThan(0);
    expect(stats.writeCache.dirtyBytes).toBeLessThanOrEqual(stats.writeCache.bytes);
    // Everything is carved into blocks in the background: the backlog drains and the log empties.
    await expect
      .poll(async () => (await health()).writeLog, { timeout: 30_000 })
      .toMatchObject({ carveBacklogFiles: 0, bytes: 0 });
  });

  it('a password in a bad request is not echoed back', async () => {
    const probes: { url: string; raw?: string; body?: unknown; token?: string }[] = [
      { url: '/api/v1/auth/login', raw: `{"username":"admin","password":"${BAD_REQUEST_PASSWORD}"` },
      {
        url: '/api/v1/auth/login',
        body: { username: 'admin', password: BAD_REQUEST_PASSWORD, extra: BAD_REQUEST_PASSWORD },
      },
      {
        url: '/api/v1/users',
        body: { username: 'bad name!', password: BAD_REQUEST_PASSWORD },
        token: admin.accessToken,
      },
      {
        url: '/api/v1/users',
        body: { username: 'dave', password: BAD_REQUEST_PASSWORD, [BAD_REQUEST_PASSWORD]: 1 },
        token: admin.accessToken,
      },
      {
        url: '/api/v1/auth/password',
        body: { currentPassword: BAD_REQUEST_PASSWORD, newPassword: 'x' },
        token: admin.accessToken,
      },
    ];
    for (const p of probes) {
      const r = await http(base, 'POST', p.url, { raw: p.raw, body: p.body, token: p.token });
      expect(r.status, r.text).toBeGreaterThanOrEqual(400);
      expect(r.text).not.toContain(BAD_REQUEST_PASSWORD);
    }
    // A wrong password is not echoed either.
    const wrong = await http(base, 'POST', '/api/v1/auth/login', {
      body: { username: 'carol', password: BAD_REQUEST_PASSWORD },
    });
    expect(wrong.status).toBe(401);
    expect(wrong.text).not.toContain(BAD_REQUEST_PASSWORD);
  });

  it('changing the NFS port through the API restarts only that adapter', async () => {
    const port = await freePort();
    const a = (await api('PATCH', '/adapters/nfs', { port })) as { state: string; boundPort: number };
    expect(a).toMatchObject({ state: 'running', boundPort: port });
    expect((await run('nfs-ls', [nfsUrl(dfs, '/live', undefined, port, port)])).code).toBe(0);
    // The API kept serving and the session is intact.
    expect((await http(base, 'GET', '/api/v1/auth/me', { token: admin.accessToken })).status).toBe(200);
  });

  it('the API and metrics listen on the loopback only by default', () => {
    const defaults = configSchema.parse({});
    expect(defaults.api.bind).toBe('127.0.0.1');
    expect(defaults.metrics.bind).toBe('127.0.0.1');
    for (const port of [dfs.apiPort!, dfs.metricsPort!]) {
      const addrs = listeningAddresses(port);
      expect(addrs.length, `port ${port}`).toBeGreaterThan(0);
      // 127.0.0.1 as /proc/net/tcp writes it (little-endian hex).
      for (const a of addrs) expect(a).toBe('0100007F');
    }
  });

  it('no secret, password or token appears in the logs', async () => {
    const carol = await login(base, 'carol', USER_PASSWORD);
    seenTokens.push(carol.accessToken, carol.refreshToken);
    // An SSE URL carries the token in its query: it must not be logged either.
    const ctrl = new AbortController();
    const res = await fetch(`${base}/api/v1/events?access_token=${admin.accessToken}`, { signal: ctrl.signal });
    expect(res.status).toBe(200);
    ctrl.abort();
    await new Promise((r) => setTimeout(r, 200));
    const logs = dfs.logs();
    expect(logs).toContain('"msg":"ready"');
    for (const secret of [SECRET, ADMIN_PASSWORD, USER_PASSWORD, BAD_REQUEST_PASSWORD, ...seenTokens]) {
      expect(logs.includes(secret), `a secret of length ${secret.length} appears in the logs`).toBe(false);
    }
  });
});
