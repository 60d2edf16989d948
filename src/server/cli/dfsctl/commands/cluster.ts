/** dfsctl cluster: every dfs instance on the control-plane database, and forgetting a retired one. */
import type { ClusterDto, InstanceDto } from '../../../../shared/api/cluster.ts';
import { param, sub, type Cli } from '../cli.ts';

const COLUMNS = ['id', 'state', 'address', 'ports', 'version', 'upSince', 'lastSeen', 'sessions', 'health', 'pool'];

/** One table row per instance: the facts a person scans for, the pools as "name total/idle/waiting of max". */
function row(i: InstanceDto): Record<string, unknown> {
  const r = i.report;
  const ports = Object.entries(i.ports)
    .filter(([, p]) => p !== null)
    .map(([k, p]) => `${k}:${String(p)}`)
    .join(' ');
  return {
    id: `${i.id.slice(0, 8)}${i.self ? ' (this)' : ''}`,
    state: i.state,
    address: i.addresses[0] ?? i.hostname,
    ports,
    version: i.version,
    upSince: i.startedAt,
    lastSeen: i.lastSeen,
    sessions: r?.sessions,
    health: r === null ? undefined : r.health.status,
    pool:
      r?.databases
        .map(
          (d) =>
            `${d.name} ${d.pool.total}/${d.pool.idle}/${d.pool.waiting} of ${d.pool.max}${d.error ? ' (unreachable)' : ''}`,
        )
        .join('; ') || undefined,
  };
}

export function registerCluster(cli: Cli): void {
  const cluster = sub(cli.program, 'cluster', 'the dfs instances sharing this control-plane database');
  const show = (view: ClusterDto): void => {
    if (cli.globals().output === 'table') cli.print(view.instances.map(row), COLUMNS);
    else cli.print(view);
  };
  cli.op(cluster, 'cluster.get', { show });
  cli.op(
    sub(cluster, 'list', 'every instance: state, address, version, sessions, health, pool use (total/idle/waiting)'),
    'cluster.get',
    {
      show,
    },
  );
  cli.op(
    sub(cluster, 'forget <id>', 'remove a down or stopped instance (its full id) from the view'),
    'cluster.forget',
    {
      input: param('id'),
      done: (id) => `forgot ${id}`,
    },
  );
}
