import { afterEach, describe, expect, it, vi } from 'vitest';
import type { ServerState } from '../shared/desktop.ts';
import { FakeChild, fakeChannel } from './fakes.test-helpers.ts';
import { ServerHost, liveState } from './server-host.ts';

function setup() {
  const children: FakeChild[] = [];
  const host = new ServerHost(
    {
      fork: () => {
        const c = new FakeChild();
        children.push(c);
        return c;
      },
      createChannel: fakeChannel,
    },
    { initialMs: 1000, maxMs: 8000, resetAfterMs: 60_000 },
    5_000,
  );
  const states: ServerState[] = [];
  host.on('state', (s) => states.push(s));
  return { host, children, states };
}

afterEach(() => {
  vi.useRealTimers();
});

describe('ServerHost', () => {
  it('starts the utility process, hands it an events port and goes to serving on ready', () => {
    const { host, children, states } = setup();
    host.start();
    expect(children).toHaveLength(1);
    expect(children[0]!.received[0]?.type).toBe('events');
    expect(children[0]!.eventsPort).toBeDefined();
    children[0]!.send({ type: 'ready', info: { hostname: 'nas', nfsPort: 12049 } });
    expect(states).toEqual(['starting', 'serving']);
    expect(host.info?.nfsPort).toBe(12049);
  });

  it('correlates calls and replies by id', async () => {
    const { host, children } = setup();
    host.start();
    const child = children[0]!;
    child.send({ type: 'ready', info: { hostname: 'nas' } });
    const a = host.call('shares.list', {});
    const b = host.call('users.list', {});
    const [ca, cb] = child.received.filter((m) => m.type === 'call');
    expect(ca).toMatchObject({ op: 'shares.list' });
    child.send({
      type: 'reply',
      id: (cb as { id: number }).id,
      error: { title: 'Forbidden', status: 403, code: 'FORBIDDEN' },
    });
    child.send({ type: 'reply', id: (ca as { id: number }).id, result: [{ name: '/export' }] });
    expect(await a).toEqual({ ok: true, result: [{ name: '/export' }] });
    expect(await b).toEqual({ ok: false, error: { title: 'Forbidden', status: 403, code: 'FORBIDDEN' } });
  });

  it('answers 503 while the server is not up', async () => {
    const { host } = setup();
    const r = await host.call('shares.list', {});
    expect(r.ok).toBe(false);
    expect(!r.ok && r.error.status).toBe(503);
  });

  it('restarts a crashed utility process with growing backoff, failing the calls in flight', async () => {
    vi.useFakeTimers();
    const { host, children, states } = setup();
    const restarts: number[] = [];
    host.on('restart', (r) => restarts.push(r.delayMs));
    host.start();
    children[0]!.send({ type: 'ready', info: { hostname: 'nas' } });
    const inflight = host.call('stats.get', {});
    children[0]!.exit(1);
    const r = await inflight;
    expect(!r.ok && r.error.status).toBe(503);
    expect(host.state).toBe('error');
    expect(children).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1000);
    expect(children).toHaveLength(2);
    expect(host.state).toBe('starting');
    // Crashes again before ready: the next delay doubles.
    children[1]!.exit(1);
    await vi.advanceTimersByTimeAsync(1999);
    expect(children).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(1);
    expect(children).toHaveLength(3);
    children[2]!.send({ type: 'ready', info: { hostname: 'nas' } });
    expect(restarts).toEqual([1000, 2000]);
    expect(states).toEqual(['starting', 'serving', 'error', 'starting', 'error', 'starting', 'serving']);
  });

  it('stops gracefully and does not restart', async () => {
    const { host, children, states } = setup();
    host.start();
    children[0]!.send({ type: 'ready', info: { hostname: 'nas' } });
    await host.stop();
    expect(children[0]!.received.some((m) => m.type === 'stop')).toBe(true);
    expect(host.state).toBe('stopped');
    expect(children).toHaveLength(1);
    expect(states.at(-1)).toBe('stopped');
  });

  it('turns live status into busy / degraded / serving', () => {
    expect(liveState({ readBps: 0, writeBps: 0, opsPerSec: 0, warnings: 0 })).toBe('serving');
    expect(liveState({ readBps: 10, writeBps: 0, opsPerSec: 1, warnings: 0 })).toBe('busy');
    expect(liveState({ readBps: 10, writeBps: 0, opsPerSec: 1, warnings: 2 })).toBe('degraded');
    const { host, children, states } = setup();
    host.start();
    children[0]!.send({ type: 'ready', info: { hostname: 'nas' } });
    children[0]!.send({ type: 'status', status: { readBps: 0, writeBps: 5_000_000, opsPerSec: 40, warnings: 0 } });
    children[0]!.send({ type: 'status', status: { readBps: 0, writeBps: 0, opsPerSec: 0, warnings: 0 } });
    expect(states).toEqual(['starting', 'serving', 'busy', 'serving']);
  });

  it('forwards live events from the utility port', async () => {
    const { host, children } = setup();
    const got: unknown[] = [];
    host.on('event', (e) => got.push(e));
    host.start();
    children[0]!.eventsPort!.postMessage({ topic: 'mount', data: { type: 'mount' } });
    await new Promise((r) => setTimeout(r, 0));
    expect(got).toEqual([{ topic: 'mount', data: { type: 'mount' } }]);
  });
});
