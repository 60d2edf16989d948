// Crash safety of the write path (issue 13): a libnfs writer (crash-writer.c) creates,
// overwrites and renames files and reports a file only once COMMIT replied; dfs is killed
// with SIGKILL at random moments and restarted on the same data directory, and every
// acknowledged byte must read back exactly. 10 kills in CI, 100 with DITTOFS_E2E_LONG=1.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminClient } from '../helpers/api.ts';
import { startDfs, type DfsProcess } from '../helpers/dfs.ts';
import { LIBNFS_DEV, unmet } from '../helpers/requirements.ts';
import { makeTmpDir, removeTmpDir } from '../helpers/tmp.ts';
import { recordWriterOutput, verifyFiles, type FileModel } from './crash-model.ts';
import { buildLibnfsProgram, tail } from './target.ts';

const KILLS = process.env.DITTOFS_E2E_LONG ? 100 : 10;
/**
 * The smallest write cache: small files past it are spilled to the log, larger ones carved
 * under pressure, so kills land in both paths.
 */
const SMALL_CACHE = { DITTOFS_CACHE_MEMORY_BYTES: String(16 * 1024 * 1024) };

describe.skipIf(unmet(LIBNFS_DEV) !== null)('SIGKILL at random moments loses no acknowledged byte', () => {
  let writer = '';
  let dataDir = '';
  let work = '';
  let dfs: DfsProcess | undefined;

  beforeAll(async () => {
    writer = buildLibnfsProgram('e2e/nfs/crash-writer.c', 'crash-writer');
    dataDir = makeTmpDir('dittofs-crash-data-');
    work = makeTmpDir('dittofs-crash-out-');
    dfs = await startDfs({ dataDir, env: SMALL_CACHE });
    const api = await adminClient(dfs);
    await api.call('shares.update', { params: { name: '/export' }, body: { squash: 'none' } });
  }, 120_000);

  afterAll(async () => {
    await dfs?.stop();
    removeTmpDir(dataDir);
    removeTmpDir(work);
    if (writer) removeTmpDir(path.dirname(writer));
  });

  const args = (d: DfsProcess): string[] => ['--nfsport', String(d.nfsPort), '--mountport', String(d.mountPort)];

  const verify = (d: DfsProcess, models: Map<string, FileModel>, names: string[]): Promise<string[]> =>
    verifyFiles(writer, args(d), work, models, names);

  it(
    `${KILLS} kills`,
    async () => {
      const models = new Map<string, FileModel>();
      const restartMs: number[] = [];
      let acked = 0;
      let ackedBytes = 0;
      let overwrites = 0;
      let lost = 0;
      let recoveries = 0;
      let recoveredRecords = 0;
      for (let cycle = 1; cycle <= KILLS; cycle++) {
        const d = dfs!;
        const child = spawn(writer, [...args(d), '--prefix', `c${cycle}`, '--seed', String(cycle * 7919)], {
          stdio: ['ignore', 'pipe', 'pipe'],
        });
        let output = '';
        child.stdout.on('data', (b: Buffer) => (output += b.toString()));
        const writerDone = new Promise<void>((resolve) => child.once('close', () => resolve()));
        // A random moment: mid-file, mid-COMMIT, mid-rename, ...
        await new Promise((r) => setTimeout(r, 300 + Math.random() * 1700));
        d.kill('SIGKILL');
        await d.exited;
        child.kill('SIGKILL');
        await writerDone;
        const got = recordWriterOutput(output, models);
        const names = got.names;
        acked += names.length;
        ackedBytes += got.bytes;
        overwrites += got.overwrites;
        const started = performance.now();
        dfs = await startDfs({ dataDir, env: SMALL_CACHE });
        restartMs.push(Math.round(performance.now() - started));
        const recovered = /"records":(\d+),"bytes":(\d+)[^\n]*"msg":"write log recovered/.exec(dfs.logs());
        if (recovered !== null) {
          recoveries++;
          recoveredRecords += Number(recovered[1]);
        }
        const failures = await verify(dfs, models, names);
        lost += failures.length;
        expect(failures, `cycle ${cycle}\n--- server log ---\n${tail(dfs.logs())}`).toEqual([]);
      }
      // At the end, every file of every cycle once more: later recoveries must not have undone any.
      const failures = await verify(dfs!, models, [...models.keys()]);
      lost += failures.length;
      expect(failures).toEqual([]);
      restartMs.sort((a, b) => a - b);
      console.log(
        `crash test: ${KILLS} kills, ${acked} files acknowledged (${(ackedBytes / 2 ** 20).toFixed(1)} MiB), ` +
          `${overwrites} acknowledged overwrites, files with lost or wrong bytes: ${lost}, restart ms ` +
          `median ${restartMs[restartMs.length >> 1]} max ${restartMs.at(-1)}; ${recoveries} restarts recovered records from the log ` +
          `(${recoveredRecords} records)`,
      );
      expect(acked).toBeGreaterThan(KILLS);
      expect(recoveries, 'no kill ever left records to recover: the test did not exercise recovery').toBeGreaterThan(0);
      // The write path's gauges are exported (the log of the default fs store, the cache).
      const metrics = await (await fetch(`http://127.0.0.1:${dfs!.metricsPort}/metrics`)).text();
      expect(metrics).toMatch(/^dittofs_write_log_bytes\{store="default-payload"\} \d+$/m);
      expect(metrics).toMatch(/^dittofs_write_log_cap_bytes\{store="default-payload"\} [1-9]\d*$/m);
      expect(metrics).toMatch(/^dittofs_carve_backlog_files\{store="default-payload"\} \d+$/m);
      expect(metrics).toMatch(/^dittofs_write_cache_dirty_bytes \d+$/m);
      expect(metrics).toMatch(/^dittofs_write_cache_spilled_bytes \d+$/m);
    },
    60_000 + KILLS * 15_000,
  );
});
