/**
 * Recovery at start (docs/write-log.md "Recovery"): the log is opened, its torn tail cut,
 * and what it holds replayed into the block store before any share is served; the log is
 * then reclaimed whole.
 */
import type { Logger } from 'pino';
import type { BlockStore } from '../payload/blockstore.ts';
import { WriteLog, type WriteLogOptions } from './wal/log.ts';
import { replay, type ReplayReport } from './wal/replay.ts';

export async function openRecovered(
  store: BlockStore,
  dir: string,
  options: WriteLogOptions,
  logger?: Logger,
): Promise<{ log: WriteLog; report: ReplayReport }> {
  const log = await WriteLog.open(dir, options);
  if (log.opened.cut !== undefined) logger?.warn({ dir, cut: log.opened.cut }, 'write log cut');
  const report = await replay(log, store);
  await log.reclaim(log.lastLsn);
  return { log, report };
}
