/** dfsctl adapter: the protocol adapters (NFS, SMB). */
import { collect, defined, intArg, kv } from '../args.ts';
import { sub, type Cli } from '../cli.ts';
import { UsageError } from '../errors.ts';

const ADAPTER_COLS = ['type', 'enabled', 'state', 'bind', 'port', 'boundPort', 'error'];

/** The `type` param, checked before anything is sent. */
function byType(t: string): { params: { type: 'nfs' | 'smb' } } {
  if (t !== 'nfs' && t !== 'smb') throw new UsageError('adapter type must be nfs or smb');
  return { params: { type: t } };
}

export function registerAdapters(cli: Cli): void {
  const adapter = sub(cli.program, 'adapter', 'protocol adapters (NFS, SMB)');
  cli.op(sub(adapter, 'list', 'list adapters with their state'), 'adapters.list', { columns: ADAPTER_COLS });
  cli.op(sub(adapter, 'get <type>', 'status of an adapter'), 'adapters.get', { input: byType });
  cli.op(
    sub(adapter, 'update <type>', 'change an adapter (restarts only that adapter)')
      .option('--port <port>', 'listening port (0 = any free port)', intArg)
      .option('--bind <address>', 'listening address')
      .option('--setting <key=value>', 'an adapter setting (repeatable)', collect),
    'adapters.update',
    {
      columns: ADAPTER_COLS,
      input: (t: string, o: { port?: number; bind?: string; setting?: string[] }) => ({
        ...byType(t),
        body: defined({ port: o.port, bind: o.bind, settings: kv(o.setting) }),
      }),
    },
  );
  cli.op(sub(adapter, 'enable <type>', 'enable and start'), 'adapters.enable', {
    input: byType,
    columns: ADAPTER_COLS,
  });
  cli.op(sub(adapter, 'disable <type>', 'stop and disable'), 'adapters.disable', {
    input: byType,
    columns: ADAPTER_COLS,
  });
}
