/** The S3 client of a store's options: endpoint, region, addressing, credentials and deadlines. */
import type * as S3SdkModule from '@aws-sdk/client-s3';
import type { S3Client } from '@aws-sdk/client-s3';
import type { S3StoreConfig } from './config.ts';

export type S3Sdk = typeof S3SdkModule;
let loading: Promise<S3Sdk> | undefined;

/**
 * The AWS SDK, loaded when a store or a probe first needs it: it holds about 20 MiB of memory
 * that a server without S3 stores should not carry from its start.
 */
export function loadS3Sdk(): Promise<S3Sdk> {
  loading ??= import('@aws-sdk/client-s3');
  return loading;
}

export interface S3ClientLimits {
  /** Attempts per request (retries with backoff and jitter after the first). */
  maxAttempts: number;
  /** Deadline to open a connection, and of one request. */
  connectionTimeoutMs: number;
  requestTimeoutMs: number;
}

export function newS3Client(sdk: S3Sdk, config: S3StoreConfig, limits: S3ClientLimits): S3Client {
  // The SDK warns every user on Node < 22 that *later* SDK releases will need it: a matter for
  // whoever bumps the pinned version, not for the person running dfs.
  process.env['AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED'] ??= 'true';
  return new sdk.S3Client({
    region: config.region ?? 'us-east-1',
    ...(config.endpoint !== undefined ? { endpoint: config.endpoint } : {}),
    forcePathStyle: config.forcePathStyle ?? config.endpoint !== undefined,
    ...(config.accessKeyId !== undefined
      ? { credentials: { accessKeyId: config.accessKeyId, secretAccessKey: config.secretAccessKey! } }
      : {}),
    // No CRC32 of every body beside SigV4's SHA-256 (it cost as much CPU as the upload itself);
    // operations S3 requires a checksum for (DeleteObjects) still get one.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    maxAttempts: limits.maxAttempts,
    retryMode: 'standard',
    requestHandler: { connectionTimeout: limits.connectionTimeoutMs, requestTimeout: limits.requestTimeoutMs },
  });
}

/** Where a store's bucket is, for messages: `<endpoint or AWS host>/<bucket>`. */
export const s3Where = (config: S3StoreConfig): string =>
  `${config.endpoint ?? `s3.${config.region ?? 'us-east-1'}.amazonaws.com`}/${config.bucket}`;
