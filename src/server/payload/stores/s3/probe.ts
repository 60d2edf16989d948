/**
 * "Test connection" of S3 store options, in stages, each with a verdict in words: reach the
 * endpoint (TCP), sign in (ListBuckets: refused credentials are told apart from a key that
 * may merely not list every bucket), list the bucket under the prefix, put a small probe
 * object, get it back and compare, delete it (and see it gone). One deadline covers the
 * whole test, so a dead or silent endpoint is reported within it. No request is retried:
 * the test says what the endpoint answers now. Messages never carry the secret.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import net from 'node:net';
import type { S3Client } from '@aws-sdk/client-s3';
import {
  S3_TEST_STAGES,
  type StoreTestDto,
  type StoreTestStage,
  type StoreTestStageDto,
} from '../../../../shared/api/store-test.ts';
import { loadS3Sdk, newS3Client, s3Where, type S3Sdk } from './client.ts';
import type { S3StoreConfig } from './config.ts';

export const PROBE_DEADLINE_MS = 8_000;
const PROBE_BYTES = 1024;

/** Errors of a request the endpoint refused to sign in. */
const AUTH_REFUSED: Record<string, string> = {
  InvalidAccessKeyId: 'The endpoint does not know this access key.',
  SignatureDoesNotMatch: 'The secret key does not belong to this access key (the signature does not match).',
  InvalidToken: 'The session token is not valid.',
  ExpiredToken: 'The credentials have expired.',
  InvalidClientTokenId: 'The endpoint does not know this access key.',
};

interface Failure {
  name: string;
  status: number | undefined;
  message: string;
}

function failure(err: unknown): Failure {
  const e = err as { name?: string; message?: string; code?: string; $metadata?: { httpStatusCode?: number } };
  return {
    name: e.name ?? e.code ?? 'Error',
    status: e.$metadata?.httpStatusCode,
    message: e.message || e.name || String(err),
  };
}

/** The endpoint's host and port (AWS's regional host when no endpoint is set). */
function hostPort(config: S3StoreConfig): { host: string; port: number } {
  if (config.endpoint === undefined) return { host: `s3.${config.region ?? 'us-east-1'}.amazonaws.com`, port: 443 };
  const url = new URL(config.endpoint);
  const port = url.port !== '' ? Number(url.port) : url.protocol === 'https:' ? 443 : 80;
  return { host: url.hostname.replace(/^\[|\]$/g, ''), port };
}

function reach(host: string, port: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host, port });
    const done = (err?: Error) => {
      signal.removeEventListener('abort', onAbort);
      socket.destroy();
      if (err) reject(err);
      else resolve();
    };
    const onAbort = () => done(new Error('timeout'));
    signal.addEventListener('abort', onAbort);
    socket.once('connect', () => done());
    socket.once('error', (err) => done(err));
  });
}

class Probe {
  readonly stages: StoreTestStageDto[] = [];
  private readonly controller = new AbortController();
  private readonly timer: NodeJS.Timeout;
  private readonly client: S3Client;
  private readonly key: string;
  private readonly where: string;

  constructor(
    private readonly sdk: S3Sdk,
    private readonly config: S3StoreConfig,
    private readonly deadlineMs: number,
  ) {
    this.timer = setTimeout(() => this.controller.abort(), deadlineMs);
    this.client = newS3Client(sdk, config, {
      maxAttempts: 1,
      connectionTimeoutMs: deadlineMs,
      requestTimeoutMs: deadlineMs,
    });
    this.key = `${config.prefix ?? ''}.dittofs-connection-test-${randomUUID()}`;
    this.where = s3Where(config);
  }

  close(): void {
    clearTimeout(this.timer);
    this.client.destroy();
  }

  private get signal(): AbortSignal {
    return this.controller.signal;
  }

  /** Runs one stage: its verdict is what `fn` returns (ok) or the message of what it throws (failed). */
  private async stage(stage: StoreTestStage, fn: () => Promise<string>, explain: (f: Failure) => string) {
    const t0 = performance.now();
    let status: 'ok' | 'failed' = 'ok';
    let message: string;
    try {
      if (this.signal.aborted) throw new Error('timeout');
      message = await fn();
    } catch (err) {
      status = 'failed';
      message = this.signal.aborted
        ? `No answer within ${this.deadlineMs / 1000} s (the test's limit).`
        : explain(failure(err));
    }
    this.stages.push({ stage, status, message, ms: Math.round(performance.now() - t0) });
    return status === 'ok';
  }

  private skip(stage: StoreTestStage, message = 'Not tried: an earlier step failed.'): void {
    this.stages.push({ stage, status: 'skipped', message, ms: 0 });
  }

  /** Options of every request: the test's deadline aborts it. */
  private get opts(): { abortSignal: AbortSignal } {
    return { abortSignal: this.signal };
  }

