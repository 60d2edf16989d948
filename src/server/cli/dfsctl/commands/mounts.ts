/** dfsctl mount and client: active mounts and sessions, and the clients behind them. */
import { param, sub, type Cli } from '../cli.ts';

export function registerMounts(cli: Cli): void {
  const mount = sub(cli.program, 'mount', 'active mounts and sessions');
  cli.op(sub(mount, 'list', 'list mounts'), 'mounts.list', {
    columns: ['id', 'protocol', 'clientAddr', 'share', 'user', 'since', 'bytesRead', 'bytesWritten', 'ops'],
  });
  cli.op(sub(mount, 'disconnect <id>', 'end a mount'), 'mounts.disconnect', { input: param('id') });
}

export function registerClients(cli: Cli): void {
  const client = sub(cli.program, 'client', 'connected clients');
  cli.op(sub(client, 'list', 'list clients'), 'clients.list', {
    columns: ['address', 'protocols', 'shares', 'users', 'mounts', 'since', 'bytesRead', 'bytesWritten'],
  });
  cli.op(sub(client, 'disconnect <address>', 'end every session of a client'), 'clients.disconnect', {
    input: param('address'),
  });
}
