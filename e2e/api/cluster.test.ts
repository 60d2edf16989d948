// The cluster view (issue 16): two dfs processes on one PostgreSQL control-plane database,
// each with its own data dir and ports, list each other (address, ports, version, sessions,
// health, pool use) through either one's API and `dfsctl cluster`; one killed with SIGKILL is
// shown down once it missed its heartbeats (a short DITTOFS_CLUSTER_DOWN_AFTER_MS), comes
// back up as the same instance when restarted on its data dir, and one stopped cleanly is
// shown stopped.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ClusterDto } from '../../src/shared/api/cluster.ts';
import { createTestDatabase, type TestDatabase } from '../../src/server/postgres/testing/database.ts';
import { adminClient } from '../helpers/api.ts';
import { startDfs, type DfsProcess } from '../helpers/dfs.ts';
import { POSTGRESQL, unmet } from '../helpers/requirements.ts';
import { makeTmpDir, removeTmpDir } from '../helpers/tmp.ts';
import { apiBase, DFSCTL, run } from './helpers.ts';

const DOWN_AFTER_MS = 1500;

describe.skipIf(unmet(POSTGRESQL) !== null)('two dfs instances on one PostgreSQL control plane', () => {
  let db: TestDatabase;
  let a: DfsProcess | undefined;
  let b: DfsProcess | undefined;
  const dirA = makeTmpDir('dittofs-cluster-a-');
  const dirB = makeTmpDir('dittofs-cluster-b-');
  const home = makeTmpDir('dittofs-cluster-ctl-');
  const adminPassword = `e2e-${randomBytes(12).toString('hex')}`;
  const start = (dataDir: string): Promise<DfsProcess> =>
    startDfs({
      dataDir,
      env: {
        DITTOFS_CONTROLPLANE_DATABASE: db.url,
        DITTOFS_ADMIN_INITIAL_PASSWORD: adminPassword,
        DITTOFS_CLUSTER_HEARTBEAT_MS: '300',
        DITTOFS_CLUSTER_DOWN_AFTER_MS: String(DOWN_AFTER_MS),
      },
    });
  const view = async (via: DfsProcess): Promise<ClusterDto> => (await adminClient(via)).call('cluster.get', {});
  const until = async (what: string, fn: () => Promise<boolean>): Promise<void> => {
    const deadline = Date.now() + 60_000;
    while (!(await fn())) {
      if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  };

  beforeAll(async () => {
    db = await createTestDatabase();
    a = await start(dirA);
    b = await start(dirB);
  }, 180_000);

  afterAll(async () => {
    await a?.stop();
    await b?.stop();
    await db?.drop();
    for (const d of [dirA, dirB, home]) removeTmpDir(d);
  });

  it('lists both instances through either API, with ports, health and pool use', async () => {
    for (const [via, other] of [
      [a!, b!],
      [b!, a!],
    ] as const) {
      const { instances } = await view(via);
      expect(instances).toHaveLength(2);
      const [self, peer] = instances;
      expect(self!.self).toBe(true);
      expect(peer!.self).toBe(false);
      expect(self!.ports).toMatchObject({ nfs: via.nfsPort, api: via.apiPort });
      expect(peer!.ports).toMatchObject({ nfs: other.nfsPort, api: other.apiPort });
      for (const i of instances) {
        expect(i.state).toBe('up');
        expect(i.version).toMatch(/^\d+\.\d+\.\d+/);
        expect(i.report?.health.status).toBe('ready');
        expect(i.report?.sessions).toBe(0);
        const cp = i.report?.databases.find((d) => d.name === 'controlplane');
        expect(cp?.error).toBeNull();
        expect(cp?.pool.max).toBe(4);
        expect(cp?.pool.total).toBeGreaterThan(0);
      }
    }
  });

  it('prints the instances with dfsctl cluster', async () => {
    const env = { ...process.env, XDG_CONFIG_HOME: home, DFSCTL_CONFIG: '' };
    const server = apiBase(a!);
    const login = await run(
      process.execPath,
      [DFSCTL, '--server', server, 'login', '-u', 'admin', '--password-stdin'],
      { env, input: `${adminPassword}\n` },
    );
    expect(login.code, `${login.stdout}\n${login.stderr}`).toBe(0);
    const r = await run(process.execPath, [DFSCTL, '--server', server, 'cluster'], { env });
    expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(0);
    const { instances } = await view(a!);
    const lines = r.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^ID\s+STATE\s+ADDRESS\s+PORTS/);
    expect(lines).toHaveLength(3);
    expect(lines[1]).toContain(`${instances[0]!.id.slice(0, 8)} (this)`);
    expect(lines[2]).toContain(instances[1]!.id.slice(0, 8));
    expect(r.stdout).toContain(`nfs:${b!.nfsPort}`);
    expect(r.stdout).toMatch(/controlplane \d+\/\d+\/\d+ of 4/);
  });

  it('shows a killed instance down, the same instance up again after its restart, a stopped one stopped', async () => {
    const idB = (await view(b!)).instances.find((i) => i.self)!.id;
    b!.kill('SIGKILL');
    await b!.exited;
    await until('B is shown down', async () => (await view(a!)).instances.find((i) => i.id === idB)?.state === 'down');
    expect((await view(a!)).instances.find((i) => i.self)?.state).toBe('up');

    b = await start(dirB);
    const again = await view(b);
    expect(again.instances.find((i) => i.self)?.id).toBe(idB);
    expect(again.instances).toHaveLength(2);
    await until('A sees B up', async () => (await view(a!)).instances.find((i) => i.id === idB)?.state === 'up');

    const idA = (await view(a!)).instances.find((i) => i.self)!.id;
    await a!.stop();
    a = undefined;
    const seen = (await view(b)).instances.find((i) => i.id === idA);
    expect(seen?.state).toBe('stopped');
  });
});
