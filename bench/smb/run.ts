// SMB benchmark: dfs (a managed share, and a folder share) next to stock Samba 4.17 (a
// folder served in place), the same smbclient, the same run.
//
//   node --import tsx bench/smb/run.ts [--size 1024] [--files 1000] [--file-kib 4] [--rounds 3]
//                                      [--only dfs,dfs-folder,samba] [--tests put,get,mput,mget]
//                                      [--json out.json] [--client-dir /dev/shm] [--fs tmp|ext4]
//   DITTOFS_E2E_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof" ... --only dfs   (profile dfs)
//
// Figures: put and get of one --size MiB file (the fetched copy's sha256 checked), and put
// and get of a directory of --files files of --file-kib KiB (smbclient mput/mget, recursive;
// the count checked). Each figure runs against each server in turn, --rounds times; the table
// shows medians, each dfs figure's ratio to Samba's and the server CPU seconds it took.
// What smbclient fetches lands in --client-dir (default /dev/shm where there is one): the
// client's own file creations are not a server's figure, and on this machine's ext4 they
// moved from tens of microseconds to most of a millisecond each after mass deletes. The
// servers' data goes in the temp dir, or on a fresh journaled ext4 made for the run (--fs,
// bench-fs.ts).
import { createHash, randomFillSync } from 'node:crypto';
import {
  chmodSync,
  closeSync,
  existsSync,
  mkdtempSync,
  createReadStream,
  mkdirSync,
  openSync,
  readdirSync,
  rmSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { adminClient } from '../../e2e/helpers/api.ts';
import { LOOPBACK_WITH_SMB, startDfs } from '../../e2e/helpers/dfs.ts';
import { makeTmpDir, removeTmpDir } from '../../e2e/helpers/tmp.ts';
import { run } from '../../e2e/nfs/target.ts';
import { onBenchFs } from '../bench-fs.ts';
import { settle, treeCpuSeconds } from '../proc-cpu.ts';
import { fmt, median, printFailures, printTable, ratioText } from '../report.ts';
import { startEach } from '../start-servers.ts';
import { startSamba } from './samba.ts';

const { values: opt } = parseArgs({
  options: {
    size: { type: 'string', default: '1024' },
    files: { type: 'string', default: '1000' },
    'file-kib': { type: 'string', default: '4' },
    rounds: { type: 'string', default: '3' },
    only: { type: 'string' },
    tests: { type: 'string' },
    json: { type: 'string' },
    'client-dir': { type: 'string' },
    fs: { type: 'string' },
  },
});

const SERVER_NAMES = ['samba', 'dfs', 'dfs-folder'] as const;
type ServerName = (typeof SERVER_NAMES)[number];
const ONLY = (opt.only?.split(',') ?? SERVER_NAMES) as ServerName[];
const badOnly = ONLY.filter((n) => !SERVER_NAMES.includes(n));
if (badOnly.length > 0) throw new Error(`--only: unknown ${badOnly.join(', ')} (known: ${SERVER_NAMES.join(', ')})`);
const ROUNDS = Math.max(1, Number(opt.rounds));
const SIZE_MIB = Number(opt.size);
const FILES = Number(opt.files);
const FILE_BYTES = Number(opt['file-kib']) * 1024;

interface Server {
  name: ServerName;
  port: number;
  share: string;
  user: string;
  password: string;
  pid: number;
  stop: () => Promise<unknown>;
  logs: () => string;
}

interface Figure {
  test: string;
  label: string;
  unit: string;
  /** The figure from the seconds the smbclient command took. */
  rate: (seconds: number) => number;
}

const FIGURES: Figure[] = [
  { test: 'put', label: `put ${SIZE_MIB} MiB`, unit: 'MB/s', rate: (s) => (SIZE_MIB * 1048576) / 1e6 / s },
  { test: 'get', label: `get ${SIZE_MIB} MiB`, unit: 'MB/s', rate: (s) => (SIZE_MIB * 1048576) / 1e6 / s },
  { test: 'mput', label: `put ${FILES} files of ${FILE_BYTES / 1024} KiB`, unit: 'files/s', rate: (s) => FILES / s },
  { test: 'mget', label: `get ${FILES} files of ${FILE_BYTES / 1024} KiB`, unit: 'files/s', rate: (s) => FILES / s },
];

const TESTS = opt.tests?.split(',') ?? FIGURES.map((f) => f.test);
const unknownTests = TESTS.filter((t) => !FIGURES.some((f) => f.test === t));
if (unknownTests.length > 0) throw new Error(`--tests: unknown ${unknownTests.join(', ')}`);

const SMBCLIENT_TIMEOUT_MS = 30 * 60_000;

/** smbclient running `commands` on the server's share; the seconds it took. */
async function smbclient(s: Server, commands: string, cwd: string): Promise<number> {
  const args = [`//127.0.0.1/${s.share}`, '-p', String(s.port), '-U', `${s.user}%${s.password}`, '-c', commands];
  const started = process.hrtime.bigint();
  const { code, output } = await run('smbclient', args, SMBCLIENT_TIMEOUT_MS, { cwd });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  // smbclient exits 0 even when a command of -c failed: its NT_STATUS lines tell.
  if (code !== 0 || /NT_STATUS_/.test(output)) throw new Error(`smbclient ${commands}: ${output.trim().slice(-800)}`);
  return seconds;
}

function sha256File(file: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const h = createHash('sha256');
    createReadStream(file)
      .on('data', (d) => h.update(d))
      .once('error', reject)
      .once('end', () => resolve(h.digest('hex')));
  });
}

