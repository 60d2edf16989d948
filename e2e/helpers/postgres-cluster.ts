/**
 * A PostgreSQL server of the test's own (initdb under a temp dir, its own port, trust auth
 * on loopback), so a test may stop and restart it without disturbing tests that share the
 * machine's server at 127.0.0.1:5432. Under root the server runs as the `postgres` user
 * (PostgreSQL refuses to run as root).
 */
import { execFile, spawnSync } from 'node:child_process';
import { chmodSync, chownSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { freePort } from './ports.ts';
import { postgresBinDir } from './requirements.ts';
import { makeTmpDir, removeTmpDir } from './tmp.ts';

const run = promisify(execFile);

const asRoot = process.getuid?.() === 0;

export interface PostgresCluster {
  /** postgres://postgres@127.0.0.1:PORT (append /DATABASE). */
  serverUrl: string;
  port: number;
  /** Fast shutdown: every connection is closed. */
  stop(): Promise<void>;
  start(): Promise<void>;
  /** Stops the server and removes its files. */
  destroy(): Promise<void>;
}

export async function startPostgresCluster(): Promise<PostgresCluster> {
  const bin = postgresBinDir();
  if (bin === undefined) throw new Error('initdb not found under /usr/lib/postgresql');
  const dir = makeTmpDir('dittofs-pgcluster-');
  const data = path.join(dir, 'data');
  const port = await freePort();
  if (asRoot) {
    chownSync(
      dir,
      Number(spawnSync('id', ['-u', 'postgres']).stdout),
      Number(spawnSync('id', ['-g', 'postgres']).stdout),
    );
    chmodSync(dir, 0o700);
  }
  const tool = async (name: string, args: string[]): Promise<void> => {
    const cmd = path.join(bin, name);
    if (asRoot) await run('runuser', ['-u', 'postgres', '--', cmd, ...args], { timeout: 120_000 });
    else await run(cmd, args, { timeout: 120_000 });
  };
  await tool('initdb', ['-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--locale=C', '-N']);
  // fsync off: the test proves dfs's behaviour, not PostgreSQL's durability, on a loaded machine.
  const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=50`;
  const start = () =>
    tool('pg_ctl', ['-D', data, '-o', options, '-l', path.join(dir, 'log'), '-w', '-t', '60', 'start']);
  const stop = () => tool('pg_ctl', ['-D', data, '-m', 'fast', '-w', '-t', '60', 'stop']);
  await start();
  return {
    serverUrl: `postgres://postgres@127.0.0.1:${port}`,
    port,
    start,
    stop,
    destroy: async () => {
      await stop().catch(() => undefined);
      removeTmpDir(dir);
    },
  };
}
