// nfs-ganesha (VFS FSAL) as a reference NFSv3 server on 127.0.0.1, for the e2e tests
// (to prove our test clients right) and for the NFS benchmark (the figure to compare with).
//
// NFSv3 needs an rpcbind for ganesha to register with. So that nothing ever opens port 111
// and parallel runs never share registrations, each instance runs in its own mount
// namespace with a private tmpfs /run (its own /run/rpcbind.sock) and an rpcbind in its
// own network namespace; ganesha itself stays in the host network namespace, bound to
// 127.0.0.1 on two free high ports (NFS, and MOUNT: ganesha cannot serve both on one).
// Needs root (unshare) and the Debian packages nfs-ganesha nfs-ganesha-vfs rpcbind.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { freePorts, waitForPort } from '../../e2e/helpers/ports.ts';
import { makeTmpDir, removeTmpDir } from '../../e2e/helpers/tmp.ts';

export interface GaneshaExportSpec {
  /** Path clients mount (NFSv3 MNT path and NFSv4 pseudo path), e.g. "/export". */
  pseudo: string;
  /** Host directory exported; created under the instance's base dir when omitted. */
  dir?: string;
  readOnly?: boolean;
  /** Map uid/gid 0 to the anonymous ids (65534 unless anonUid/anonGid say otherwise). */
  rootSquash?: boolean;
  anonUid?: number;
  anonGid?: number;
  /** Mode of the exported directory (default 0755; a squashed export needs 0777 to be writable). */
  mode?: number;
}

export interface GaneshaExport {
  pseudo: string;
  dir: string;
}

export interface Ganesha {
  /** PID of ganesha.nfsd itself (for RSS sampling). */
  pid: number;
  nfsPort: number;
  mountPort: number;
  baseDir: string;
  exports: GaneshaExport[];
  /** ganesha's own log plus the wrapper's output. */
  logs: () => string;
  stop: () => Promise<void>;
}

/** Why ganesha cannot run here, or null when it can. */
export function ganeshaUnavailable(): string | null {
  for (const bin of ['ganesha.nfsd', 'rpcbind', 'unshare']) {
    const r = spawnSync('sh', ['-c', `command -v ${bin}`], { encoding: 'utf8' });
    if (r.status !== 0) return `${bin} not found (apt-get install nfs-ganesha nfs-ganesha-vfs rpcbind util-linux)`;
  }
  if (!existsSync('/usr/lib/x86_64-linux-gnu/ganesha/libfsalvfs.so') && !existsSync('/usr/lib/ganesha/libfsalvfs.so')) {
    const r = spawnSync(
      'sh',
      ['-c', 'ls /usr/lib/*/ganesha/libfsalvfs.so /usr/lib/ganesha/libfsalvfs.so 2>/dev/null'],
      { encoding: 'utf8' },
    );
    if (!r.stdout.trim()) return 'ganesha VFS FSAL not installed (apt-get install nfs-ganesha-vfs)';
  }
  if (typeof process.getuid === 'function' && process.getuid() !== 0) return 'ganesha needs root (unshare -m, rpcbind)';
  return null;
}

function exportBlock(id: number, e: GaneshaExportSpec, dir: string): string {
  const squash = e.rootSquash ? 'Root_Squash' : 'No_Root_Squash';
  return `EXPORT {
    Export_Id = ${id};
    Path = ${dir};
    Pseudo = ${e.pseudo};
    Protocols = 3, 4;
    Transports = TCP;
    Access_Type = ${e.readOnly ? 'RO' : 'RW'};
    Squash = ${squash};
    Anonymous_Uid = ${e.anonUid ?? 65534};
    Anonymous_Gid = ${e.anonGid ?? 65534};
    SecType = sys;
    FSAL { Name = VFS; }
}
`;
}

// Runs as root inside `unshare -m --propagation private`: private /run, rpcbind in a
// network namespace of its own, ganesha in the foreground; SIGTERM stops both.
const WRAPPER = `
set -u
B="$1"
mount -t tmpfs none /run || exit 90
mkdir -p /run/rpcbind /run/ganesha
unshare --net rpcbind -f > "$B/rpcbind.out" 2>&1 &
RP=$!
echo "$RP" > "$B/rpcbind.pid"
i=0; while [ ! -S /run/rpcbind.sock ] && [ $i -lt 100 ]; do sleep 0.05; i=$((i+1)); done
[ -S /run/rpcbind.sock ] || { echo "rpcbind did not start"; kill $RP; exit 91; }
ganesha.nfsd -F -L "$B/ganesha.log" -f "$B/ganesha.conf" -p "$B/ganesha.pid" > "$B/ganesha.out" 2>&1 &
GP=$!
echo "$GP" > "$B/ganesha.realpid"
stop() { kill -TERM $GP 2>/dev/null; wait $GP; kill -TERM $RP 2>/dev/null; wait $RP; exit 0; }
trap stop TERM INT
wait $GP
rc=$?
kill -TERM $RP 2>/dev/null; wait $RP
exit $rc
`;

