/**
 * The write log's segment files (log.ts): named after their first LSN, checked record by
 * record when the log opens.
 */
import { open, readdir, readFile, truncate, unlink } from 'node:fs/promises';
import path from 'node:path';
import { decodeRecord } from './record.ts';

/** What opening found: records kept and what was cut. */
export interface OpenReport {
  records: number;
  bytes: number;
  /** Why the log was cut, if it was (a torn tail is normal after a crash). */
  cut?: string;
}

export interface Segment {
  firstLsn: number;
  lastLsn: number;
  bytes: number;
  file: string;
}

const SEGMENT_SUFFIX = '.wal';

export const segmentName = (firstLsn: number): string => `${String(firstLsn).padStart(16, '0')}${SEGMENT_SUFFIX}`;

export async function syncDir(dir: string): Promise<void> {
  const fh = await open(dir, 'r');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

/**
 * The segments of `dir`, each checked record by record; the first bad record (torn, bad
 * CRC, LSN out of sequence) ends the log: its segment is cut there, later ones deleted.
 */
export async function scan(dir: string): Promise<{ segments: Segment[]; report: OpenReport }> {
  const files = (await readdir(dir)).filter((f) => /^\d{16}\.wal$/.test(f)).sort();
  const segments: Segment[] = [];
  const report: OpenReport = { records: 0, bytes: 0 };
  let expected: number | undefined;
  for (const file of files) {
    const full = path.join(dir, file);
    if (report.cut !== undefined) {
      await unlink(full);
      continue;
    }
    const firstLsn = Number(file.slice(0, 16));
    if (expected !== undefined && firstLsn !== expected) {
      report.cut = `segment ${file} does not follow on (expected LSN ${expected})`;
      await unlink(full);
      continue;
    }
    const buf = await readFile(full);
    let at = 0;
    let lsn = firstLsn - 1;
    while (at < buf.length) {
      const r = decodeRecord(buf, at);
      if ('torn' in r || r.record.lsn !== lsn + 1) {
        report.cut = `${file} at byte ${at}: ${'torn' in r ? r.torn : 'LSN out of sequence'}`;
        break;
      }
      lsn = r.record.lsn;
      at += r.size;
      report.records++;
    }
    if (at < buf.length) await truncate(full, at);
    report.bytes += at;
    segments.push({ firstLsn, lastLsn: lsn, bytes: at, file });
    expected = lsn + 1;
  }
  if (report.cut !== undefined && segments.length > 0) await syncDir(dir);
  return { segments, report };
}
