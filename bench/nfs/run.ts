// NFSv3 benchmark: dfs (a managed share, and a folder share) next to nfs-ganesha (VFS FSAL
// on a temp dir: a folder served in place, like dfs's folder share), same client, same run.
//
//   node --import tsx bench/nfs/run.ts [--size 1024] [--seconds 10] [--depth 16] [--rounds 1]
//                                      [--only dfs,dfs-folder,dfs-memory,ganesha] [--json out.json]
//                                      [--fs tmp|ext4]
//
// Builds bench/nfs/nfsbench.c (libnfs async raw API), starts the servers on 127.0.0.1,
// runs each figure against each (--rounds times, in turn; the table shows medians), samples
// each server's RSS (/proc/<pid>/status VmRSS) during the sequential 1 GiB write and read,
// and prints a table with each dfs figure's ratio to ganesha's. The servers' data goes in the
// temp dir, or on a fresh journaled ext4 made for the run (--fs, bench-fs.ts).
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { buildLibnfsProgram, startTarget } from '../../e2e/nfs/target.ts';
import { startGanesha, type Ganesha } from './ganesha.ts';
import { onBenchFs } from '../bench-fs.ts';
import { cpuSeconds, settle } from '../proc-cpu.ts';
import { fmt, median, printFailures, printTable, ratioText } from '../report.ts';
import { startEach } from '../start-servers.ts';

const { values: opt } = parseArgs({
  options: {
    size: { type: 'string', default: '1024' },
    seconds: { type: 'string', default: '10' },
    depth: { type: 'string', default: '16' },
    only: { type: 'string' },
    rounds: { type: 'string', default: '1' },
    entries: { type: 'string', default: '10000' },
    tests: { type: 'string' },
    json: { type: 'string' },
    export: { type: 'string', default: '/export' },
    fs: { type: 'string' },
  },
});

const SERVER_NAMES = ['ganesha', 'dfs', 'dfs-folder', 'dfs-memory'] as const;
type ServerName = (typeof SERVER_NAMES)[number];
const ONLY = (opt.only?.split(',') ?? SERVER_NAMES) as ServerName[];
const badOnly = ONLY.filter((n) => !SERVER_NAMES.includes(n));
if (badOnly.length > 0) throw new Error(`--only: unknown ${badOnly.join(', ')} (known: ${SERVER_NAMES.join(', ')})`);
const ROUNDS = Math.max(1, Number(opt.rounds));

interface Server {
  name: ServerName;
  nfsPort: number;
  mountPort: number;
  exportPath: string;
  pid: number;
  stop: () => Promise<unknown>;
  logs: () => string;
}

interface Figure {
  key: string; // result name printed by nfsbench
  label: string;
  unit: string;
  test: string;
  higherIsBetter: boolean;
}

const FIGURES: Figure[] = [
  {
    key: 'seq_write_MBps',
    label: `sequential write ${opt.size} MiB, 1 MiB I/O (+COMMIT)`,
    unit: 'MB/s',
    test: 'seqwrite',
    higherIsBetter: true,
  },
  {
    key: 'seq_read_MBps',
    label: `sequential read ${opt.size} MiB, 1 MiB I/O`,
    unit: 'MB/s',
    test: 'seqread',
    higherIsBetter: true,
  },
  {
    key: 'rand_read_4k_iops',
    label: '4 KiB random read, 256 MiB file',
    unit: 'IOPS',
    test: 'randread',
    higherIsBetter: true,
  },
  { key: 'rand_read_4k_lat_p99_us', label: '  p99 latency', unit: 'us', test: 'randread', higherIsBetter: false },
  {
    key: 'rand_write_4k_iops',
    label: '4 KiB random write, 256 MiB file (+COMMIT)',
    unit: 'IOPS',
    test: 'randwrite',
    higherIsBetter: true,
  },
  { key: 'rand_write_4k_lat_p99_us', label: '  p99 latency', unit: 'us', test: 'randwrite', higherIsBetter: false },
  {
    key: 'create_write_commit_per_s',
    label: 'CREATE + WRITE 4 KiB + COMMIT',
    unit: 'files/s',
    test: 'creates',
    higherIsBetter: true,
  },
  {
    key: 'listdir_entries_per_s',
    label: `READDIRPLUS of a ${opt.entries}-entry directory`,
    unit: 'entries/s',
    test: 'listdir',
    higherIsBetter: true,
  },
  {
    key: 'listdir_first_ms',
    label: '  first listing after the creates',
    unit: 'ms',
    test: 'listdir',
    higherIsBetter: false,
  },
  {
    key: 'stat_per_s',
    label: 'stat (LOOKUP + GETATTR) of files',
    unit: 'files/s',
    test: 'stat',
    higherIsBetter: true,
  },
  {
    key: 'remove_per_s',
    label: `REMOVE of ${opt.entries} files`,
    unit: 'files/s',
    test: 'remove',
    higherIsBetter: true,
  },
];
const ALL_TESTS = ['seqwrite', 'seqread', 'randread', 'randwrite', 'creates', 'listdir', 'stat', 'remove'];
const TESTS = opt.tests === undefined ? ALL_TESTS : opt.tests.split(',');
const unknownTests = TESTS.filter((t) => !ALL_TESTS.includes(t));
if (unknownTests.length > 0)
  throw new Error(`--tests: unknown ${unknownTests.join(', ')} (known: ${ALL_TESTS.join(', ')})`);

