/**
 * Recovery at start (docs/write-log.md "Recovery"): the log is opened, its torn tail cut,
 * and what it holds that may not be in the block store is read as runs per file. The
 * journal serves those runs from the log and carves them in the background, as it does
 * spilled slices: a restart after a crash does not wait for them to be copied.
 */
import type { Logger } from 'pino';
import { WriteLog, type WriteLogOptions } from './wal/log.ts';
import { recover, type RecoveredFile, type RecoveryReport } from './wal/replay.ts';

export async function openRecovered(
  dir: string,
  options: WriteLogOptions,
  logger?: Logger,
): Promise<{ log: WriteLog; files: Map<string, RecoveredFile>; report: RecoveryReport }> {
  const log = await WriteLog.open(dir, options);
  if (log.opened.cut !== undefined) logger?.warn({ dir, cut: log.opened.cut }, 'write log cut');
  return { log, ...(await recover(log)) };
}
