/**
 * A block store in an S3 bucket (AWS or S3-compatible), on @aws-sdk/client-s3. A block is
 * one object under the store's key prefix; blocks are at most 4 MiB, so a single PUT always
 * carries one (S3 takes 5 GiB in one PUT; multipart would only add round trips). Reads ask
 * for explicit `bytes=a-b` ranges (suffix ranges are wrong in some S3-compatible servers).
 * Each request has a deadline and is retried with exponential backoff and full jitter (the
 * SDK's standard retry strategy); a circuit breaker answers at once while the endpoint is
 * down. PUTs are durable when S3 acknowledges them, so `sync` has nothing to do. Nothing is
 * patched in place (`patch` absent): the payload layer buffers writes and puts whole blocks.
 */
import type { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { DittoError } from '../../../../shared/errors.ts';
import { assertByteRange, assertValidKey, assertValidPrefix } from '../../blockstore.ts';
import type { BlockStore, BlockStoreStats } from '../../blockstore.ts';
import { CircuitBreaker } from './circuit-breaker.ts';
import { loadS3Sdk, newS3Client, s3Where, type S3Sdk } from './client.ts';
import { parseS3Config, type S3StoreConfig } from './config.ts';

const DEFAULT_REQUEST_TIMEOUT_MS = 30_000;
const DEFAULT_MAX_ATTEMPTS = 4;
/** Consecutive failed operations (each after its retries) that open the circuit, and for how long. */
const CIRCUIT = { threshold: 3, cooldownMs: 15_000 };
/** SigV4's header for the body's hash (signed as given; S3 rejects a body that does not match). */
const CONTENT_SHA256_HEADER = 'x-amz-content-sha256';
/** DeleteObjects takes at most 1000 keys per request. */
const DELETE_BATCH = 1000;

/** No answer from the endpoint (network, timeout) or a failure on its side (5xx): an outage, not an answer. */
function isOutage(err: unknown): boolean {
  if (err instanceof DittoError) return false;
  const status = (err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
  return status === undefined || status >= 500;
}

/** The HTTP status of an S3 answer (undefined for our own errors and network failures). */
const statusOf = (err: unknown): number | undefined =>
  err instanceof DittoError
    ? undefined
    : (err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;

export class S3BlockStore implements BlockStore {
  private readonly breaker: CircuitBreaker;
  /** The last put of each key still running. */
  private readonly putting = new Map<string, Promise<void>>();

  private constructor(
    private readonly sdk: S3Sdk,
    private readonly client: S3Client,
    private readonly config: S3StoreConfig,
    private readonly where: string,
  ) {
    this.breaker = new CircuitBreaker(`S3 endpoint ${where}`, CIRCUIT);
  }

  /** Opens the store once the bucket answers (a missing bucket or refused credentials are refused in words). */
  static async open(options: Record<string, unknown>): Promise<S3BlockStore> {
    const config = parseS3Config(options);
    const timeout = config.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
    const sdk = await loadS3Sdk();
    const client = newS3Client(sdk, config, {
      maxAttempts: config.maxAttempts ?? DEFAULT_MAX_ATTEMPTS,
      connectionTimeoutMs: Math.min(timeout, 10_000),
      requestTimeoutMs: timeout,
    });
    const where = s3Where(config);
    const store = new S3BlockStore(sdk, client, config, where);
    try {
      await store.call(() => client.send(new sdk.HeadBucketCommand({ Bucket: config.bucket })));
    } catch (err) {
      client.destroy();
      if (statusOf(err) === 404) throw new DittoError('NOT_FOUND', `There is no bucket ${config.bucket} at ${where}.`);
      throw err;
    }
    return store;
  }

  /** HeadBucket through the circuit breaker (an open circuit answers at once), within `timeoutMs`. */
  async ping(timeoutMs: number): Promise<void> {
    await this.call(() =>
      this.client.send(new this.sdk.HeadBucketCommand({ Bucket: this.config.bucket }), {
        abortSignal: AbortSignal.timeout(timeoutMs),
      }),
    );
  }

  /**
   * Puts of one key run one after the other, so the last call wins (concurrent PUTs to S3
   * finish in any order) and no server ever sees two at once.
   */
  async put(key: string, data: Buffer, sha256?: string): Promise<void> {
    assertValidKey(key);
    const previous = this.putting.get(key);
    const mine = (previous ?? Promise.resolve())
      .catch(() => undefined)
      .then(() => this.call(() => this.client.send(this.putCommand(key, data, sha256))))
      .then(() => undefined);
    this.putting.set(key, mine);
    try {
      await mine;
    } finally {
      if (this.putting.get(key) === mine) this.putting.delete(key);
    }
  }

  /**
   * With the body's SHA-256 known, it goes in x-amz-content-sha256, where SigV4 takes it
   * instead of hashing the body again on the event loop (and S3 checks the body against it).
   */
  private putCommand(key: string, data: Buffer, sha256: string | undefined): PutObjectCommand {
    const command = new this.sdk.PutObjectCommand({ Bucket: this.config.bucket, Key: this.objectKey(key), Body: data });
    if (sha256 !== undefined) {
      command.middlewareStack.add(
        (next) => (args) => {
          (args.request as { headers: Record<string, string> }).headers[CONTENT_SHA256_HEADER] = sha256;
          return next(args);
        },
        { step: 'build', name: 'dittofsKnownContentSha256' },
      );
    }
    return command;
  }

  async get(key: string, offset = 0, length?: number, into?: Buffer): Promise<Buffer | undefined> {
    assertValidKey(key);
    assertByteRange(offset, length ?? 0);
    if (length === 0) return (await this.exists(key)) ? Buffer.alloc(0) : undefined;
    const range =
      offset > 0 || length !== undefined
        ? `bytes=${offset}-${length === undefined ? '' : offset + length - 1}`
        : undefined;
    let bytes: Uint8Array;
    try {
      bytes = await this.call(async () => {
        const res = await this.client.send(
          new this.sdk.GetObjectCommand({ Bucket: this.config.bucket, Key: this.objectKey(key), Range: range }),
        );
        const body = (await res.Body?.transformToByteArray()) ?? new Uint8Array(0);
        if (range === undefined) return body;
        // Some S3-compatible servers answer bytes=0-0 with the whole object: cut what was asked
        // for out of what came, located by its Content-Range (none: from the start).
        const from = offset - Number(/^bytes (\d+)-/.exec(res.ContentRange ?? '')?.[1] ?? 0);
        const to = length === undefined ? undefined : from + length;
        return from === 0 && (to === undefined || body.length <= to) ? body : body.subarray(from, to);
      });
    } catch (err) {
      if (statusOf(err) === 404) return undefined;
      // A range starting at or past the end of an existing block: nothing there.
      if (statusOf(err) === 416) return Buffer.alloc(0);
      throw err;
    }
    if (into !== undefined && into.length >= bytes.length) {
      into.set(bytes);
      return into.subarray(0, bytes.length);
    }
    return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  async delete(key: string): Promise<void> {
    assertValidKey(key);
    await this.call(() =>
      this.client.send(new this.sdk.DeleteObjectCommand({ Bucket: this.config.bucket, Key: this.objectKey(key) })),
    );
  }

  async deletePrefix(prefix: string): Promise<void> {
    assertValidPrefix(prefix);
    let batch: string[] = [];
    const flush = async (): Promise<void> => {
      const keys = batch;
      batch = [];
      if (keys.length === 0) return;
      const res = await this.call(() =>
        this.client.send(
          new this.sdk.DeleteObjectsCommand({
            Bucket: this.config.bucket,
            Delete: { Objects: keys.map((k) => ({ Key: this.objectKey(k) })), Quiet: true },
          }),
        ),
      );
      const failed = res.Errors ?? [];
      if (failed.length > 0)
        throw new DittoError('IO', `S3 did not delete ${failed.length} blocks: ${failed[0]?.Message ?? ''}`);
    };
    for await (const key of this.list(prefix)) {
      batch.push(key);
      if (batch.length === DELETE_BATCH) await flush();
    }
    await flush();
  }

  async *list(prefix: string): AsyncIterable<string> {
    assertValidPrefix(prefix);
    for await (const object of this.objects(prefix)) yield object.key;
  }

  /** S3 acknowledges a PUT once the object is durable. */
  async sync(): Promise<void> {}

  async stats(): Promise<BlockStoreStats> {
    let blocks = 0;
    let bytes = 0;
    for await (const object of this.objects('')) {
      blocks++;
      bytes += object.size;
    }
    return { blocks, bytes };
  }

  async close(): Promise<void> {
    this.client.destroy();
  }

  private objectKey(key: string): string {
    return `${this.config.prefix ?? ''}${key}`;
  }

  private async exists(key: string): Promise<boolean> {
    try {
      await this.call(() =>
        this.client.send(new this.sdk.HeadObjectCommand({ Bucket: this.config.bucket, Key: this.objectKey(key) })),
      );
      return true;
    } catch (err) {
      if (statusOf(err) === 404) return false;
      throw err;
    }
  }

  private async *objects(prefix: string): AsyncIterable<{ key: string; size: number }> {
    const own = this.config.prefix ?? '';
    let token: string | undefined;
    do {
      const page = await this.call(() =>
        this.client.send(
          new this.sdk.ListObjectsV2Command({
            Bucket: this.config.bucket,
            Prefix: own + prefix,
            ContinuationToken: token,
          }),
        ),
      );
      for (const o of page.Contents ?? []) {
        if (o.Key !== undefined) yield { key: o.Key.slice(own.length), size: o.Size ?? 0 };
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token !== undefined);
  }

  /** One S3 operation through the circuit breaker; outages become errors in words. */
  private async call<T>(op: () => Promise<T>): Promise<T> {
    try {
      return await this.breaker.run(op, isOutage);
    } catch (err) {
      throw this.explain(err);
    }
  }

  private explain(err: unknown): unknown {
    if (err instanceof DittoError) return err;
    const status = statusOf(err);
    if (status === 404 || status === 416) return err; // answers the callers handle
    if (status === 403) {
      return new DittoError(
        'IO',
        `S3 refused access to bucket ${this.config.bucket} (check the keys and the bucket policy)`,
      );
    }
    const message = err instanceof Error ? err.message : String(err);
    if (isOutage(err)) return new DittoError('RETRY_LATER', `S3 endpoint ${this.where} is unreachable: ${message}`);
    return new DittoError('IO', `S3 ${this.where}: ${message}`);
  }
}
