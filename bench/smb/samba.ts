// Stock Samba 4.17 smbd as the reference SMB server of the benchmark (../shared/PEERS.md):
// a standalone config on 127.0.0.1 and a free high port, every state directory private to
// the instance, one share on a temp dir, and one SMB account mapped to a Unix user
// (created without a home if missing). Needs root and the Debian packages samba and
// samba-common-bin (smbpasswd).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { freePorts, waitForPort } from '../../e2e/helpers/ports.ts';
import { makeTmpDir, removeTmpDir } from '../../e2e/helpers/tmp.ts';

/** The Unix user behind the benchmark's SMB account. */
const UNIX_USER = 'dittofs-bench';

export interface Samba {
  /** smbd's own pid (for CPU sampling). */
  pid: number;
  port: number;
  share: string;
  /** The directory the share serves. */
  dir: string;
  user: string;
  password: string;
  logs: () => string;
  stop: () => Promise<void>;
}

/** Why smbd cannot run here, or null when it can. */
export function sambaUnavailable(): string | null {
  for (const bin of ['smbd', 'smbpasswd', 'useradd']) {
    if (spawnSync('sh', ['-c', `command -v ${bin}`]).status !== 0)
      return `${bin} not found (apt-get install samba samba-common-bin)`;
  }
  if (typeof process.getuid === 'function' && process.getuid() !== 0) return 'smbd needs root here';
  return null;
}

function ensureUnixUser(): void {
  if (spawnSync('id', ['-u', UNIX_USER]).status === 0) return;
  const r = spawnSync('useradd', ['-M', '-s', '/usr/sbin/nologin', UNIX_USER], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`useradd ${UNIX_USER}: ${r.stderr}`);
}

function readPid(file: string): number {
  try {
    return Number(readFileSync(file, 'utf8').trim());
  } catch {
    return 0;
  }
}

export async function startSamba(opts: { share?: string; readyTimeoutMs?: number } = {}): Promise<Samba> {
  const why = sambaUnavailable();
  if (why) throw new Error(`cannot start Samba: ${why}`);
  ensureUnixUser();
  const base = makeTmpDir('dittofs-samba-');
  const share = opts.share ?? 'export';
  const dir = path.join(base, 'share');
  const state = (name: string): string => {
    const d = path.join(base, name);
    mkdirSync(d, { recursive: true });
    return d;
  };
  mkdirSync(dir);
  chmodSync(base, 0o755); // temp dirs are 0700: the share's Unix user could not reach the share
  chmodSync(dir, 0o777);
  const [port] = (await freePorts(1)) as [number];
  const conf = path.join(base, 'smb.conf');
  writeFileSync(
    conf,
    `[global]
  smb ports = ${port}
  interfaces = 127.0.0.1
  bind interfaces only = yes
  disable netbios = yes
  server min protocol = SMB2_02
  server role = standalone server
  passdb backend = tdbsam
  load printers = no
  disable spoolss = yes
  private dir = ${state('private')}
  lock directory = ${state('lock')}
  state directory = ${state('state')}
  cache directory = ${state('cache')}
  pid directory = ${state('pid')}
  ncalrpc dir = ${state('ncalrpc')}
  log file = ${path.join(state('log'), 'log.%m')}
  max log size = 1000
[${share}]
  path = ${dir}
  read only = no
  force user = ${UNIX_USER}
`,
  );
  const password = `Bench-${Math.random().toString(36).slice(2)}`;
  const added = spawnSync('smbpasswd', ['-c', conf, '-s', '-a', UNIX_USER], {
    input: `${password}\n${password}\n`,
    encoding: 'utf8',
  });
  if (added.status !== 0) throw new Error(`smbpasswd: ${added.stdout}${added.stderr}`);

  // Not --no-process-group (PEERS.md): stopping smbd could take this process group down.
  const child: ChildProcess = spawn('smbd', ['-s', conf, '--foreground'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  let done = false;
  const exited = new Promise<void>((resolve) =>
    child.once('exit', () => {
      done = true;
      resolve();
    }),
  );
  const logs = (): string => {
    let l = out;
    for (const f of ['log.smbd', 'log.samba-dcerpcd'])
      try {
        l += readFileSync(path.join(base, 'log', f), 'utf8');
      } catch {
        /* not written */
      }
    return l;
  };
  const stop = async (): Promise<void> => {
    if (!done) {
      child.kill('SIGTERM');
      const t = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(t);
    }
    // samba-dcerpcd outlives smbd (PEERS.md): stop it by its pid file.
    const dcerpcd = readPid(path.join(base, 'pid', 'samba-dcerpcd.pid'));
    if (dcerpcd > 0)
      try {
        process.kill(dcerpcd, 'SIGTERM');
      } catch {
        /* gone */
      }
    if (!process.env.DITTOFS_E2E_KEEP) removeTmpDir(base);
  };
  try {
    await Promise.race([
      waitForPort(port, '127.0.0.1', opts.readyTimeoutMs ?? 20_000),
      exited.then(() => {
        throw new Error('smbd exited during startup');
      }),
    ]);
  } catch (err) {
    const l = logs();
    await stop();
    throw new Error(`Samba did not come up: ${(err as Error).message}\n${l.slice(-4000)}`);
  }
  const pid = child.pid ?? 0;
  return { pid, port, share, dir, user: UNIX_USER, password, logs, stop };
}
