import { appendFileSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { quickLogWrites } from '../../payload/quick-io.ts';
import { WriteLog } from './log.ts';
import { decodeRecord, encodeRecord, RecordKind, type LogRecord, type RecordInput } from './record.ts';
import { LogReader } from './reader.ts';
import { recover, survivors, type RecoveredFile } from './replay.ts';

const MiB = 1024 * 1024;
let dir = '';

beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'dittofs-wal-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const write = (payloadId: string, offset: number, text: string): RecordInput => {
  const data = Buffer.from(text);
  return { kind: RecordKind.write, payloadId, offset, data, length: data.length };
};

const invalidation = (payloadId: string, offset: number, length: number): RecordInput => ({
  kind: RecordKind.invalidateThrough,
  payloadId,
  offset,
  data: Buffer.alloc(0),
  length,
});

/** LSN 5, invalidate 'p' [4, 6), as the version before stamped invalidations wrote it. */
const LEGACY_INVALIDATION = '314c574448a907ce05000000000000000300010004000000000000000200000070';

async function all(log: WriteLog): Promise<LogRecord[]> {
  const out: LogRecord[] = [];
  for await (const { place: _place, ...r } of log.records()) out.push({ ...r, data: Buffer.from(r.data) });
  return out;
}

const segmentFiles = (): string[] =>
  readdirSync(dir)
    .filter((f) => f.endsWith('.wal'))
    .sort();

describe('record codec', () => {
  it('round-trips and rejects a flipped bit, a short buffer and garbage', () => {
    const buf = encodeRecord(7, write('file-1', 4096, 'hello'));
    const r = decodeRecord(buf, 0);
    expect('record' in r && r.record).toMatchObject({
      lsn: 7,
      kind: RecordKind.write,
      payloadId: 'file-1',
      offset: 4096,
    });
    expect('record' in r && r.record.data.toString()).toBe('hello');
    const flipped = Buffer.from(buf);
    flipped[buf.length - 1]! ^= 1;
    expect(decodeRecord(flipped, 0)).toEqual({ torn: 'bad CRC' });
    expect(decodeRecord(buf.subarray(0, buf.length - 1), 0)).toEqual({ torn: 'short record' });
    expect(decodeRecord(Buffer.alloc(64, 0xff), 0)).toEqual({ torn: 'bad magic' });
    expect(decodeRecord(Buffer.alloc(5), 0)).toEqual({ torn: 'short header' });
  });

  it('an invalidation carries its stamp; one without, as earlier versions wrote it, still decodes', () => {
    const stamped = encodeRecord(9, { ...invalidation('p', 4, 2), through: 7 });
    expect(decodeRecord(stamped, 0)).toMatchObject({ record: { lsn: 9, kind: 4, offset: 4, length: 2, through: 7 } });
    const flipped = Buffer.from(stamped);
    flipped[stamped.length - 8]! ^= 1;
    expect(decodeRecord(flipped, 0)).toEqual({ torn: 'bad CRC' });
    expect(decodeRecord(Buffer.from(LEGACY_INVALIDATION, 'hex'), 0)).toMatchObject({
      record: { lsn: 5, kind: 3, payloadId: 'p', offset: 4, length: 2, through: undefined },
    });
  });
});

