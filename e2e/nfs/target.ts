// The NFSv3 server the e2e tests in this directory run against.
//
//   DITTOFS_E2E_NFS_SERVER=dfs         (default) a real `dfs start` (e2e/helpers/dfs.ts)
//   DITTOFS_E2E_NFS_SERVER=dfs-folder  the same, its shares folder shares: directories of
//                                      this computer served in place (docs/folder-shares.md)
//   DITTOFS_E2E_NFS_SERVER=dfs-memory  the same, its shares on memory stores (metadata and
//                                      content in the process: nothing survives a restart)
//   DITTOFS_E2E_NFS_SERVER=ganesha     nfs-ganesha with a VFS export: the reference that
//                                      proves the test clients themselves right
//
// dfs's default share (/export) squashes root (root_to_guest), so uid 0 cannot use it as
// shipped. The tests configure dfs through its REST API, as admin, on the running server
// (changes apply live, no restart):
//   /export  squash none (the read-write share the tests use as uid 0)
//   /ro      read-only, holding existing.txt (written over NFS while still read-write)
//   /squash  root_to_guest (65534:65534); new share roots are 0:0 0777, so 65534 can write
// On dfs-folder, /export is replaced by a folder share of the same name, and /ro and /squash
// are folder shares too, each on a fresh 0777 directory outside the data dir (`folder`). On
// dfs-memory they are shares on one memory metadata store and one memory payload store.
// DITTOFS_E2E_DFS_DEFAULT_SHARE=1 skips all of it and tests the default share as shipped.
import { execFileSync, spawn } from 'node:child_process';
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { startGanesha } from '../../bench/nfs/ganesha.ts';
import { startDfs, REPO_ROOT, type DfsProcess } from '../helpers/dfs.ts';
import { makeTmpDir, removeTmpDir } from '../helpers/tmp.ts';
import { adminClient } from '../helpers/api.ts';

export type ServerKind = 'dfs' | 'dfs-folder' | 'dfs-memory' | 'ganesha';
const KINDS: readonly ServerKind[] = ['dfs', 'dfs-folder', 'dfs-memory', 'ganesha'];

export interface NfsTarget {
  kind: ServerKind;
  nfsPort: number;
  mountPort: number;
  /** Read-write export, no root squashing. */
  exportPath: string;
  /** Read-only export holding existing.txt (with extraShares). */
  roExportPath?: string;
  /** Export squashing uid 0 to 65534:65534, root directory 0777 (with extraShares). */
  squashExportPath?: string;
  /** dfs-folder and ganesha: the local directory served as `exportPath`. */
  folder?: string;
  pid: number;
  /** Output of every run of the server so far. */
  logs: () => string;
  /**
   * Stops the server (SIGTERM), waits pauseMs, starts it again on the same data; resolves
   * with the exit code of the stop. Ports may change.
   */
  restart: (pauseMs?: number) => Promise<number>;
  /** Stops the server and removes its data; resolves with its exit code (0 for ganesha). */
  stop: () => Promise<number>;
}

interface Running {
  nfsPort: number;
  mountPort: number;
  pid: number;
  logs: () => string;
  stop: () => Promise<number>;
}

// Data dirs of targets still running when this process exits (their servers are killed by
// the exit hooks in dfs.ts / ganesha.ts).
const CLEANUPS = new Set<() => void>();
process.once('exit', () => CLEANUPS.forEach((f) => f()));

function makeTarget(
  kind: ServerKind,
  paths: { ro?: string; squash?: string; folder?: string },
  first: Running,
  launch: () => Promise<Running>,
  cleanup: () => void,
): NfsTarget {
  let cur = first;
  let earlier = '';
  CLEANUPS.add(cleanup);
  const t: NfsTarget = {
    kind,
    nfsPort: cur.nfsPort,
    mountPort: cur.mountPort,
    exportPath: '/export',
    roExportPath: paths.ro,
    squashExportPath: paths.squash,
    folder: paths.folder,
    pid: cur.pid,
    logs: () => earlier + cur.logs(),
    restart: async (pauseMs = 0) => {
      const code = await cur.stop();
      if (pauseMs > 0) await new Promise((r) => setTimeout(r, pauseMs));
      earlier += `${cur.logs()}\n----- restart (exit code ${code}) -----\n`;
      cur = await launch();
      Object.assign(t, { nfsPort: cur.nfsPort, mountPort: cur.mountPort, pid: cur.pid });
      return code;
    },
    stop: async () => {
      const code = await cur.stop();
      CLEANUPS.delete(cleanup);
      cleanup();
      return code;
    },
  };
  return t;
}