/** The local files: one big file of random bytes and a directory of small ones. */
function makeSources(dir: string): { big: string; small: string } {
  const big = path.join(dir, 'big.bin');
  const fd = openSync(big, 'w');
  const chunk = Buffer.alloc(1048576);
  for (let i = 0; i < SIZE_MIB; i++) writeSync(fd, randomFillSync(chunk));
  closeSync(fd);
  const small = path.join(dir, 'small');
  mkdirSync(small);
  for (let i = 0; i < FILES; i++)
    writeFileSync(path.join(small, `f${i}.bin`), randomFillSync(Buffer.alloc(FILE_BYTES)));
  return { big, small };
}

function startServers(): Promise<{ servers: Server[]; errors: string[] }> {
  const samba = async (): Promise<Server> => {
    const s = await startSamba();
    return {
      name: 'samba',
      port: s.port,
      share: s.share,
      user: s.user,
      password: s.password,
      pid: s.pid,
      stop: s.stop,
      logs: s.logs,
    };
  };
  // dfs with SMB on its default stores (SQLite metadata, filesystem blocks), and dfs whose
  // /export is a folder share on a temp dir (a folder served in place, as Samba's share is).
  const dfs = (name: 'dfs' | 'dfs-folder') => async (): Promise<Server> => {
    const d = await startDfs({ env: LOOPBACK_WITH_SMB });
    let folder: string | undefined;
    if (name === 'dfs-folder') {
      folder = makeTmpDir('dittofs-bench-folder-');
      chmodSync(folder, 0o777); // as a new managed share's root: writable by the signed-in user
      const api = await adminClient(d);
      await api.call('shares.delete', { params: { name: '/export' } });
      await api.call('shares.create', { body: { name: '/export', path: folder } });
    }
    const stop = async (): Promise<void> => {
      await d.stop();
      removeTmpDir(folder);
    };
    if (!d.smbPort) throw new Error('the ready line names no SMB port');
    return {
      name,
      port: d.smbPort,
      share: 'export',
      user: 'admin',
      password: d.adminPassword,
      pid: d.pid,
      stop,
      logs: d.logs,
    };
  };
  const starters = [
    ['samba', samba] as const,
    ['dfs', dfs('dfs')] as const,
    ['dfs-folder', dfs('dfs-folder')] as const,
  ];
  return startEach(starters.filter(([name]) => ONLY.includes(name)));
}

interface Timed {
  seconds: number;
  /** Server CPU seconds during the timed command. */
  cpu: number | undefined;
}

/** smbclient's command timed, with the server CPU it took. */
async function timed(s: Server, commands: string, cwd: string): Promise<Timed> {
  const before = treeCpuSeconds(s.pid);
  const seconds = await smbclient(s, commands, cwd);
  // A forking server's connection process counts once it has exited and been reaped.
  await new Promise((resolve) => setTimeout(resolve, 300));
  const after = treeCpuSeconds(s.pid);
  return { seconds, cpu: before !== undefined && after !== undefined ? after - before : undefined };
}

/** One figure on one server, after checking what came back; untimed setup is left out. */
async function runFigure(
  test: string,
  s: Server,
  src: { big: string; small: string; bigSha: string },
  work: string,
  clientDir: string,
): Promise<Timed> {
  // What earlier figures fetched goes first: copies of 1 GiB piling up in memory (/dev/shm)
  // slowed the third server's get.
  for (const old of readdirSync(clientDir).filter((f) => f.startsWith('fetched-')))
    rmSync(path.join(clientDir, old), { recursive: true, force: true });
  const fetched = path.join(clientDir, `fetched-${s.name}`);
  mkdirSync(fetched);
  switch (test) {
    case 'put':
      return timed(s, `put ${src.big} big.bin`, work);
    case 'get': {
      // Run alone, `get` first puts the file it fetches (untimed).
      if (!TESTS.includes('put')) await smbclient(s, `put ${src.big} big.bin`, work);
      const t = await timed(s, `get big.bin ${path.join(fetched, 'big.bin')}`, work);
      if ((await sha256File(path.join(fetched, 'big.bin'))) !== src.bigSha) throw new Error('get: the copy differs');
      return t;
    }
    case 'mput':
      await smbclient(s, 'deltree small', work).catch(() => undefined);
      return timed(s, 'prompt OFF; recurse ON; mput small', path.dirname(src.small));
    case 'mget': {
      if (!TESTS.includes('mput')) await smbclient(s, 'prompt OFF; recurse ON; mput small', path.dirname(src.small));
      const t = await timed(s, 'prompt OFF; recurse ON; mget small', fetched);
      const got = readdirSync(path.join(fetched, 'small')).length;
      if (got !== FILES) throw new Error(`mget: ${got} files of ${FILES}`);
      return t;
    }
    default:
      throw new Error(`unknown figure ${test}`);
  }
}