describe('WriteLog', () => {
  it('replays what was appended, across a reopen, with LSNs running on', async () => {
    const log = await WriteLog.open(dir, { capBytes: MiB });
    expect((await log.append(write('a', 0, 'one'))).lsn).toBe(1);
    expect((await log.append(write('b', 10, 'two'))).lsn).toBe(2);
    await log.close();
    const again = await WriteLog.open(dir, { capBytes: MiB });
    expect((await all(again)).map((r) => [r.lsn, r.payloadId, r.offset, r.data.toString()])).toEqual([
      [1, 'a', 0, 'one'],
      [2, 'b', 10, 'two'],
    ]);
    expect((await again.append(write('a', 3, 'three'))).lsn).toBe(3);
    await again.close();
  });

  it('cuts a torn tail (half a record) and keeps everything before it', async () => {
    const log = await WriteLog.open(dir, { capBytes: MiB });
    await log.append(write('a', 0, 'kept'));
    await log.close();
    const file = path.join(dir, segmentFiles()[0]!);
    const whole = statSync(file).size;
    const torn = encodeRecord(2, write('a', 4, 'lost in the crash'));
    appendFileSync(file, torn.subarray(0, torn.length - 3));
    const again = await WriteLog.open(dir, { capBytes: MiB });
    expect(again.opened).toMatchObject({ records: 1, cut: expect.stringContaining('short record') });
    expect(statSync(file).size).toBe(whole);
    expect((await all(again)).map((r) => r.data.toString())).toEqual(['kept']);
    // The next record goes where the torn one was, with the next LSN.
    expect((await again.append(write('a', 4, 'after'))).lsn).toBe(2);
    await again.close();
    const third = await WriteLog.open(dir, { capBytes: MiB });
    expect((await all(third)).length).toBe(2);
    await third.close();
  });

  it('stops at a bad CRC and drops later segments: no hole in the LSN sequence', async () => {
    const log = await WriteLog.open(dir, { capBytes: MiB, segmentBytes: 100 });
    for (let i = 0; i < 4; i++) await log.append(write('a', i * 40, 'x'.repeat(40)));
    await log.close();
    expect(segmentFiles().length).toBe(4);
    const second = path.join(dir, segmentFiles()[1]!);
    const bytes = readFileSync(second);
    bytes[bytes.length - 2]! ^= 0x40;
    writeFileSync(second, bytes);
    const again = await WriteLog.open(dir, { capBytes: MiB, segmentBytes: 100 });
    expect(again.opened.cut).toContain('bad CRC');
    expect((await all(again)).map((r) => r.lsn)).toEqual([1]);
    expect(segmentFiles().length).toBe(2);
    expect((await again.append(write('a', 0, 'y'))).lsn).toBe(2);
    await again.close();
  });

  it('group commit: concurrent syncs share one fdatasync', async () => {
    const log = await WriteLog.open(dir, { capBytes: MiB });
    const writers = Array.from({ length: 20 }, (_, i) => log.append(write(`f${i}`, 0, 'data')).then(() => log.sync()));
    await Promise.all(writers);
    // The first caller's sync starts alone; all who came during it share the next one.
    expect(log.stats().syncs).toBeLessThanOrEqual(2);
    const before = log.stats().syncs;
    await Promise.all([log.sync(), log.sync(), log.sync()]);
    expect(log.stats().syncs).toBe(before); // nothing new: no fdatasync at all
    await log.append(write('g', 0, 'more'));
    await Promise.all([log.sync(), log.sync(), log.sync()]);
    expect(log.stats().syncs).toBe(before + 1);
    await log.close();
  });

  it('backpressure: a full log makes appends wait for a reclaim, then fail with NO_SPACE', async () => {
    let full = 0;
    const log = await WriteLog.open(dir, { capBytes: 400, segmentBytes: 200, fullWaitMs: 300, onFull: () => full++ });
    for (let i = 0; i < 3; i++) await log.append(write('a', 0, 'x'.repeat(90)));
    // No room: waits, asks its owner to carve, then gives up.
    const started = performance.now();
    await expect(log.append(write('a', 0, 'x'.repeat(90)))).rejects.toMatchObject({ code: 'NO_SPACE' });
    expect(performance.now() - started).toBeGreaterThanOrEqual(250);
    expect(full).toBeGreaterThan(0);
    // A reclaim while a writer waits lets it through.
    const waiting = log.append(write('a', 0, 'y'.repeat(90)));
    await new Promise((r) => setTimeout(r, 50));
    await log.reclaim(log.lastLsn);
    expect((await waiting).lsn).toBe(4);
    expect(log.stats().bytes).toBeLessThan(400);
    await expect(log.append(write('a', 0, 'z'.repeat(500)))).rejects.toMatchObject({ code: 'NO_SPACE' });
    await log.close();
  });

  it('a failed write (full disk) takes no space and no LSN: the records after it still replay', async () => {
    const log = await WriteLog.open(dir, { capBytes: MiB });
    await log.append(write('a', 0, 'one'));
    const full = vi
      .spyOn(quickLogWrites, 'write')
      .mockRejectedValue(Object.assign(new Error('no space left on device'), { code: 'ENOSPC' }));
    await expect(log.append(write('a', 3, 'lost'))).rejects.toMatchObject({ code: 'NO_SPACE' });
    full.mockRestore();
    expect((await log.append(write('a', 3, 'two'))).lsn).toBe(2);
    await log.close();
    const again = await WriteLog.open(dir, { capBytes: MiB });
    expect(again.opened.cut).toBeUndefined();
    expect((await all(again)).map((r) => r.data.toString())).toEqual(['one', 'two']);
    await again.close();
  });

  it('reclaim deletes carved segments oldest first and keeps the rest', async () => {
    const log = await WriteLog.open(dir, { capBytes: MiB, segmentBytes: 100 });
    for (let i = 0; i < 4; i++) await log.append(write('a', i, 'x'.repeat(40)));
    await log.reclaim(2);
    await log.close();
    const again = await WriteLog.open(dir, { capBytes: MiB });
    expect((await all(again)).map((r) => r.lsn)).toEqual([3, 4]);
    await again.close();
  });
});

