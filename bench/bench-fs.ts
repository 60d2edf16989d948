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
import { chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { mountLoopFs } from '../e2e/helpers/loop-fs.ts';
import { makeTmpDir, removeTmpDir } from '../e2e/helpers/tmp.ts';

export interface BenchFs {
  /** What the run's data is on, for the report. */
  describe: string;
  release(): void;
}

export function useBenchFs(choice: string | undefined, sizeGiB: number): BenchFs {
  const fs = choice ?? 'tmp';
  if (fs === 'tmp') return { describe: `the machine's temp dir (${tmpdir()})`, release: () => undefined };
  if (fs !== 'ext4') throw new Error(`--fs: unknown ${fs} (known: ext4, tmp)`);
  if (process.getuid?.() !== 0) throw new Error('--fs ext4 mounts a loop filesystem: run as root, or pass --fs tmp');
  const imageDir = makeTmpDir('dittofs-bench-fs-');
  try {
    chmodSync(imageDir, 0o755); // the mount point is in it: Samba's share user must reach the share
    // noinit_itable: no background zeroing of inode tables while the figures run.
    const loop = mountLoopFs('ext4', sizeGiB * 1024, { imageDir, mountOptions: ['noinit_itable'] });
    const before = process.env.TMPDIR;
    process.env.TMPDIR = loop.dir;
    return {
      describe: `a fresh ext4 (journaled, mkfs defaults) of ${sizeGiB} GiB on a loop device`,
      release: () => {
        if (before === undefined) delete process.env.TMPDIR;
        else process.env.TMPDIR = before;
        loop.unmount();
      },
    };
  } catch (err) {
    removeTmpDir(imageDir);
    throw err;
  }
}
