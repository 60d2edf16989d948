// nfs-cp of a big file (1 GiB by default) into a share on an S3 store behind the offloader
// (s3rver) and into a folder share, alternating, several rounds: median seconds of each, the
// ratio (S3 share / folder share throughput; the offloader's local cache should hide S3 from
// the writer), and the upload goodput to s3rver (bytes uploaded over the time from the start
// of a copy until nothing is pending). A share on a local block store (fs) is timed too: the
// same write path without S3, to tell the offloader's cost from the write path's. The CPU
// seconds of dfs (and, for the S3 share, of s3rver) during each copy are printed too: on a
// shared machine they vary far less than the times do. Not run in CI.
//
//   node --import tsx bench/offloader/run.ts [--mib 1024] [--rounds 3]
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { adminClient } from '../../e2e/helpers/api.ts';
import { startDfs } from '../../e2e/helpers/dfs.ts';
import { makeTmpDir, removeTmpDir } from '../../e2e/helpers/tmp.ts';
import { run } from '../../e2e/nfs/target.ts';
import { S3rver } from '../../src/server/payload/stores/s3/testing/s3rver.ts';
import { cpuSeconds } from '../proc-cpu.ts';

const { values: opt } = parseArgs({
  options: { mib: { type: 'string', default: '1024' }, rounds: { type: 'string', default: '3' } },
});
const MiB = 1024 * 1024;
const size = Number(opt.mib) * MiB;
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function main(): Promise<void> {
  const tmp = makeTmpDir('dittofs-bench-offload-');
  const s3 = await S3rver.start();
  const dfs = await startDfs();
  try {
    const api = await adminClient(dfs);
    const bucket = await s3.bucket('bench');
    await api.call('stores.payload.create', { body: { name: 'cloud', type: 's3', config: { ...bucket } } });
    await api.call('shares.create', {
      body: { name: '/cloud', metadataStore: 'default-metadata', payloadStore: 'cloud', squash: 'none' },
    });
    // A share on a local block store: the same write path (write log, blocks) without S3, for reference.
    await api.call('stores.payload.create', { body: { name: 'local', type: 'fs' } });
    await api.call('shares.create', {
      body: { name: '/local', metadataStore: 'default-metadata', payloadStore: 'local', squash: 'none' },
    });
    const folder = path.join(tmp, 'folder');
    mkdirSync(folder);
    chmodSync(folder, 0o777);
    await api.call('shares.create', { body: { name: '/folder', path: folder, squash: 'none' } });
    const src = path.join(tmp, 'src.bin');
    const url = (share: string, name: string): string =>
      `nfs://127.0.0.1${share}/${name}?nfsport=${dfs.nfsPort}&mountport=${dfs.mountPort}&version=3`;
    const cpu = (): { dfs: number; s3: number } => ({
      dfs: cpuSeconds(dfs.pid) ?? NaN,
      s3: (s3.pid === undefined ? undefined : cpuSeconds(s3.pid)) ?? NaN,
    });
    const copy = async (share: string, name: string): Promise<number> => {
      const started = performance.now();
      const r = await run('nfs-cp', [src, url(share, name)], 1_800_000);
      if (r.code !== 0) throw new Error(`nfs-cp into ${share}: ${r.output}`);
      return (performance.now() - started) / 1000;
    };
    const shares = ['/cloud', '/folder', '/local'];
    const times: Record<string, number[]> = { '/cloud': [], '/folder': [], '/local': [] };
    const dfsCpu: Record<string, number[]> = { '/cloud': [], '/folder': [], '/local': [] };
    /** The S3 share from the copy's start until drained: dfs, then s3rver. */
    const uploadCpu: { dfs: number[]; s3: number[] } = { dfs: [], s3: [] };
    const goodput: number[] = [];
    for (let round = 0; round < Number(opt.rounds); round++) {
      // New content each round: the same bytes again would be deduplicated, with nothing to upload.
      writeFileSync(src, randomBytes(size));
      const order = [...shares.slice(round % 3), ...shares.slice(0, round % 3)];
      for (const share of order) {
        const started = performance.now();
        const before = cpu();
        const s = await copy(share, `r${round}.bin`);
        times[share]!.push(s);
        dfsCpu[share]!.push(cpu().dfs - before.dfs);
        if (share === '/cloud') {
          await api.call('offloader.drain', { params: { store: 'cloud' } });
          goodput.push(size / MiB / ((performance.now() - started) / 1000));
          const after = cpu();
          uploadCpu.dfs.push(after.dfs - before.dfs);
          uploadCpu.s3.push(after.s3 - before.s3);
        }
        console.log(
          `round ${round + 1} ${share}: ${s.toFixed(2)} s (${(size / MiB / s).toFixed(0)} MiB/s), dfs CPU ${dfsCpu[share]!.at(-1)!.toFixed(2)} s`,
        );
      }
    }
    const cloud = median(times['/cloud']!);
    const plain = median(times['/folder']!);
    const local = median(times['/local']!);
    console.log(
      `median: S3 share ${cloud.toFixed(2)} s (${(size / MiB / cloud).toFixed(0)} MiB/s), folder share ${plain.toFixed(2)} s (${(size / MiB / plain).toFixed(0)} MiB/s)`,
    );
    console.log(`ratio (S3 share throughput / folder share): ${(plain / cloud).toFixed(2)}x`);
    console.log(
      `reference: local block store share ${local.toFixed(2)} s; S3 share / local store share ${(local / cloud).toFixed(2)}x`,
    );
    console.log(
      `upload goodput to s3rver (copy start to nothing pending), median: ${median(goodput).toFixed(0)} MiB/s`,
    );
    const cpuOf = (share: string): string => median(dfsCpu[share]!).toFixed(2);
    console.log(
      `dfs CPU during the copy, median: S3 share ${cpuOf('/cloud')} s, folder share ${cpuOf('/folder')} s, local store share ${cpuOf('/local')} s`,
    );
    console.log(
      `S3 share, copy start to drained, median CPU: dfs ${median(uploadCpu.dfs).toFixed(2)} s, s3rver ${median(uploadCpu.s3).toFixed(2)} s`,
    );
    const [o] = await api.call('offloader.list', {});
    console.log(`offloader: ${JSON.stringify(o)}`);
  } finally {
    await dfs.stop();
    await s3.remove();
    removeTmpDir(tmp);
  }
}

await main();