describe('recovery', () => {
  /** `base` with the file's recovered runs read back from the log over it. */
  async function recovered(file: RecoveredFile | undefined, base: string): Promise<string> {
    const out = Buffer.from(base);
    const reader = new LogReader(dir);
    try {
      for (const run of file?.runs ?? []) await reader.read(run, out.subarray(run.offset, run.offset + run.length));
    } finally {
      reader.close();
    }
    return out.toString();
  }

  it('newest wins, truncates and invalidations mask older bytes, and a second recovery finds the same', async () => {
    const log = await WriteLog.open(dir, { capBytes: MiB });
    await log.append(write('p', 0, 'aaaaaaaaaa'));
    await log.append(write('p', 2, 'BB'));
    await log.append({ kind: RecordKind.truncate, payloadId: 'p', offset: 8, data: Buffer.alloc(0), length: 0 });
    await log.append(write('p', 12, 'cc'));
    await log.append({ kind: RecordKind.invalidate, payloadId: 'p', offset: 4, data: Buffer.alloc(0), length: 2 });
    await log.append(write('q', 10, 'span'));
    await log.sync();
    const { files, report } = await recover(log);
    expect(report).toEqual({ records: 6, bytes: 4 + 2 + 2 + 4, payloads: 2 });
    const p = files.get('p')!;
    expect([p.firstLsn, p.lastLsn]).toEqual([1, 5]);
    // Over what the store holds: 'II' written straight to it (the invalidation), zeros past the truncate.
    expect(await recovered(p, 'zzzzIIzz......')).toBe('aaBBIIaa....cc');
    expect(p.runs.map((r) => [r.lsn, r.offset, r.length])).toEqual([
      [1, 0, 2],
      [1, 6, 2],
      [2, 2, 2],
      [4, 12, 2],
    ]);
    expect(await recovered(files.get('q'), '..............')).toBe('..........span');
    await log.close();
    // Reopened, with a record more: the same runs, and the new one.
    const again = await WriteLog.open(dir, { capBytes: MiB });
    await again.append(write('p', 1, 'N'));
    const second = await recover(again);
    expect(await recovered(second.files.get('p'), 'zzzzIIzz......')).toBe('aNBBIIaa....cc');
    await again.close();
  });

  it('a log left by an earlier version: its invalidation masks the records before it in the log', async () => {
    const old = [write('p', 0, 'aaaaaaaa'), write('q', 0, 'q'), write('p', 4, 'bb'), write('q', 1, 'q')];
    const segment = Buffer.concat([
      ...old.map((r, i) => encodeRecord(i + 1, r)),
      Buffer.from(LEGACY_INVALIDATION, 'hex'),
      encodeRecord(6, write('p', 5, 'C')),
    ]);
    writeFileSync(path.join(dir, '0000000000000001.wal'), segment);
    const log = await WriteLog.open(dir, { capBytes: MiB });
    const { files, report } = await recover(log);
    expect(report).toEqual({ records: 6, bytes: 6 + 1 + 2, payloads: 2 });
    expect(await recovered(files.get('p'), 'zzzzIIzz')).toBe('aaaaICaa');
    expect(await recovered(files.get('q'), '..')).toBe('qq');
    await log.close();
  });

  it('survivors: each byte from the newest record that wrote it', () => {
    const keep = survivors([
      { lsn: 1, kind: RecordKind.write, offset: 0, length: 100 },
      { lsn: 2, kind: RecordKind.write, offset: 50, length: 10 },
      { lsn: 3, kind: RecordKind.invalidate, offset: 90, length: 20 },
    ]);
    expect(Object.fromEntries(keep)).toEqual({ 1: [0, 50, 60, 90], 2: [50, 60] });
  });

  it('survivors: a stamped invalidation masks the writes up to its stamp, wherever it lies in the log', () => {
    const keep = survivors([
      { lsn: 1, kind: RecordKind.write, offset: 0, length: 100 },
      { lsn: 2, kind: RecordKind.write, offset: 10, length: 10 }, // logged after the bypass
      { lsn: 3, kind: RecordKind.invalidateThrough, offset: 0, length: 50, through: 1 },
      { lsn: 4, kind: RecordKind.invalidateThrough, offset: 95, length: 10, through: 2 },
      { lsn: 5, kind: RecordKind.write, offset: 40, length: 20 },
    ]);
    expect(Object.fromEntries(keep)).toEqual({ 1: [60, 95], 2: [10, 20], 5: [40, 60] });
  });
});
