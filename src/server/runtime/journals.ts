/**
 * Where and how a payload store's journal opens: its log under `<dataDir>/wal/<store>`,
 * capped by `cache.logBytes` or, when that is 0, by a tenth of the disk free at start.
 */
import { rm, statfs } from 'node:fs/promises';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Logger } from 'pino';
import { Journal } from '../cache/journal.ts';
import type { SliceCache } from '../cache/slices.ts';
import type { Config } from '../config/schema.ts';
import type { BlockStore } from '../payload/blockstore.ts';
import type { AlertsService } from './alerts.ts';

const MiB = 1024 * 1024;
/** The alert cause while writers get NO_SPACE from a full write log or write cache. */
export const WRITE_PATH_FULL = 'write-path.full';
const MIN_AUTO_LOG_BYTES = 256 * MiB;
const MAX_AUTO_LOG_BYTES = 8 * 1024 * MiB;

/** A tenth of the free space of `dir`'s disk, within [256 MiB, 8 GiB]. */
export async function defaultLogCap(dir: string): Promise<number> {
  const s = await statfs(dir);
  const free = s.bavail * s.bsize;
  return Math.min(MAX_AUTO_LOG_BYTES, Math.max(MIN_AUTO_LOG_BYTES, Math.floor(free / 10)));
}

const journalDir = (name: string, config: Config): string => path.join(config.dataDir, 'wal', name);

/** A deleted store's log goes with it (the files it journaled are gone from every share). */
export async function removeStoreJournal(name: string, config: Config): Promise<void> {
  await rm(journalDir(name, config), { recursive: true, force: true });
}

export async function openStoreJournal(
  name: string,
  store: BlockStore,
  slices: SliceCache,
  config: Config,
  logger: Logger,
  alerts: () => AlertsService,
): Promise<Journal> {
  const dir = journalDir(name, config);
  mkdirSync(dir, { recursive: true });
  const logCapBytes = config.cache.logBytes > 0 ? config.cache.logBytes : await defaultLogCap(dir);
  const started = performance.now();
  const journal = await Journal.open(store, slices, {
    dir,
    logCapBytes,
    bypassBytes: config.cache.bypassBytes,
    logger,
    onNoSpace: (message) =>
      alerts().raise(WRITE_PATH_FULL, 'critical', `Store ${name}: ${message}; writes are refused until it drains`),
    onRoom: () => alerts().resolve(WRITE_PATH_FULL),
  });
  const { records, bytes, payloads } = journal.recovered;
  if (records > 0) {
    const ms = Math.round(performance.now() - started);
    logger.info(
      { store: name, records, bytes, files: payloads, ms },
      'write log recovered: its unsaved bytes are served from it and carved into the store in the background',
    );
  }
  return journal;
}
