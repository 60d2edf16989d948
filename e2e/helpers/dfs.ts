// Spawns a real `dfs start` server process for end-to-end tests and benchmarks.
//
// Contract with `dfs start` (bin/dfs.js): it logs JSON lines (pino) on stdout and,
// once every listener is up, one line with "msg":"ready" carrying the bound ports:
//   {"level":30,...,"msg":"ready","nfsPort":40123,"apiPort":40124,"metricsPort":40125}
// Ports are requested as 0 (ephemeral) through the environment, so parallel runs never
// collide. The NFS listener binds 127.0.0.1 only; SMB is disabled.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { makeTmpDir, removeTmpDir } from './tmp.ts';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const DFS_BIN = path.join(REPO_ROOT, 'bin', 'dfs.js');

export interface StartDfsOptions {
  /** Extra/overriding environment for the server process. */
  env?: Record<string, string>;
  /** Data directory; a fresh temp dir (removed on stop) when omitted. */
  dataDir?: string;
  /** Appended to `dfs start --data-dir <dir>`. */
  extraArgs?: string[];
  /** Keep stdin open as a pipe (the DITTOFS_TEST_HOOKS channel); see `DfsProcess.stdin`. */
  stdin?: boolean;
  /** How long to wait for the ready line (default 60 s: the first tsx compile is slow). */
  readyTimeoutMs?: number;
}

export interface DfsProcess {
  pid: number;
  nfsPort: number;
  /** MOUNT protocol port: the ready line's `mountPort` if present, else the NFS port. */
  mountPort: number;
  apiPort?: number;
  metricsPort?: number;
  dataDir: string;
  adminPassword: string;
  /** The ready log record as parsed. */
  ready: Record<string, unknown>;
  /** The server's stdin when started with `stdin: true`. */
  stdin: NodeJS.WritableStream | null;
  /** Everything the process printed so far (stdout and stderr, interleaved). */
  logs: () => string;
  /** SIGTERM, then SIGKILL after timeoutMs (default 15 s); resolves with the exit code (128+n for signal n). */
  stop: (timeoutMs?: number) => Promise<number>;
  kill: (signal?: NodeJS.Signals) => void;
  /** Resolves with the exit code whenever the process ends. */
  exited: Promise<number>;
}

const SIGNAL_NUMBERS: Partial<Record<NodeJS.Signals, number>> = {
  SIGHUP: 1,
  SIGINT: 2,
  SIGKILL: 9,
  SIGTERM: 15,
  SIGABRT: 6,
  SIGSEGV: 11,
};
const MAX_LOG_CHARS = 4 * 1024 * 1024;

// Servers still running when the test process exits are killed, never left orphaned, and
// the data dirs startDfs made for them are removed.
const LIVE = new Map<ChildProcess, string | undefined>();
process.once('exit', () => {
  for (const [c, dir] of LIVE) {
    c.kill('SIGKILL');
    if (dir && !process.env.DITTOFS_E2E_KEEP) removeTmpDir(dir);
  }
});

function exitCodeOf(code: number | null, signal: NodeJS.Signals | null): number {
  if (code !== null) return code;
  return 128 + (signal ? (SIGNAL_NUMBERS[signal] ?? 0) : 0);
}

function portField(rec: Record<string, unknown>, key: string): number | undefined {
  const v = rec[key];
  return typeof v === 'number' && Number.isInteger(v) && v > 0 ? v : undefined;
}

