import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { isDittoError } from '../../shared/errors.ts';
import { SqliteControlPlaneStore } from '../controlplane/store/sqlite/sqlite.ts';
import { ClusterService, type InstanceFacts } from './cluster.ts';

const logger = pino({ level: 'silent' });
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function setup(downAfterMs = 1000) {
  const store = SqliteControlPlaneStore.open(':memory:');
  const dataDir = mkdtempSync(path.join(tmpdir(), 'dittofs-cluster-'));
  dirs.push(dataDir);
  const facts: InstanceFacts = {
    addresses: () => ['192.0.2.1'],
    ports: () => ({ nfs: 12049, smb: null }),
    report: async () => ({ sessions: 3, health: { status: 'ready', checks: {} }, databases: [] }),
  };
  const options = { dataDir, version: '9.9.9', heartbeatMs: 3_600_000, downAfterMs, startedAt: new Date() };
  return { store, dataDir, facts, options, cluster: new ClusterService(store, facts, logger, options) };
}

describe('ClusterService', () => {
  it('records itself with its report, and keeps its id in the data dir', async () => {
    const { store, dataDir, facts, options, cluster } = setup();
    await cluster.start();
    await cluster.setApiPort(8080);
    const { instances } = await cluster.view();
    expect(instances).toHaveLength(1);
    expect(instances[0]).toMatchObject({
      id: cluster.id,
      self: true,
      state: 'up',
      version: '9.9.9',
      addresses: ['192.0.2.1'],
      ports: { api: 8080, nfs: 12049, smb: null },
      report: { sessions: 3 },
    });
    expect(readFileSync(path.join(dataDir, 'instance-id'), 'utf8').trim()).toBe(cluster.id);
    await cluster.stop();
    expect((await cluster.view()).instances[0]?.state).toBe('stopped');
    // A restart on the same data dir is the same instance.
    expect(new ClusterService(store, facts, logger, options).id).toBe(cluster.id);
  });

  it('shows another instance down once it missed its heartbeats, and forgets only one not up', async () => {
    const { store, cluster } = setup(1000);
    await cluster.start();
    const peer = {
      id: 'peer',
      hostname: 'b',
      addresses: [],
      ports: { api: null, nfs: null, smb: null },
      version: '9.9.9',
      startedAt: new Date().toISOString(),
      stoppedAt: null,
      report: { bogus: true },
    };
    await store.putInstance({ ...peer, heartbeatAt: Date.now() });
    let seen = (await cluster.view()).instances.find((i) => i.id === 'peer');
    expect(seen).toMatchObject({ state: 'up', self: false, report: null });
    const refused = await cluster.forget('peer').catch((e: unknown) => e);
    expect(isDittoError(refused, 'CONFLICT')).toBe(true);

    await store.putInstance({ ...peer, heartbeatAt: Date.now() - 1001 });
    seen = (await cluster.view()).instances.find((i) => i.id === 'peer');
    expect(seen?.state).toBe('down');
    await cluster.forget('peer');
    expect((await cluster.view()).instances.map((i) => i.id)).toEqual([cluster.id]);
    await cluster.stop();
  });
});
