// NFSv3 benchmark: dfs next to nfs-ganesha (VFS FSAL on a temp dir), same client, same run.
//
//   node --import tsx bench/nfs/run.ts [--size 1024] [--seconds 10] [--depth 16]
//                                      [--only dfs|ganesha] [--json out.json]
//
// Builds bench/nfs/nfsbench.c (libnfs async raw API), starts both servers on 127.0.0.1,
// runs each figure against both, samples each server's RSS (/proc/<pid>/status VmRSS)
// during the sequential 1 GiB write and read, and prints a table with the ratio dfs/ganesha.
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { buildLibnfsProgram, startTarget } from '../../e2e/nfs/target.ts';
import { startGanesha, type Ganesha } from './ganesha.ts';

const { values: opt } = parseArgs({
  options: {
    size: { type: 'string', default: '1024' },
    seconds: { type: 'string', default: '10' },
    depth: { type: 'string', default: '16' },
    only: { type: 'string' },
    tests: { type: 'string' },
    json: { type: 'string' },
    export: { type: 'string', default: '/export' },
  },
});

interface Server {
  name: 'ganesha' | 'dfs';
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
];
const ALL_TESTS = ['seqwrite', 'seqread', 'randread', 'randwrite', 'creates'];
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

/** User + system CPU seconds of a process, all threads (/proc/<pid>/stat, 100 ticks/s). */
function cpuSeconds(pid: number): number | undefined {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
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

async function startServers(): Promise<{ servers: Server[]; errors: string[] }> {
  const servers: Server[] = [];
  const errors: string[] = [];
  if (opt.only !== 'dfs') {
    try {
      const g: Ganesha = await startGanesha({ exports: [{ pseudo: '/export' }] });
      servers.push({
        name: 'ganesha',
        nfsPort: g.nfsPort,
        mountPort: g.mountPort,
        exportPath: '/export',
        pid: g.pid,
        stop: g.stop,
        logs: g.logs,
      });
    } catch (e) {
      errors.push(`ganesha: ${(e as Error).message}`);
    }
  }
  if (opt.only !== 'ganesha') {
    try {
      // dfs on its default stores (SQLite metadata, filesystem blocks) in a temp data dir;
      // /export switched to squash "none" as the e2e tests do (e2e/nfs/target.ts).
      const d = await startTarget('dfs');
      servers.push({
        name: 'dfs',
        nfsPort: d.nfsPort,
        mountPort: d.mountPort,
        exportPath: opt.export!,
        pid: d.pid,
        stop: d.stop,
        logs: d.logs,
      });
    } catch (e) {
      errors.push(`dfs: ${(e as Error).message.split('\n').slice(0, 30).join('\n')}`);
    }
  }
  return { servers, errors };
}

function fmt(v: number | undefined, unit: string): string {
  if (v === undefined) return 'n/a';
  const n = unit === 'MB/s' ? v.toFixed(1) : Math.round(v).toLocaleString('en-US');
  return `${n} ${unit}`;
}

async function main(): Promise<number> {
  const bin = buildLibnfsProgram('bench/nfs/nfsbench.c', 'nfsbench');
  const { servers, errors } = await startServers();
  for (const e of errors) console.error(`! could not start ${e}`);
  if (servers.length === 0) return 1;
  for (const s of servers)
    console.log(`# ${s.name}: pid ${s.pid}, NFS 127.0.0.1:${s.nfsPort}, MOUNT ${s.mountPort}, export ${s.exportPath}`);

  const res: Record<string, Record<string, number>> = { ganesha: {}, dfs: {} };
  const rss: Record<string, Record<string, { start?: number; peak?: number }>> = { ganesha: {}, dfs: {} };
  const failures: string[] = [...errors];
  const dead = new Set<string>();
  try {
    for (const test of TESTS) {
      for (const s of servers) {
        if (dead.has(s.name)) continue;
        process.stdout.write(`# ${test} on ${s.name} ... `);
        const r = await runBench(bin, s, test);
        Object.assign(res[s.name]!, r.results);
        rss[s.name]![test] = { start: r.rssStartKiB, peak: r.rssPeakKiB };
        const summary = Object.entries(r.results)
          .map(([k, v]) => `${k}=${v}`)
          .join(' ');
        console.log(r.code === 0 ? summary : 'FAILED');
        // nfsbench's own timing commentary, e.g. how long the final COMMIT took.
        for (const line of r.output.split('\n')) if (/^# \d/.test(line)) console.log(`#   ${line.slice(2)}`);
        if (r.cpu !== undefined) console.log(`#   server CPU ${r.cpu.toFixed(2)} s`);
        if (r.code !== 0) {
          failures.push(`${s.name} ${test}: ${r.output.trim().split('\n').slice(-5).join(' | ')}`);
          if (rssKiB(s.pid) === undefined) {
            dead.add(s.name);
            failures.push(`${s.name} is no longer running; log tail:\n${s.logs().slice(-3000)}`);
          }
        }
      }
    }
  } finally {
    for (const s of servers) await s.stop();
  }

  // table
  const rows: string[][] = [['figure', 'ganesha', 'dfs', 'dfs/ganesha']];
  const ratios: Record<string, number | undefined> = {};
  for (const f of FIGURES) {
    const g = res.ganesha![f.key];
    const d = res.dfs![f.key];
    const ratio = g !== undefined && d !== undefined && g > 0 ? d / g : undefined;
    ratios[f.key] = ratio;
    rows.push([
      f.label,
      fmt(g, f.unit),
      fmt(d, f.unit),
      ratio === undefined
        ? 'n/a'
        : `${ratio < 0.1 ? ratio.toPrecision(2) : ratio.toFixed(2)}x${f.higherIsBetter ? '' : ' (lower is better)'}`,
    ]);
  }
  const mib = (k?: number): string => (k === undefined ? 'n/a' : `${(k / 1024).toFixed(0)} MiB`);
  for (const test of ['seqwrite', 'seqread']) {
    const g = rss.ganesha![test];
    const d = rss.dfs![test];
    const ratio = g?.peak && d?.peak ? (d.peak / g.peak).toFixed(2) + 'x' : 'n/a';
    rows.push([
      `server RSS peak during ${test} (start)`,
      `${mib(g?.peak)} (${mib(g?.start)})`,
      `${mib(d?.peak)} (${mib(d?.start)})`,
      ratio,
    ]);
  }
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  const line = (r: string[]): string =>
    `| ${r.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join(' | ')} |`;
  console.log('');
  console.log(line(rows[0]!));
  console.log(`|${widths.map((w, i) => (i === 0 ? '-'.repeat(w + 2) : `${'-'.repeat(w + 1)}:`)).join('|')}|`);
  for (const r of rows.slice(1)) console.log(line(r));
  console.log(
    `\nclient: bench/nfs/nfsbench.c (libnfs async raw RPC, ${opt.depth} requests in flight, one TCP connection); servers on 127.0.0.1; ${opt.seconds} s per random/create figure.`,
  );
  if (failures.length) {
    console.log('\nFailures:');
    for (const f of failures) console.log(`- ${f}`);
  }
  if (opt.json) {
    writeFileSync(
      opt.json,
      JSON.stringify(
        { date: new Date().toISOString(), options: opt, results: res, rssKiB: rss, ratios, failures },
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
