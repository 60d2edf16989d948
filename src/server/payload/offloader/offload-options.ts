/** What an offloaded block store is told (settings) and tells (stats). */
import type { GcReport } from './garbage.ts';
import type { UploadQueueStats } from './upload-queue.ts';

export interface OffloadOptions {
  /** Local cache size; contents past it are evicted once uploaded. */
  capBytes: number;
  /** How long a read of S3-only data may take before it fails with IO. */
  readTimeoutMs?: number;
  /** How long a write waits for uploads to make room while S3 answers. */
  roomWaitMs?: number;
  /**
   * How long a content smaller than a block waits before its upload: a partial block is often
   * completed soon (a growing file), and a version replaced meanwhile is never uploaded.
   */
  partialUploadDelayMs?: number;
  /** How long `persisted` (a COMMIT on a share with remote durability) waits for uploads. */
  persistTimeoutMs?: number;
  /** Blocks fetched ahead of a sequential reader. */
  prefetchBlocks?: number;
  /** What is wrong (undefined: nothing any more), for the store's alert. */
  /** Mark and sweep this often, with this grace period (0: never by itself). */
  gcEveryMs?: number;
  gcGraceMs?: number;
  onProblem?: (problem: { level: 'warning' | 'critical'; message: string } | undefined) => void;
}

export interface OffloadStats extends UploadQueueStats {
  cacheUsedBytes: number;
  cacheCapBytes: number;
  /** Bytes the keys reference minus bytes stored: what dedup saved. */
  dedupSavedBytes: number;
  storedBlocks: number;
  storedBytes: number;
  lastGc: GcReport | undefined;
}
