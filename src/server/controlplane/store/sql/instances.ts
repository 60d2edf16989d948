/** The instances table: one row per dfs instance on this database, upserted by its heartbeat. */
import { DittoError } from '../../../../shared/errors.ts';
import type { InstanceRecord } from '../../models.ts';
import type { SqlDatabase } from './database.ts';

interface Row {
  id: string;
  hostname: string;
  addresses: string;
  ports: string;
  version: string;
  started_at: string;
  heartbeat_at: number;
  stopped_at: string | null;
  report: string;
}

const fromRow = (r: Row): InstanceRecord => ({
  id: r.id,
  hostname: r.hostname,
  addresses: JSON.parse(r.addresses) as string[],
  ports: JSON.parse(r.ports) as InstanceRecord['ports'],
  version: r.version,
  startedAt: r.started_at,
  heartbeatAt: Number(r.heartbeat_at),
  stoppedAt: r.stopped_at,
  report: JSON.parse(r.report) as unknown,
});

export async function listInstances(db: SqlDatabase): Promise<InstanceRecord[]> {
  return (await db.all<Row>('SELECT * FROM instances ORDER BY started_at, id')).map(fromRow);
}

/** One statement, outside the writers' lock: a heartbeat never waits for another instance's change. */
export async function putInstance(db: SqlDatabase, i: InstanceRecord): Promise<void> {
  await db.run(
    `INSERT INTO instances (id, hostname, addresses, ports, version, started_at, heartbeat_at, stopped_at, report)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT (id) DO UPDATE SET hostname = excluded.hostname, addresses = excluded.addresses,
       ports = excluded.ports, version = excluded.version, started_at = excluded.started_at,
       heartbeat_at = excluded.heartbeat_at, stopped_at = excluded.stopped_at, report = excluded.report`,
    [
      i.id,
      i.hostname,
      JSON.stringify(i.addresses),
      JSON.stringify(i.ports),
      i.version,
      i.startedAt,
      i.heartbeatAt,
      i.stoppedAt,
      JSON.stringify(i.report ?? null),
    ],
  );
}

export async function deleteInstance(db: SqlDatabase, id: string): Promise<void> {
  if ((await db.run('DELETE FROM instances WHERE id = ?', [id])) === 0) {
    throw new DittoError('NOT_FOUND', `no instance ${id}`);
  }
}