export async function startDfs(opts: StartDfsOptions = {}): Promise<DfsProcess> {
  const ownDataDir = opts.dataDir === undefined;
  const dataDir = opts.dataDir ?? makeTmpDir('dittofs-e2e-data-');
  const adminPassword = opts.env?.DITTOFS_ADMIN_INITIAL_PASSWORD ?? `e2e-${randomBytes(12).toString('hex')}`;
  const env: Record<string, string> = {
    ...(process.env as Record<string, string>),
    DITTOFS_NFS_BIND: '127.0.0.1',
    DITTOFS_NFS_PORT: '0',
    DITTOFS_API_PORT: '0',
    DITTOFS_METRICS_PORT: '0',
    DITTOFS_SMB_ENABLED: 'false',
    DITTOFS_ADMIN_INITIAL_PASSWORD: adminPassword,
    DITTOFS_LOGGING_LEVEL: 'info',
    ...(opts.env ?? {}),
  };
  const child: ChildProcess = spawn(
    process.execPath,
    // DITTOFS_E2E_NODE_ARGS: extra node flags for the server, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof".
    [
      ...(process.env.DITTOFS_E2E_NODE_ARGS?.split(' ').filter(Boolean) ?? []),
      DFS_BIN,
      'start',
      '--data-dir',
      dataDir,
      ...(opts.extraArgs ?? []),
    ],
    {
      cwd: REPO_ROOT,
      env,
      stdio: [opts.stdin ? 'pipe' : 'ignore', 'pipe', 'pipe'],
    },
  );
  let log = '';
  const append = (s: string): void => {
    log += s;
    if (log.length > MAX_LOG_CHARS) log = log.slice(log.length - MAX_LOG_CHARS);
  };
  const exited = new Promise<number>((resolve) => {
    child.once('exit', (code, signal) => resolve(exitCodeOf(code, signal)));
    child.once('error', (err) => {
      append(`\n[startDfs] spawn error: ${err.message}\n`);
      resolve(127);
    });
  });
  let exitCode: number | undefined;
  LIVE.set(child, ownDataDir ? dataDir : undefined);
  void exited.then((c) => {
    exitCode = c;
    LIVE.delete(child);
    if (ownDataDir && !process.env.DITTOFS_E2E_KEEP) removeTmpDir(dataDir);
  });

  const ready = await new Promise<Record<string, unknown>>((resolve, reject) => {
    let pending = '';
    let settled = false;
    const timeoutMs = opts.readyTimeoutMs ?? 60_000;
    const timer = setTimeout(() => {
      if (settled) return;
      settled = true;
      child.kill('SIGKILL');
      reject(new Error(`dfs did not log "ready" within ${timeoutMs} ms. Output:\n${log}`));
    }, timeoutMs);
    child.stdout?.setEncoding('utf8');
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (d: string) => append(d));
    child.stdout?.on('data', (d: string) => {
      append(d);
      if (settled) return;
      pending += d;
      let nl: number;
      while ((nl = pending.indexOf('\n')) >= 0) {
        const line = pending.slice(0, nl).trim();
        pending = pending.slice(nl + 1);
        if (!line.startsWith('{')) continue;
        let rec: Record<string, unknown>;
        try {
          rec = JSON.parse(line) as Record<string, unknown>;
        } catch {
          continue;
        }
        if (rec.msg === 'ready' && portField(rec, 'nfsPort') !== undefined) {
          settled = true;
          clearTimeout(timer);
          resolve(rec);
          return;
        }
      }
    });
    void exited.then((code) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      reject(new Error(`dfs exited with code ${code} before logging "ready". Output:\n${log}`));
    });
  });

  const nfsPort = portField(ready, 'nfsPort') as number;
  const stop = async (timeoutMs = 15_000): Promise<number> => {
    if (exitCode !== undefined) return exitCode;
    child.kill('SIGTERM');
    const timer = setTimeout(() => {
      append('\n[startDfs] stop timed out: SIGKILL\n');
      child.kill('SIGKILL');
    }, timeoutMs);
    const code = await exited;
    clearTimeout(timer);
    return code;
  };
  return {
    pid: child.pid ?? -1,
    nfsPort,
    mountPort: portField(ready, 'mountPort') ?? nfsPort,
    apiPort: portField(ready, 'apiPort'),
    metricsPort: portField(ready, 'metricsPort'),
    dataDir,
    adminPassword,
    ready,
    stdin: child.stdin,
    logs: () => log,
    stop,
    kill: (signal: NodeJS.Signals = 'SIGKILL') => {
      if (exitCode === undefined) child.kill(signal);
    },
    exited,
  };
}
