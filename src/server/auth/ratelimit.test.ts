import { describe, expect, it } from 'vitest';
import { LoginThrottle, sourceKey, type Admission, type ThrottleOptions } from './ratelimit.ts';

/** A throttle on a clock the test moves. */
function throttle(opts: ThrottleOptions = {}) {
  const clock = { now: 1_000_000 };
  const t = new LoginThrottle({ now: () => clock.now, ...opts });
  return { t, clock };
}

function admitted(a: Admission): Extract<Admission, { admitted: true }> {
  if (!a.admitted) throw new Error(`refused for ${a.retryAfterMs} ms`);
  return a;
}

/** One whole attempt as the server runs it: wait for the slot, check, report. */
function attempt(t: LoginThrottle, clock: { now: number }, ip: string, failed: boolean): number {
  const a = admitted(t.admit(ip));
  clock.now += a.waitMs;
  a.done(failed);
  return a.waitMs;
}

describe('sourceKey', () => {
  it('is the address; every loopback address is one source; IPv6 counts by /64', () => {
    expect(sourceKey('192.0.2.7')).toBe('192.0.2.7');
    expect(sourceKey('::ffff:192.0.2.7')).toBe('192.0.2.7');
    for (const lo of ['127.0.0.1', '127.3.4.5', '::1', '::ffff:127.0.0.1', '0:0:0:0:0:0:0:1'])
      expect(sourceKey(lo), lo).toBe('loopback');
    expect(sourceKey('2001:db8:1:2::5')).toBe('2001:db8:1:2::/64');
    expect(sourceKey('2001:DB8:1:2:aaaa:bbbb:cccc:dddd%eth0')).toBe('2001:db8:1:2::/64');
    expect(sourceKey('2001:db8::1')).toBe('2001:db8:0:0::/64');
  });
});

describe('LoginThrottle', () => {
  it('lets the first failures through, then spaces checks from the source, doubling up to the cap', () => {
    const { t, clock } = throttle();
    const waits = [];
    for (let i = 0; i < 12; i++) waits.push(attempt(t, clock, '192.0.2.1', true));
    expect(waits).toEqual([0, 0, 0, 0, 0, 0, 250, 500, 1000, 2000, 2000, 2000]);
    // Another address is not slowed by it.
    expect(attempt(t, clock, '192.0.2.2', true)).toBe(0);
  });

  it('queues parallel guesses and refuses those past the longest wait, with the time to retry', () => {
    const { t } = throttle();
    const answers = Array.from({ length: 30 }, () => t.admit('127.0.0.1'));
    const waits = answers.filter((a) => a.admitted).map((a) => (a as { waitMs: number }).waitMs);
    expect(waits).toEqual([0, 0, 0, 0, 0, 0, 250, 750, 1750, 3750]);
    const refused = answers.find((a) => !a.admitted);
    expect(refused).toEqual({ admitted: false, retryAfterMs: 1750 });
  });

  it('the owner with the right password gets in within the longest wait while a local process keeps guessing', () => {
    const { t, clock } = throttle();
    const book = () => {
      const a = admitted(t.admit('127.0.0.1'));
      return { at: clock.now + a.waitMs, done: a.done };
    };
    // The guesser sends its next guess as soon as it has the answer to the last one.
    let guess = book();
    const guessOnce = () => {
      clock.now = Math.max(clock.now, guess.at);
      guess.done(true);
      guess = book();
    };
    for (let i = 0; i < 50; i++) guessOnce();
    for (let round = 0; round < 20; round++) {
      // The owner comes at any moment of the guesser's cycle, from the same address.
      clock.now += Math.floor(((guess.at - clock.now) * round) / 20);
      const owner = book();
      expect(owner.at - clock.now).toBeLessThanOrEqual(4000);
      while (guess.at < owner.at) guessOnce();
      clock.now = owner.at;
      owner.done(false);
    }
  });

  it('a success does not count, and does not clear the failures either', () => {
    const { t, clock } = throttle();
    for (let i = 0; i < 9; i++) attempt(t, clock, '192.0.2.1', true);
    // Someone who knows a valid account signs in between guesses: the spacing stays.
    expect(attempt(t, clock, '192.0.2.1', false)).toBe(2000);
    expect(attempt(t, clock, '192.0.2.1', false)).toBe(2000);
    expect(attempt(t, clock, '192.0.2.1', true)).toBe(2000);
  });

  it('forgets failures over time: one per minute', () => {
    const { t, clock } = throttle();
    for (let i = 0; i < 40; i++) attempt(t, clock, '192.0.2.1', true);
    clock.now += 2 * 60_000;
    // 9 failures kept at most (more add no delay); 2 forgotten leave 7, so the 8th is spaced 1 s.
    expect(attempt(t, clock, '192.0.2.1', true)).toBe(0);
    expect(attempt(t, clock, '192.0.2.1', true)).toBe(1000);
    clock.now += 10 * 60_000;
    expect(attempt(t, clock, '192.0.2.1', true)).toBe(0);
    expect(t.trackedSources).toBe(1);
    clock.now += 60_000;
    attempt(t, clock, '192.0.2.1', false);
    expect(t.trackedSources).toBe(0);
  });

  it('a flood of 100 000 addresses keeps the table bounded and evicts no real entry', () => {
    const { t, clock } = throttle({ maxSources: 1000 });
    // A guesser from a real address reaches the longest delay.
    for (let i = 0; i < 10; i++) attempt(t, clock, '192.0.2.1', true);
    // 100 000 addresses, one failure each.
    for (let i = 0; i < 100_000; i++) {
      const ip = `2001:db8:${(i >> 16).toString(16)}:${(i & 0xffff).toString(16)}::1`;
      const a = t.admit(ip);
      if (a.admitted) a.done(true);
    }
    expect(t.trackedSources).toBe(1000);
    // The real entry kept its delay.
    const next = admitted(t.admit('192.0.2.1'));
    expect(next.waitMs).toBeGreaterThan(0);
    // The flood past the table shares one overflow entry: it is throttled as one.
    expect(t.admit('2001:db8:ffff:1::1')).toMatchObject({ admitted: false });
    // The owner on this computer is never in the overflow.
    expect(admitted(t.admit('127.0.0.1')).waitMs).toBe(0);
    // Once the flood is forgotten, new addresses get entries of their own again.
    clock.now += 60 * 60_000;
    expect(admitted(t.admit('192.0.2.77')).waitMs).toBe(0);
    expect(t.trackedSources).toBeLessThanOrEqual(1000);
  });
});