function rssKiB(pid: number): number | undefined {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : undefined;
  } catch {
    return undefined;
  }
}

interface RunOut {
  code: number;
  output: string;
  results: Record<string, number>;
  rssPeakKiB?: number;
  rssStartKiB?: number;
  /** Server CPU seconds the run took. */
  cpu?: number;
}

function runBench(bin: string, s: Server, test: string): Promise<RunOut> {
  const args = [
    '--nfsport',
    String(s.nfsPort),
    '--mountport',
    String(s.mountPort),
    '--export',
    s.exportPath,
    '--test',
    test,
    '--dir',
    'nfsbench',
    '--size',
    opt.size!,
    '--seconds',
    opt.seconds!,
    '--depth',
    opt.depth!,
    '--entries',
    opt.entries!,
  ];
  return new Promise((resolve) => {
    const rssStartKiB = rssKiB(s.pid);
    const cpuStart = cpuSeconds(s.pid);
    let rssPeakKiB = rssStartKiB;
    const sampler = setInterval(() => {
      const r = rssKiB(s.pid);
      if (r !== undefined && (rssPeakKiB === undefined || r > rssPeakKiB)) rssPeakKiB = r;
    }, 100);
    const child = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    child.once('close', (code) => {
      clearInterval(sampler);
      const results: Record<string, number> = {};
      for (const line of output.split('\n')) {
        const m = /^result (\S+) ([\d.]+)/.exec(line);
        if (m) results[m[1]!] = Number(m[2]);
      }
      const cpuEnd = cpuSeconds(s.pid);
      const cpu = cpuStart !== undefined && cpuEnd !== undefined ? cpuEnd - cpuStart : undefined;
      resolve({ code: code ?? 1, output, results, rssPeakKiB, rssStartKiB, cpu });
    });
  });
}

function startServers(): Promise<{ servers: Server[]; errors: string[] }> {
  // dfs on its default stores (SQLite metadata, filesystem blocks) in a temp data dir, and
  // dfs serving a temp folder in place (a folder share, as ganesha's VFS export); /export
  // squashes nobody, as the e2e tests set it (e2e/nfs/target.ts).
  const dfs = (name: 'dfs' | 'dfs-folder' | 'dfs-memory') => async (): Promise<Server> => {
    const d = await startTarget(name);
    return {
      name,
      nfsPort: d.nfsPort,
      mountPort: d.mountPort,
      exportPath: name === 'dfs-folder' ? d.exportPath : opt.export!,
      pid: d.pid,
      stop: d.stop,
      logs: d.logs,
    };
  };
  const ganesha = async (): Promise<Server> => {
    const g: Ganesha = await startGanesha({ exports: [{ pseudo: '/export' }] });
    return {
      name: 'ganesha',
      nfsPort: g.nfsPort,
      mountPort: g.mountPort,
      exportPath: '/export',
      pid: g.pid,
      stop: g.stop,
      logs: g.logs,
    };
  };
  const starters = [
    ['ganesha', ganesha] as const,
    ['dfs', dfs('dfs')] as const,
    ['dfs-folder', dfs('dfs-folder')] as const,
    ['dfs-memory', dfs('dfs-memory')] as const,
  ];
  return startEach(starters.filter(([name]) => ONLY.includes(name)));
}

async function main(): Promise<number> {
  const bin = buildLibnfsProgram('bench/nfs/nfsbench.c', 'nfsbench');
  // Four servers, each with 1 GiB written and read, and dfs's write log and blocks.
  return onBenchFs(opt.fs, 32, (described) => benchOn(bin, described));
}

