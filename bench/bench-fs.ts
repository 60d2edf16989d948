// Where the benchmarks' servers keep their data (`--fs`): every server's export, share and
// data dir is made in the temp dir, and this chooses it for the whole run.
//
// `tmp` (the default): the machine's own temp dir. On this machine that is ext4 without a
// journal, and ext4 without a journal skips recently deleted inodes when it allocates one:
// after the mass deletes a benchmark makes, one file creation cost from ~10 µs to most of a
// millisecond of kernel time, depending on the block group a server's directory happened to
// land in (bench/nfs/README.md, eleventh session). `ext4`: a fresh ext4 on a loop device made
// for the run, by mkfs with its defaults, journal included, as a laptop's disk is; an fsync
// there costs ~0.7 ms against ~0.2 ms, and the large-file figures moved more between runs
// (the loop device writes back through a second page cache).
import { tmpdir } from 'node:os';
import { mountLoopFs } from '../e2e/helpers/loop-fs.ts';

/**
 * Runs `bench` with the servers' temp dirs on the filesystem `choice` names (`tmp`, `ext4` of
 * `sizeGiB`), having printed what that is; `bench` gets the description for its report.
 */
export async function onBenchFs(
  choice: string | undefined,
  sizeGiB: number,
  bench: (described: string) => Promise<number>,
): Promise<number> {
  const fs = choice ?? 'tmp';
  if (fs !== 'tmp' && fs !== 'ext4') throw new Error(`--fs: unknown ${fs} (known: tmp, ext4)`);
  if (fs === 'ext4' && process.getuid?.() !== 0)
    throw new Error('--fs ext4 mounts a loop filesystem: run as root, or pass --fs tmp');
  // noinit_itable: no background zeroing of inode tables while the figures run.
  const loop = fs === 'ext4' ? mountLoopFs('ext4', sizeGiB * 1024, ['noinit_itable']) : undefined;
  const described = loop
    ? `a fresh ext4 (journaled, mkfs defaults) of ${sizeGiB} GiB on a loop device`
    : `the machine's temp dir (${tmpdir()})`;
  const before = process.env.TMPDIR;
  if (loop) process.env.TMPDIR = loop.dir;
  try {
    console.log(`# servers' data on ${described}`);
    return await bench(described);
  } finally {
    if (before === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = before;
    loop?.unmount();
  }
}
