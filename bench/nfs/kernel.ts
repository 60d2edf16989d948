// The Linux kernel NFS client (qemu guest, /work/shared/tools/kernel-client) over NFSv4.1
// against dfs and nfs-ganesha in turn: sequential write (fsync) and cold read, small-file
// creates and a cold `ls -l`, from bench/nfs/kernel-job.sh, and each dfs figure's ratio to
// ganesha's. The emulated guest bounds the absolute numbers; compare within one run.
//
//   node --import tsx bench/nfs/kernel.ts [--vers 4.1] [--mb 256] [--files 500]
//
// Needs root (ganesha's namespaces), the kernel-client tools and the packages of
// bench/nfs/README.md.
import path from 'node:path';
import { parseArgs } from 'node:util';
import { REPO_ROOT } from '../../e2e/helpers/dfs.ts';
import { findRunGuest, whyNoGuest } from '../../e2e/helpers/kernel-guest.ts';
import { run, startTarget, tail, type ServerKind } from '../../e2e/nfs/target.ts';

const { values: opt } = parseArgs({
  options: {
    vers: { type: 'string', default: '4.1' },
    mb: { type: 'string', default: '256' },
    files: { type: 'string', default: '500' },
  },
});

const SERVERS: ServerKind[] = ['ganesha', 'dfs'];
const FIGURES = ['seqwrite', 'seqread', 'creates', 'listdir'];

async function measure(kind: ServerKind): Promise<Map<string, string>> {
  const target = await startTarget(kind);
  try {
    const args = [
      '-e',
      `NFS_EXPORT=${target.exportPath}`,
      '-e',
      `NFS_VERS=${opt.vers}`,
      '-e',
      `MB=${opt.mb}`,
      '-e',
      `FILES=${opt.files}`,
      '-t',
      '1200',
      path.join(REPO_ROOT, 'bench', 'nfs', 'kernel-job.sh'),
      String(target.nfsPort),
    ];
    const { code, output } = await run(findRunGuest()!, args, 1_260_000);
    if (code !== 0 || output.includes('FAIL')) {
      throw new Error(
        `${kind}: guest job failed (${code})\n${tail(output)}\n--- server log ---\n${tail(target.logs())}`,
      );
    }
    const figures = new Map<string, string>();
    for (const m of output.matchAll(/^# figure (\S+) (\S+) (\S+)$/gm)) figures.set(m[1]!, `${m[2]} ${m[3]}`);
    return figures;
  } finally {
    await target.stop();
  }
}

async function main(): Promise<void> {
  const why = whyNoGuest();
  if (why) throw new Error(`kernel-client guest unavailable: ${why}`);
  const results = new Map<ServerKind, Map<string, string>>();
  for (const kind of SERVERS) results.set(kind, await measure(kind));
  const value = (kind: ServerKind, f: string) => results.get(kind)?.get(f) ?? '-';
  console.log(`\nLinux kernel client, NFS vers=${opt.vers}, ${opt.mb} MiB file, ${opt.files} small files\n`);
  console.log(`| figure | ganesha | dfs | dfs/ganesha |\n| --- | ---: | ---: | ---: |`);
  for (const f of FIGURES) {
    const g = parseFloat(value('ganesha', f));
    const d = parseFloat(value('dfs', f));
    const ratio = g > 0 && d > 0 ? `${(d / g).toFixed(2)}x` : '-';
    console.log(`| ${f} | ${value('ganesha', f)} | ${value('dfs', f)} | ${ratio} |`);
  }
}

await main();
