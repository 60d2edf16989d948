// The S3 store's own behaviour against a real S3-compatible server (s3rver): options refused
// in words, a missing bucket, an outage (the endpoint stopped) answered with RETRY_LATER and
// then at once by the open circuit, and service resumed when the endpoint is back.
import { createHash, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isDittoError } from '../../../../shared/errors.ts';
import { CircuitBreaker } from './circuit-breaker.ts';
import { parseS3Config } from './config.ts';
import { S3BlockStore } from './s3-store.ts';
import { S3rver, type S3rverStoreConfig } from './testing/s3rver.ts';

async function failure(p: Promise<unknown>): Promise<{ code?: string; message: string }> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err, 'expected a failure').toBeDefined();
  return { code: isDittoError(err) ? err.code : undefined, message: (err as Error).message };
}

describe('S3 store options', () => {
  it('refuses bad options with a sentence naming the option', () => {
    expect(() => parseS3Config({ bucket: 'My_Bucket' })).toThrow(/bucket: a bucket name is 3-63 lowercase/);
    expect(() => parseS3Config({})).toThrow(/option bucket: missing/);
    expect(() => parseS3Config({ bucket: 'ok-bucket', color: 'red' })).toThrow(/unknown option "color"/);
    expect(() => parseS3Config({ bucket: 'ok-bucket', endpoint: 'ftp://x' })).toThrow(/option endpoint/);
    expect(() => parseS3Config({ bucket: 'ok-bucket', accessKeyId: 'AK' })).toThrow(
      /both the access key and the secret/,
    );
    expect(parseS3Config({ bucket: 'ok-bucket', prefix: 'nas/one/' }).prefix).toBe('nas/one/');
  });
});

describe('circuit breaker', () => {
  it('opens after the threshold, fails fast, lets one probe through after the cooldown', async () => {
    let now = 0;
    const breaker = new CircuitBreaker('test endpoint', { threshold: 2, cooldownMs: 1000, now: () => now });
    let calls = 0;
    const down = () => {
      calls++;
      return Promise.reject(new Error('ECONNREFUSED'));
    };
    const outage = () => true;
    for (let i = 0; i < 2; i++) await failure(breaker.run(down, outage));
    expect(breaker.open).toBe(true);
    expect((await failure(breaker.run(down, outage))).code).toBe('RETRY_LATER');
    expect(calls).toBe(2);
    now = 1500; // the probe fails: open again
    await failure(breaker.run(down, outage));
    expect(calls).toBe(3);
    expect((await failure(breaker.run(down, outage))).code).toBe('RETRY_LATER');
    now = 3000; // the probe succeeds: closed
    expect(await breaker.run(() => Promise.resolve('up'), outage)).toBe('up');
    expect(breaker.open).toBe(false);
    // Answers that are not outages (a missing key) never open it.
    for (let i = 0; i < 5; i++)
      await failure(
        breaker.run(
          () => Promise.reject(new Error('404')),
          () => false,
        ),
      );
    expect(breaker.open).toBe(false);
  });
});

describe('S3 store against s3rver', () => {
  let server: S3rver;
  let config: S3rverStoreConfig;

  beforeAll(async () => {
    server = await S3rver.start();
    config = await server.bucket('outage');
  });
  afterAll(() => server?.remove());

  it('refuses a bucket that does not exist, in words', async () => {
    const f = await failure(S3BlockStore.open({ ...config, bucket: 'no-such-bucket' }));
    expect(f).toMatchObject({ code: 'NOT_FOUND' });
    expect(f.message).toMatch(/There is no bucket no-such-bucket at http:\/\/127\.0\.0\.1:\d+/);
  });

  it('stores a put that carries its SHA-256 (signed as given, not hashed again)', async () => {
    const store = await S3BlockStore.open({ ...config });
    try {
      const data = randomBytes(1024 * 1024);
      await store.put('f/0/2', data, createHash('sha256').update(data).digest('hex'));
      expect((await store.get('f/0/2'))?.equals(data)).toBe(true);
    } finally {
      await store.close();
    }
  });

  it('answers RETRY_LATER while the endpoint is down, fast once the circuit is open, and recovers', async () => {
    const store = await S3BlockStore.open({ ...config, requestTimeoutMs: 500, maxAttempts: 1 });
    try {
      await store.put('f/0/0', Buffer.from('kept'));
      await server.stop();
      for (let i = 0; i < 3; i++) {
        const f = await failure(store.get('f/0/0'));
        expect(f.code).toBe('RETRY_LATER');
        expect(f.message).toMatch(/is unreachable/);
      }
      const started = Date.now();
      expect((await failure(store.put('f/0/1', Buffer.from('x')))).code).toBe('RETRY_LATER');
      expect(Date.now() - started).toBeLessThan(100); // the open circuit answers without a request

      await server.start();
      // The circuit lets a probe through after its cooldown; until then calls keep failing fast.
      let back: Buffer | undefined;
      for (let i = 0; i < 100 && back === undefined; i++) {
        back = await store.get('f/0/0').catch(() => undefined);
        if (back === undefined) await new Promise((r) => setTimeout(r, 250));
      }
      expect(back?.toString()).toBe('kept');
    } finally {
      await store.close();
    }
  }, 60_000);
});
