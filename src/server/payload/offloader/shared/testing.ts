/**
 * Shared stores for tests: each on its own key prefix of an s3rver bucket and its own schema
 * of a throwaway PostgreSQL database; `peer` opens another instance's view of one.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createTestDatabase, type TestDatabase } from '../../../postgres/testing/database.ts';
import { S3BlockStore } from '../../stores/s3/s3-store.ts';
import { S3rver, type S3rverStoreConfig } from '../../stores/s3/testing/s3rver.ts';
import { SharedBlockIndex } from './block-index.ts';
import { SharedBlockStore, type SharedStoreOptions } from './shared-store.ts';

export interface SharedStoreLocation {
  prefix: string;
  schema: string;
}

export class SharedStoreBench {
  private readonly dirs: string[] = [];

  private constructor(
    readonly s3: S3rver,
    readonly bucket: S3rverStoreConfig,
    readonly db: TestDatabase,
  ) {}

  static async start(): Promise<SharedStoreBench> {
    const s3 = await S3rver.start();
    const db = await createTestDatabase().catch(async (err: unknown) => {
      await s3.remove();
      throw err;
    });
    return new SharedStoreBench(s3, await s3.bucket('shared'), db);
  }

  newLocation(): SharedStoreLocation {
    const id = randomBytes(6).toString('hex');
    return { prefix: `t-${id}/`, schema: `b_${id}` };
  }

  /** One instance's store at `at`, with a local cache of its own. */
  async open(at: SharedStoreLocation, options: Partial<SharedStoreOptions> = {}): Promise<SharedBlockStore> {
    const remote = await S3BlockStore.open({ ...this.bucket, prefix: at.prefix });
    const index = await SharedBlockIndex.open({ url: this.db.url }, at.schema);
    const dir = mkdtempSync(path.join(tmpdir(), 'dittofs-shared-'));
    this.dirs.push(dir);
    return new SharedBlockStore(remote, index, dir, { capBytes: 64 * 1024 * 1024, ...options });
  }

  async stop(): Promise<void> {
    for (const dir of this.dirs) rmSync(dir, { recursive: true, force: true });
    await this.db.drop();
    await this.s3.remove();
  }
}