export function serverKind(): ServerKind {
  const v = (process.env.DITTOFS_E2E_NFS_SERVER ?? 'dfs').toLowerCase() as ServerKind;
  if (!KINDS.includes(v)) throw new Error(`DITTOFS_E2E_NFS_SERVER must be ${KINDS.join(', ')}, not ${v}`);
  return v;
}

/**
 * The servers a suite that proves dfs on both kinds of share runs against: by default dfs
 * with managed shares and dfs with folder shares; one server when DITTOFS_E2E_NFS_SERVER names it.
 */
export function serverKinds(): ServerKind[] {
  return process.env.DITTOFS_E2E_NFS_SERVER === undefined ? ['dfs', 'dfs-folder'] : [serverKind()];
}

export interface TargetOptions {
  /** Also provide a read-only and a root-squashing export (roExportPath, squashExportPath). */
  extraShares?: boolean;
}

export async function startTarget(kind: ServerKind = serverKind(), opts: TargetOptions = {}): Promise<NfsTarget> {
  if (kind === 'ganesha') {
    const baseDir = makeTmpDir('dittofs-ganesha-');
    const dir = (n: string): string => path.join(baseDir, n);
    const exports = [
      { pseudo: '/export', dir: dir('export') },
      { pseudo: '/ro', dir: dir('ro'), readOnly: true },
      { pseudo: '/squash', dir: dir('squash'), rootSquash: true, anonUid: 65534, anonGid: 65534, mode: 0o777 },
    ];
    const launch = async (): Promise<Running> => {
      const g = await startGanesha({ baseDir, exports });
      return {
        nfsPort: g.nfsPort,
        mountPort: g.mountPort,
        pid: g.pid,
        logs: g.logs,
        stop: async () => {
          await g.stop();
          return 0;
        },
      };
    };
    const cleanup = (): void => {
      if (!process.env.DITTOFS_E2E_KEEP) removeTmpDir(baseDir);
    };
    try {
      const first = await launch();
      writeFileSync(path.join(dir('ro'), 'existing.txt'), 'read-only content\n');
      return makeTarget(kind, { ro: '/ro', squash: '/squash', folder: dir('export') }, first, launch, cleanup);
    } catch (err) {
      cleanup();
      throw err;
    }
  }
  if (process.env.DITTOFS_E2E_DFS_DEFAULT_SHARE) {
    const dataDir = makeTmpDir('dittofs-e2e-data-');
    const launch = async (): Promise<Running> => startDfs({ dataDir });
    return makeTarget(kind, {}, await launch(), launch, () => removeTmpDir(dataDir));
  }
  return configureDfsShares(opts.extraShares ?? false, kind);
}