  async run(): Promise<void> {
    const passed = (await this.connect()) && (await this.auth()) && (await this.bucket());
    if (passed) {
      await this.objectStages(this.config.bucket);
      return;
    }
    for (const rest of S3_TEST_STAGES) if (!this.stages.some((s) => s.stage === rest)) this.skip(rest);
  }

  private connect(): Promise<boolean> {
    const { host, port } = hostPort(this.config);
    return this.stage(
      'connect',
      async () => {
        await reach(host, port, this.signal);
        return `${host}:${port} accepts connections.`;
      },
      (f) =>
        /ENOTFOUND|EAI_AGAIN/.test(f.message)
          ? `There is no host ${host} (name not found).`
          : `Cannot reach ${host}:${port}: ${f.message}.`,
    );
  }

  private auth(): Promise<boolean> {
    return this.stage(
      'auth',
      async () => {
        try {
          await this.client.send(new this.sdk.ListBucketsCommand({}), this.opts);
        } catch (err) {
          // Signed in, but the key may not list every bucket: DittoFS does not need that.
          if (failure(err).name !== 'AccessDenied') throw err;
        }
        return 'The credentials are accepted.';
      },
      (f) =>
        AUTH_REFUSED[f.name] ??
        (f.name === 'CredentialsProviderError'
          ? 'No credentials: give an access key and a secret key (or set up the AWS environment or profile).'
          : `The endpoint refused to sign in: ${f.message}`),
    );
  }

  private bucket(): Promise<boolean> {
    const bucket = this.config.bucket;
    return this.stage(
      'bucket',
      async () => {
        await this.client.send(
          new this.sdk.ListObjectsV2Command({ Bucket: bucket, Prefix: this.config.prefix, MaxKeys: 1 }),
          this.opts,
        );
        return `Bucket ${bucket} can be listed${this.config.prefix ? ` under ${this.config.prefix}` : ''}.`;
      },
      (f) =>
        f.name === 'NoSuchBucket' || f.status === 404
          ? `There is no bucket ${bucket} at ${this.where}.`
          : f.name === 'AccessDenied'
            ? `These credentials may not list bucket ${bucket}.`
            : f.name === 'PermanentRedirect' || f.status === 301
              ? `Bucket ${bucket} is in another region: set its region.`
              : `Bucket ${bucket} cannot be listed: ${f.message}`,
    );
  }

  /** Put, get (compared), delete: the delete runs whenever the put succeeded, to leave nothing behind. */
  private async objectStages(bucket: string): Promise<void> {
    const data = randomBytes(PROBE_BYTES);
    const written = await this.stage(
      'write',
      async () => {
        await this.client.send(new this.sdk.PutObjectCommand({ Bucket: bucket, Key: this.key, Body: data }), this.opts);
        return `Wrote ${PROBE_BYTES} bytes to ${this.key}.`;
      },
      (f) =>
        f.name === 'AccessDenied'
          ? `These credentials may not write to bucket ${bucket}.`
          : `Could not write to bucket ${bucket}: ${f.message}`,
    );
    if (!written) {
      this.skip('read');
      this.skip('delete');
      return;
    }
    await this.stage(
      'read',
      async () => {
        const got = await this.client.send(new this.sdk.GetObjectCommand({ Bucket: bucket, Key: this.key }), this.opts);
        const back = Buffer.from((await got.Body?.transformToByteArray()) ?? new Uint8Array());
        if (!back.equals(data)) throw new Error(`read back ${back.length} bytes that differ from what was written`);
        return `Read the ${PROBE_BYTES} bytes back, unchanged.`;
      },
      (f) =>
        f.name === 'AccessDenied'
          ? `These credentials may not read from bucket ${bucket}.`
          : `Could not read the test object back: ${f.message}`,
    );
    await this.stage(
      'delete',
      async () => {
        await this.client.send(new this.sdk.DeleteObjectCommand({ Bucket: bucket, Key: this.key }), this.opts);
        try {
          await this.client.send(new this.sdk.HeadObjectCommand({ Bucket: bucket, Key: this.key }), this.opts);
        } catch (err) {
          if (failure(err).status === 404) return 'Deleted the test object.';
          throw err;
        }
        throw new Error('the test object is still there after it was deleted');
      },
      (f) =>
        f.name === 'AccessDenied'
          ? `These credentials may not delete from bucket ${bucket} (the test object ${this.key} is left there).`
          : `Could not delete the test object ${this.key}: ${f.message}`,
    );
  }
}

/** Tests S3 options in stages within `deadlineMs` (default 8 s). */
export async function probeS3(config: S3StoreConfig, deadlineMs = PROBE_DEADLINE_MS): Promise<StoreTestDto> {
  const t0 = performance.now();
  const probe = new Probe(await loadS3Sdk(), config, deadlineMs);
  try {
    await probe.run();
  } finally {
    probe.close();
  }
  return {
    ok: probe.stages.every((s) => s.status === 'ok'),
    stages: probe.stages,
    ms: Math.round(performance.now() - t0),
  };
}
