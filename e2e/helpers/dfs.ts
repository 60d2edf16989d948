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
  /** How long to wait for the ready line (default 60 s: a loaded machine). */
  readyTimeoutMs?: number;
  /**
   * A command node is started through, e.g. into a network namespace of its own
   * (netns.ts); it must exec node in its own process, so `pid` stays the server's.
   */
  launcher?: string[];
}

export interface DfsProcess {
  pid: number;
  nfsPort: number;
  /** MOUNT protocol port: the ready line's `mountPort` if present, else the NFS port. */
  mountPort: number;
  /** The SMB port when SMB runs (the ready line's `smbPort`). */
  smbPort?: number;
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

/** A `dfs start` process that may not be ready yet (start-up tests). */
export interface SpawnedDfs {
  pid: number;
  dataDir: string;
  adminPassword: string;
  stdin: NodeJS.WritableStream | null;
  /** Everything the process printed so far (stdout and stderr, interleaved). */
  logs: () => string;
  /**
   * The first JSON log line on stdout (seen so far or to come) that `match` accepts; rejects
   * when the process exits first or after timeoutMs (default 60 s: a loaded machine).
   */
  waitForLog: (
    match: (rec: Record<string, unknown>) => boolean,
    timeoutMs?: number,
  ) => Promise<Record<string, unknown>>;
  kill: (signal?: NodeJS.Signals) => void;
  /** Resolves with the exit code whenever the process ends (128+n for signal n). */
  exited: Promise<number>;
}

/** Every listener on loopback and an ephemeral port; SMB off. */
export const LOOPBACK_LISTENERS: Record<string, string> = {
  DITTOFS_NFS_BIND: '127.0.0.1',
  DITTOFS_NFS_PORT: '0',
  DITTOFS_API_PORT: '0',
  DITTOFS_METRICS_PORT: '0',
  DITTOFS_SMB_ENABLED: 'false',
};

/** LOOPBACK_LISTENERS with SMB on, on 127.0.0.1 and an ephemeral port. */
export const LOOPBACK_WITH_SMB: Record<string, string> = {
  DITTOFS_SMB_ENABLED: 'true',
  DITTOFS_SMB_BIND: '127.0.0.1',
  DITTOFS_SMB_PORT: '0',
};

/** Spawns `dfs start` on ephemeral loopback ports without waiting for it; see startDfs. */
export function spawnDfs(opts: StartDfsOptions = {}): SpawnedDfs {
  const ownDataDir = opts.dataDir === undefined;
  const dataDir = opts.dataDir ?? makeTmpDir('dittofs-e2e-data-');
  const adminPassword = opts.env?.DITTOFS_ADMIN_INITIAL_PASSWORD ?? `e2e-${randomBytes(12).toString('hex')}`;
  const env: Record<string, string> = {
    ...(process.env as Record<string, string>),
    ...LOOPBACK_LISTENERS,
    DITTOFS_ADMIN_INITIAL_PASSWORD: adminPassword,
    DITTOFS_LOGGING_LEVEL: 'info',
    ...(opts.env ?? {}),
  };
  const [command = process.execPath, ...launcherArgs] = opts.launcher ? [...opts.launcher, process.execPath] : [];
  const child: ChildProcess = spawn(
    command,
    // DITTOFS_E2E_NODE_ARGS: extra node flags for the server, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof".
    [
      ...launcherArgs,
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
    // 'close', not 'exit': the output is complete only once the pipes have closed.
    child.once('close', (code, signal) => resolve(exitCodeOf(code, signal)));
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

  // Every JSON line of stdout, parsed, for waitForLog.
  const records: Record<string, unknown>[] = [];
  const onRecord = new Set<() => void>();
  let pending = '';
  child.stdout?.setEncoding('utf8');
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (d: string) => append(d));
  child.stdout?.on('data', (d: string) => {
    append(d);
    pending += d;
    let nl: number;
    while ((nl = pending.indexOf('\n')) >= 0) {
      const line = pending.slice(0, nl).trim();
      pending = pending.slice(nl + 1);
      if (!line.startsWith('{')) continue;
      try {
        records.push(JSON.parse(line) as Record<string, unknown>);
      } catch {
        continue;
      }
      for (const wake of onRecord) wake();
    }
  });

  const waitForLog: SpawnedDfs['waitForLog'] = (match, timeoutMs = 60_000) =>
    new Promise((resolve, reject) => {
      let seen = 0;
      const finish = (err: Error | undefined, rec?: Record<string, unknown>): void => {
        onRecord.delete(check);
        clearTimeout(timer);
        if (err) reject(err);
        else resolve(rec as Record<string, unknown>);
      };
      const check = (): void => {
        for (; seen < records.length; seen++) {
          const rec = records[seen] as Record<string, unknown>;
          if (match(rec)) return finish(undefined, rec);
        }
      };
      const timer = setTimeout(
        () => finish(new Error(`no matching log line within ${timeoutMs} ms. Output:\n${log}`)),
        timeoutMs,
      );
      onRecord.add(check);
      check();
      void exited.then((code) =>
        finish(new Error(`dfs exited with code ${code} before the log line awaited. Output:\n${log}`)),
      );
    });

  return {
    pid: child.pid ?? -1,
    dataDir,
    adminPassword,
    stdin: child.stdin,
    logs: () => log,
    waitForLog,
    kill: (signal: NodeJS.Signals = 'SIGKILL') => {
      if (exitCode === undefined) child.kill(signal);
    },
    exited,
  };
}

export async function startDfs(opts: StartDfsOptions = {}): Promise<DfsProcess> {
  const proc = spawnDfs(opts);
  const timeoutMs = opts.readyTimeoutMs ?? 60_000;
  let ready: Record<string, unknown>;
  try {
    ready = await proc.waitForLog((rec) => rec.msg === 'ready' && portField(rec, 'nfsPort') !== undefined, timeoutMs);
  } catch (err) {
    proc.kill('SIGKILL');
    throw new Error(`dfs did not log "ready": ${(err as Error).message}`);
  }
  const nfsPort = portField(ready, 'nfsPort') as number;
  const stop = async (timeoutMs = 15_000): Promise<number> => {
    proc.kill('SIGTERM');
    const timer = setTimeout(() => proc.kill('SIGKILL'), timeoutMs);
    const code = await proc.exited;
    clearTimeout(timer);
    return code;
  };
  return {
    pid: proc.pid,
    nfsPort,
    mountPort: portField(ready, 'mountPort') ?? nfsPort,
    smbPort: portField(ready, 'smbPort'),
    apiPort: portField(ready, 'apiPort'),
    metricsPort: portField(ready, 'metricsPort'),
    dataDir: proc.dataDir,
    adminPassword: proc.adminPassword,
    ready,
    stdin: proc.stdin,
    logs: proc.logs,
    stop,
    kill: proc.kill,
    exited: proc.exited,
  };
}
