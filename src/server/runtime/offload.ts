/**
 * Where and how an S3 store's offloader opens: its local cache under
 * `<dataDir>/offload/<store>`, capped by `cache.offloadBytes` or, when that is 0, by a fifth
 * of the disk free at start (at least 256 MiB); its problems raised as the alert
 * `offloader.<store>`; mark and sweep every hour with an hour's grace.
 */
import { access, rm, statfs } from 'node:fs/promises';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Config } from '../config/schema.ts';
import type { BlockStore } from '../payload/blockstore.ts';
import { OffloadedBlockStore } from '../payload/offloader/offloaded-store.ts';
import { defaultIndexSchema, SharedBlockIndex } from '../payload/offloader/shared/block-index.ts';
import { SharedBlockStore } from '../payload/offloader/shared/shared-store.ts';
import type { PostgresConfig } from '../postgres/config.ts';
import type { AlertsService } from './alerts.ts';

const MiB = 1024 * 1024;
const HOUR_MS = 3_600_000;

const offloadDir = (name: string, config: Config): string => path.join(config.dataDir, 'offload', name);

export const offloaderAlert = (name: string): string => `offloader.${name}`;

/** The cache's cap: `cache.offloadBytes`, or a fifth of the disk free under `dir` (at least 256 MiB). */
async function cacheCap(dir: string, config: Config): Promise<number> {
  if (config.cache.offloadBytes !== 0) return config.cache.offloadBytes;
  const s = await statfs(dir);
  return Math.max(256 * MiB, Math.floor((s.bavail * s.bsize) / 5));
}

export async function openStoreOffload(
  name: string,
  remote: BlockStore,
  config: Config,
  alerts: () => AlertsService,
): Promise<OffloadedBlockStore> {
  const dir = offloadDir(name, config);
  mkdirSync(dir, { recursive: true });
  const capBytes = await cacheCap(dir, config);
  return OffloadedBlockStore.open(remote, dir, {
    capBytes,
    persistTimeoutMs: config.cache.remoteCommitTimeoutMs,
    gcEveryMs: HOUR_MS,
    gcGraceMs: HOUR_MS,
    onProblem: (problem) => {
      if (problem === undefined) alerts().resolve(offloaderAlert(name));
      else alerts().raise(offloaderAlert(name), problem.level, `Store ${name}: ${problem.message}`);
    },
  });
}

/**
 * An S3 store whose block index is in PostgreSQL (servable by several instances): its index
 * opened (and migrated) in `index`'s database, its local cache of contents under the same
 * directory as an offloader's, collected every hour with an hour's grace.
 */
export async function openSharedStore(
  name: string,
  remote: BlockStore,
  index: PostgresConfig,
  config: Config,
): Promise<SharedBlockStore> {
  const dir = offloadDir(name, config);
  mkdirSync(dir, { recursive: true });
  const opened = await SharedBlockIndex.open(index, index.schema ?? defaultIndexSchema(name));
  return new SharedBlockStore(remote, opened, dir, {
    capBytes: await cacheCap(dir, config),
    gcEveryMs: HOUR_MS,
    gcGraceMs: HOUR_MS,
  });
}

export function hasStoreOffload(name: string, config: Config): Promise<boolean> {
  return access(path.join(offloadDir(name, config), 'index.db')).then(
    () => true,
    () => false,
  );
}

/** A deleted store's cache goes with it. */
export async function removeStoreOffload(name: string, config: Config): Promise<void> {
  await rm(offloadDir(name, config), { recursive: true, force: true });
}