async function benchOn(bin: string, fsDescribed: string): Promise<number> {
  const { servers, errors } = await startServers();
  for (const e of errors) console.error(`! could not start ${e}`);
  if (servers.length === 0) return 1;
  for (const s of servers)
    console.log(`# ${s.name}: pid ${s.pid}, NFS 127.0.0.1:${s.nfsPort}, MOUNT ${s.mountPort}, export ${s.exportPath}`);

  /** Every round's value of each figure, by server. */
  const res: Record<string, Record<string, number[]>> = {};
  const rss: Record<string, Record<string, { start?: number; peak?: number }>> = {};
  for (const s of servers) {
    res[s.name] = {};
    rss[s.name] = {};
  }
  const failures: string[] = [...errors];
  const dead = new Set<string>();
  try {
    for (let round = 1; round <= ROUNDS; round++) {
      for (const test of TESTS) {
        for (const s of servers) {
          if (dead.has(s.name)) continue;
          process.stdout.write(`# ${ROUNDS > 1 ? `round ${round}: ` : ''}${test} on ${s.name} ... `);
          const r = await runBench(bin, s, test);
          for (const [k, v] of Object.entries(r.results)) (res[s.name]![k] ??= []).push(v);
          const before = rss[s.name]![test];
          if (before?.peak === undefined || (r.rssPeakKiB ?? 0) > before.peak) {
            rss[s.name]![test] = { start: r.rssStartKiB, peak: r.rssPeakKiB };
          }
          const summary = Object.entries(r.results)
            .map(([k, v]) => `${k}=${v}`)
            .join(' ');
          console.log(r.code === 0 ? summary : 'FAILED');
          // nfsbench's own timing commentary, e.g. how long the final COMMIT took.
          for (const line of r.output.split('\n')) if (/^# \d/.test(line)) console.log(`#   ${line.slice(2)}`);
          if (r.cpu !== undefined) console.log(`#   server CPU ${r.cpu.toFixed(2)} s`);
          // The next figure starts on a quiet server: dfs carves what a figure wrote after it.
          const after = await settle(s.pid);
          if (after.cpu >= 0.05)
            console.log(`#   busy ${(after.ms / 1000).toFixed(1)} s after it (${after.cpu.toFixed(2)} s of CPU)`);
          if (r.code !== 0) {
            failures.push(`${s.name} ${test}: ${r.output.trim().split('\n').slice(-5).join(' | ')}`);
            if (rssKiB(s.pid) === undefined) {
              dead.add(s.name);
              failures.push(`${s.name} is no longer running; log tail:\n${s.logs().slice(-3000)}`);
            }
          }
        }
      }
    }
  } finally {
    for (const s of servers) await s.stop();
  }

  // table: medians over the rounds, each dfs figure next to its ratio to ganesha's
  const shown = SERVER_NAMES.filter((n) => servers.some((s) => s.name === n));
  const dfsNames = shown.filter((n) => n !== 'ganesha');
  const rows: string[][] = [['figure', ...shown, ...dfsNames.map((n) => `${n}/ganesha`)]];
  const medians: Record<string, Record<string, number | undefined>> = {};
  for (const n of shown) medians[n] = {};
  for (const f of FIGURES) {
    for (const n of shown) medians[n]![f.key] = median(res[n]![f.key]);
    const g = medians.ganesha?.[f.key];
    rows.push([
      f.label,
      ...shown.map((n) => fmt(medians[n]![f.key], f.unit)),
      ...dfsNames.map((n) => ratioText(medians[n]![f.key], g, f.higherIsBetter)),
    ]);
  }
  const mib = (k?: number): string => (k === undefined ? 'n/a' : `${(k / 1024).toFixed(0)} MiB`);
  for (const test of ['seqwrite', 'seqread']) {
    const g = rss.ganesha?.[test]?.peak;
    rows.push([
      `server RSS peak during ${test} (start)`,
      ...shown.map((n) => `${mib(rss[n]![test]?.peak)} (${mib(rss[n]![test]?.start)})`),
      ...dfsNames.map((n) => {
        const d = rss[n]![test]?.peak;
        return g && d ? `${(d / g).toFixed(2)}x` : 'n/a';
      }),
    ]);
  }
  printTable(rows);
  console.log(
    `\nclient: bench/nfs/nfsbench.c (libnfs async raw RPC, ${opt.depth} requests in flight, one TCP connection); servers on 127.0.0.1, their data on ${fsDescribed}; ${opt.seconds} s per random/create figure; median of ${ROUNDS} round(s).`,
  );
  printFailures(failures);
  if (opt.json) {
    writeFileSync(
      opt.json,
      JSON.stringify(
        { date: new Date().toISOString(), options: opt, results: res, medians, rssKiB: rss, failures },
        null,
        2,
      ),
    );
    console.log(`\nwrote ${opt.json}`);
  }
  return failures.length ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
