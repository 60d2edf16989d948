/** dfsctl stats and alert: the server's state at a glance. */
import { param, sub, type Cli } from '../cli.ts';

export function registerStats(cli: Cli): void {
  cli.op(sub(cli.program, 'stats', 'a snapshot of the server'), 'stats.get');
}

export function registerAlerts(cli: Cli): void {
  const alerts = sub(cli.program, 'alert', 'alerts');
  cli.op(sub(alerts, 'list', 'active alerts'), 'alerts.list', { columns: ['id', 'level', 'cause', 'message', 'time'] });
  cli.op(sub(alerts, 'dismiss <id>', 'dismiss an alert'), 'alerts.dismiss', {
    input: param('id'),
    done: (id) => `dismissed ${id}`,
  });
}
