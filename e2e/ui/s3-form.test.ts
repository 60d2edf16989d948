// A contract between layers (the UI's form and the server's schema), so it lives outside src/.
// The S3 form's answers as store options: empty answers left out, path-style only with an
// endpoint, every answer the form accepts also accepted by the server's S3 options schema.
import { describe, expect, it } from 'vitest';
import { S3StoreConfigSchema } from '../../src/server/payload/stores/s3/config.ts';
import { EMPTY_S3, s3Config, s3FormErrors } from '../../src/renderer/lib/s3-form.ts';

describe('S3 form', () => {
  it('leaves out empty answers (Amazon S3 with the AWS credential chain)', () => {
    const config = s3Config({ ...EMPTY_S3, bucket: ' photos ' });
    expect(config).toEqual({ bucket: 'photos' });
    expect(S3StoreConfigSchema.safeParse(config).success).toBe(true);
  });

  it('sends path-style with an endpoint, and everything typed', () => {
    const form = {
      endpoint: 'http://127.0.0.1:9000',
      region: 'us-east-1',
      bucket: 'nas',
      prefix: 'dittofs/',
      accessKeyId: 'minio',
      secretAccessKey: 'minio123',
      forcePathStyle: false,
    };
    expect(s3FormErrors(form)).toEqual({});
    const config = s3Config(form);
    expect(config).toEqual({ ...form, forcePathStyle: false });
    expect(S3StoreConfigSchema.safeParse(config).success).toBe(true);
  });

  it('says what to correct before anything is sent', () => {
    const e = s3FormErrors({
      ...EMPTY_S3,
      bucket: 'No_Such',
      endpoint: 's3.example.com',
      prefix: 'no-slash',
      accessKeyId: 'key',
    });
    expect(Object.keys(e).sort()).toEqual(['bucket', 'endpoint', 'prefix', 'secretAccessKey']);
    expect(s3FormErrors({ ...EMPTY_S3, bucket: 'ok-bucket', secretAccessKey: 'x' })).toEqual({
      accessKeyId: 'Enter the access key this secret belongs to.',
    });
  });
});