/** See the header: one start, then the shares are configured through the REST API. */
async function configureDfsShares(extraShares: boolean, kind: Exclude<ServerKind, 'ganesha'>): Promise<NfsTarget> {
  const dataDir = makeTmpDir('dittofs-e2e-data-');
  const foldersDir = kind === 'dfs-folder' ? makeTmpDir('dittofs-e2e-folders-') : undefined;
  const cleanup = (): void => {
    if (process.env.DITTOFS_E2E_KEEP) return;
    removeTmpDir(dataDir);
    removeTmpDir(foldersDir);
  };
  /** A new 0777 directory for a folder share (as a new managed share's root is 0777). */
  const folderFor = (name: string): string => {
    const dir = path.join(foldersDir!, name);
    mkdirSync(dir);
    chmodSync(dir, 0o777);
    return dir;
  };
  const launch = (): Promise<Running> => startDfs({ dataDir });
  let d: DfsProcess | undefined;
  let step = 'start';
  try {
    d = await startDfs({ dataDir });
    if (!d.apiPort) throw new Error('the ready line has no apiPort');
    step = 'login';
    const api = await adminClient(d);
    step = 'PATCH /export';
    const exp = await api.call('shares.update', { params: { name: '/export' }, body: { squash: 'none' } });
    const memory = kind === 'dfs-memory';
    const stores = memory
      ? { metadataStore: 'e2e-memory', payloadStore: 'e2e-memory' }
      : { metadataStore: exp.metadataStore, payloadStore: exp.payloadStore };
    const folder = foldersDir === undefined ? undefined : folderFor('export');
    if (folder !== undefined) {
      step = 'replace /export by a folder share';
      await api.call('shares.delete', { params: { name: '/export' } });
      await api.call('shares.create', { body: { name: '/export', path: folder, squash: 'none' } });
    }
    if (memory) {
      step = 'replace /export by a share on memory stores';
      await api.call('stores.metadata.create', { body: { name: stores.metadataStore, type: 'memory' } });
      await api.call('stores.payload.create', { body: { name: stores.payloadStore, type: 'memory' } });
      await api.call('shares.delete', { params: { name: '/export' } });
      await api.call('shares.create', { body: { name: '/export', ...stores, squash: 'none' } });
    }
    if (!extraShares) return makeTarget(kind, { folder }, d, launch, cleanup);

    // Where a share keeps its files: the default stores, or a folder of its own.
    const where = (name: string) => (foldersDir === undefined ? stores : { path: folderFor(name) });
    step = 'create /ro, /squash';
    await api.call('shares.create', { body: { name: '/ro', ...where('ro'), squash: 'none' } });
    await api.call('shares.create', {
      body: { name: '/squash', ...where('squash'), squash: 'root_to_guest', anonUid: 65534, anonGid: 65534 },
    });
    step = 'write /ro/existing.txt';
    const client = buildLibnfsProgram('e2e/nfs/libnfs-client.c', 'nfsclient');
    const args = ['--nfsport', String(d.nfsPort), '--mountport', String(d.mountPort), '--suite', 'prepare'];
    const r = await run(client, [...args, '--export', '/ro', '--prepare-file', 'existing.txt'], 60_000);
    removeTmpDir(path.dirname(client));
    if (r.code !== 0) throw new Error(`nfsclient exited ${r.code}:\n${r.output}`);
    step = 'PATCH /ro readOnly';
    await api.call('shares.update', { params: { name: '/ro' }, body: { readOnly: true } });
    return makeTarget(kind, { ro: '/ro', squash: '/squash', folder }, d, launch, cleanup);
  } catch (err) {
    const logs = d ? `\n${tail(d.logs())}` : '';
    if (d) await d.stop();
    cleanup();
    throw new Error(`configuring dfs shares failed (${step}): ${(err as Error).message}${logs}`, { cause: err });
  }
}

/** nfs:// URL as libnfs-utils (nfs-cp, nfs-ls, nfs-cat) take it. */
export function nfsUrl(t: NfsTarget, rel = '', extra = ''): string {
  const p = `${t.exportPath.replace(/\/$/, '')}${rel ? `/${rel.replace(/^\//, '')}` : ''}`;
  return `nfs://127.0.0.1${p}?nfsport=${t.nfsPort}&mountport=${t.mountPort}&version=3${extra}`;
}

const BUILD_DIRS: string[] = [];
process.once('exit', () => BUILD_DIRS.forEach((d) => removeTmpDir(d)));

/** Compiles a C file against libnfs into a temp dir (removed at exit); returns the binary path. */
export function buildLibnfsProgram(srcRel: string, outName: string): string {
  const dir = makeTmpDir('dittofs-cbuild-');
  BUILD_DIRS.push(dir);
  const out = path.join(dir, outName);
  try {
    execFileSync('gcc', ['-O2', '-Wall', '-o', out, path.join(REPO_ROOT, srcRel), '-lnfs'], {
      cwd: REPO_ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
  } catch (err) {
    const e = err as { stderr?: Buffer; message: string };
    throw new Error(`gcc ${srcRel} -lnfs failed (needs gcc and libnfs-dev):\n${e.stderr?.toString() ?? e.message}`);
  }
  return out;
}

export interface RunResult {
  code: number;
  output: string;
}

/** Runs a program, collecting stdout+stderr; SIGKILLs it after timeoutMs. */
export function run(cmd: string, args: string[], timeoutMs: number, opts: { cwd?: string } = {}): Promise<RunResult> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { cwd: opts.cwd ?? REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    const timer = setTimeout(() => {
      output += `\n[run] ${path.basename(cmd)} killed after ${timeoutMs} ms\n`;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.once('error', (e) => {
      clearTimeout(timer);
      resolve({ code: 127, output: `${output}\n[run] ${e.message}` });
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code: code ?? 128 + (signal === 'SIGKILL' ? 9 : 15), output });
    });
  });
}

/** "FAIL ..." lines of a check-per-line output. */
export function failLines(output: string): string[] {
  return output.split('\n').filter((l) => l.startsWith('FAIL'));
}

/** Last `chars` characters of a server log, for assertion messages. */
export function tail(s: string, chars = 6000): string {
  return s.length > chars ? `...${s.slice(-chars)}` : s;
}