// Instances still running when this process exits are killed (by the PIDs they recorded);
// base dirs startGanesha made are removed.
const LIVE = new Map<string, boolean>();
process.once('exit', () => {
  for (const [base, own] of LIVE) {
    for (const f of ['ganesha.realpid', 'rpcbind.pid']) {
      try {
        const pid = Number(readFileSync(path.join(base, f), 'utf8').trim());
        if (pid > 0) process.kill(pid, 'SIGKILL');
      } catch {
        /* gone */
      }
    }
    if (own && !process.env.DITTOFS_E2E_KEEP) removeTmpDir(base);
  }
});

export async function startGanesha(
  opts: { exports?: GaneshaExportSpec[]; baseDir?: string; readyTimeoutMs?: number } = {},
): Promise<Ganesha> {
  const why = ganeshaUnavailable();
  if (why) throw new Error(`cannot start nfs-ganesha: ${why}`);
  const ownBase = opts.baseDir === undefined;
  const baseDir = opts.baseDir ?? makeTmpDir('dittofs-ganesha-');
  mkdirSync(path.join(baseDir, 'state'), { recursive: true });
  const specs = opts.exports ?? [{ pseudo: '/export' }];
  const exports: GaneshaExport[] = specs.map((e, i) => {
    const dir = e.dir ?? path.join(baseDir, `export${i}`);
    mkdirSync(dir, { recursive: true });
    chmodSync(dir, e.mode ?? 0o755); // temp dirs are 0700: other uids could not even look up inside
    return { pseudo: e.pseudo, dir };
  });
  const [nfsPort, mountPort] = (await freePorts(2)) as [number, number];
  const conf = `NFS_CORE_PARAM {
    Bind_addr = 127.0.0.1;
    NFS_Port = ${nfsPort};
    MNT_Port = ${mountPort};
    Protocols = 3, 4;
    Enable_NLM = false;
    Enable_RQUOTA = false;
    Enable_UDP = false;
    Mount_Path_Pseudo = true;
}
NFSV4 {
    Graceless = true;
    RecoveryBackend = fs;
    RecoveryRoot = ${path.join(baseDir, 'state')};
    Minor_Versions = 0, 1, 2;
    Only_Numeric_Owners = true;
}
NFS_KRB5 { Active_krb5 = false; }
${specs.map((e, i) => exportBlock(i + 1, e, exports[i]!.dir)).join('')}
LOG { Default_Log_Level = EVENT; }
`;
  writeFileSync(path.join(baseDir, 'ganesha.conf'), conf);
  const child: ChildProcess = spawn(
    'unshare',
    ['-m', '--propagation', 'private', 'sh', '-c', WRAPPER, 'ganesha-wrapper', baseDir],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let out = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  let done = false;
  LIVE.set(baseDir, ownBase);
  const exited = new Promise<void>((resolve) =>
    child.once('exit', () => {
      done = true;
      LIVE.delete(baseDir);
      resolve();
    }),
  );
  const readFile = (f: string): string => {
    try {
      return readFileSync(path.join(baseDir, f), 'utf8');
    } catch {
      return '';
    }
  };
  const logs = (): string => `${out}${readFile('ganesha.out')}${readFile('ganesha.log')}`;
  const stop = async (): Promise<void> => {
    if (!done) {
      child.kill('SIGTERM');
      const t = setTimeout(() => {
        const gp = Number(readFile('ganesha.realpid').trim());
        const rp = Number(readFile('rpcbind.pid').trim());
        for (const p of [gp, rp])
          if (p > 0)
            try {
              process.kill(p, 'SIGKILL');
            } catch {
              /* gone */
            }
        child.kill('SIGKILL');
      }, 10_000);
      await exited;
      clearTimeout(t);
    }
    if (ownBase && !process.env.DITTOFS_E2E_KEEP) removeTmpDir(baseDir);
  };
  try {
    const timeout = opts.readyTimeoutMs ?? 20_000;
    await Promise.race([
      Promise.all([waitForPort(nfsPort, '127.0.0.1', timeout), waitForPort(mountPort, '127.0.0.1', timeout)]),
      exited.then(() => {
        throw new Error('ganesha exited during startup');
      }),
    ]);
  } catch (err) {
    const l = logs();
    await stop();
    throw new Error(`nfs-ganesha did not come up: ${(err as Error).message}\n${l.slice(-4000)}`);
  }
  const pid = Number(readFile('ganesha.realpid').trim());
  return { pid, nfsPort, mountPort, baseDir, exports, logs, stop };
}