async function main(): Promise<number> {
  // Three servers, each with the big file and the small ones, and dfs's write log and blocks.
  return onBenchFs(opt.fs, 16, benchOn);
}

async function benchOn(fsDescribed: string): Promise<number> {
  const work = makeTmpDir('dittofs-bench-smb-');
  const clientParent = opt['client-dir'] ?? (existsSync('/dev/shm') ? '/dev/shm' : undefined);
  const clientDir = clientParent === undefined ? work : mkdtempSync(path.join(clientParent, 'dittofs-bench-smb-'));
  try {
    console.log(`# smbclient fetches into ${clientDir}`);
    const sources = makeSources(work);
    const src = { ...sources, bigSha: await sha256File(sources.big) };
    const { servers, errors } = await startServers();
    for (const e of errors) console.error(`! could not start ${e}`);
    if (servers.length === 0) return 1;
    for (const s of servers) console.log(`# ${s.name}: pid ${s.pid}, SMB 127.0.0.1:${s.port}, share ${s.share}`);

    const res: Record<string, Record<string, number[]>> = {};
    const cpu: Record<string, Record<string, number[]>> = {};
    for (const s of servers) {
      res[s.name] = {};
      cpu[s.name] = {};
    }
    const failures: string[] = [...errors];
    try {
      for (let round = 1; round <= ROUNDS; round++) {
        for (const f of FIGURES.filter((x) => TESTS.includes(x.test))) {
          for (const s of servers) {
            process.stdout.write(`# round ${round}: ${f.test} on ${s.name} ... `);
            try {
              const { seconds, cpu: used } = await runFigure(f.test, s, src, work, clientDir);
              const v = f.rate(seconds);
              (res[s.name]![f.test] ??= []).push(v);
              if (used !== undefined) (cpu[s.name]![f.test] ??= []).push(used);
              console.log(`${fmt(v, f.unit)} in ${seconds.toFixed(2)} s, server CPU ${used?.toFixed(2) ?? 'n/a'} s`);
              const after = await settle(s.pid);
              if (after.cpu >= 0.05)
                console.log(`#   busy ${(after.ms / 1000).toFixed(1)} s after it (${after.cpu.toFixed(2)} s of CPU)`);
            } catch (e) {
              console.log('FAILED');
              failures.push(`${s.name} ${f.test}: ${(e as Error).message}`);
            }
          }
        }
      }
    } finally {
      for (const s of servers) await s.stop();
    }

    const shown = SERVER_NAMES.filter((n) => servers.some((s) => s.name === n));
    const dfsNames = shown.filter((n) => n !== 'samba');
    const rows: string[][] = [['figure', ...shown, ...dfsNames.map((n) => `${n}/samba`)]];
    const medians: Record<string, Record<string, number | undefined>> = {};
    for (const n of shown) medians[n] = {};
    for (const f of FIGURES.filter((x) => TESTS.includes(x.test))) {
      for (const n of shown) medians[n]![f.test] = median(res[n]![f.test]);
      rows.push([
        f.label,
        ...shown.map((n) => fmt(medians[n]![f.test], f.unit)),
        ...dfsNames.map((n) => ratioText(medians[n]![f.test], medians.samba?.[f.test], true)),
      ]);
      rows.push([
        '  server CPU',
        ...shown.map((n) => fmt(median(cpu[n]![f.test]), 's')),
        ...dfsNames.map((n) => ratioText(median(cpu[n]![f.test]), median(cpu.samba?.[f.test]), false)),
      ]);
    }
    printTable(rows);
    console.log(
      `\nclient: smbclient (its default dialect, SMB 3.1.1), one connection per figure; servers on 127.0.0.1, their data on ${fsDescribed}; median of ${ROUNDS} round(s). Server CPU counts every process of the server (Samba's per-connection smbd included).`,
    );
    printFailures(failures);
    if (opt.json) {
      writeFileSync(
        opt.json,
        JSON.stringify({ date: new Date().toISOString(), options: opt, results: res, cpu, medians, failures }, null, 2),
      );
      console.log(`\nwrote ${opt.json}`);
    }
    return failures.length ? 1 : 0;
  } finally {
    if (!process.env.DITTOFS_E2E_KEEP) {
      removeTmpDir(work);
      if (clientDir !== work) removeTmpDir(clientDir);
    }
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
