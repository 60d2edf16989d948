/**
 * The S3 store form's answers (endpoint, region, bucket, prefix, keys, path-style), what
 * can be said of them before asking the server, and the store options they make. Shared by
 * the Stores page and the share wizard (and so the first-run wizard).
 */
import type { FieldErrors } from './forms.ts';

export interface S3Form {
  endpoint: string;
  region: string;
  bucket: string;
  prefix: string;
  accessKeyId: string;
  secretAccessKey: string;
  /** Path-style addressing (http://host/bucket/key), which most S3-compatible services need. */
  forcePathStyle: boolean;
}

export const EMPTY_S3: S3Form = {
  endpoint: '',
  region: '',
  bucket: '',
  prefix: '',
  accessKeyId: '',
  secretAccessKey: '',
  forcePathStyle: true,
};

/** The form for a saved store's options (its secret comes back hidden, and is kept unless retyped). */
export function s3FormOf(config: Record<string, unknown>): S3Form {
  const text = (k: string): string => (typeof config[k] === 'string' ? config[k] : '');
  return {
    endpoint: text('endpoint'),
    region: text('region'),
    bucket: text('bucket'),
    prefix: text('prefix'),
    accessKeyId: text('accessKeyId'),
    secretAccessKey: text('secretAccessKey'),
    forcePathStyle: config['forcePathStyle'] !== false,
  };
}

/** The options of a payload store of type s3 (empty answers left out: the server's defaults apply). */
export function s3Config(f: S3Form): Record<string, string | boolean> {
  const out: Record<string, string | boolean> = { bucket: f.bucket.trim() };
  if (f.region.trim()) out['region'] = f.region.trim();
  if (f.endpoint.trim()) {
    out['endpoint'] = f.endpoint.trim();
    out['forcePathStyle'] = f.forcePathStyle;
  }
  if (f.prefix.trim()) out['prefix'] = f.prefix.trim();
  if (f.accessKeyId.trim()) out['accessKeyId'] = f.accessKeyId.trim();
  if (f.secretAccessKey) out['secretAccessKey'] = f.secretAccessKey;
  return out;
}

export function s3FormErrors(f: S3Form): FieldErrors {
  const e: FieldErrors = {};
  if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(f.bucket.trim()))
    e['bucket'] = 'Expected a bucket name: 3-63 lowercase letters, digits, "." or "-".';
  if (f.endpoint.trim() && !/^https?:\/\/\S+$/.test(f.endpoint.trim()))
    e['endpoint'] = 'Expected a URL such as https://s3.example.com or http://127.0.0.1:9000.';
  if (f.prefix.trim() && !/^([A-Za-z0-9!_.*'()-]+\/)+$/.test(f.prefix.trim()))
    e['prefix'] = 'Expected folder names each ending in "/", such as dittofs/ or nas/photos/.';
  if (f.accessKeyId.trim() && !f.secretAccessKey) e['secretAccessKey'] = 'Enter the secret key of this access key.';
  if (!f.accessKeyId.trim() && f.secretAccessKey) e['accessKeyId'] = 'Enter the access key this secret belongs to.';
  return e;
}
