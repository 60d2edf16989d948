/** dfsctl store: metadata and payload stores, the same commands for either kind. */
import { Option } from 'commander';
import { collect, defined, kv } from '../args.ts';
import { param, sub, type Cli } from '../cli.ts';
import { registerStoreTest } from './store-test.ts';

const STORE_COLS = ['name', 'type', 'usedBy', 'config'];
const KINDS = { metadata: ['memory', 'sqlite', 'postgres'], payload: ['memory', 'fs', 's3'] } as const;
type Kind = keyof typeof KINDS;

export function registerStores(cli: Cli): void {
  const store = sub(cli.program, 'store', 'metadata and payload stores');
  for (const kind of Object.keys(KINDS) as Kind[]) {
    const k = sub(store, kind, `${kind} stores`);
    const opId = <V extends string>(verb: V) => `stores.${kind}.${verb}` as const;
    cli.reads(k, `${kind} store`, { list: opId('list'), get: opId('get') }, 'name', STORE_COLS);
    cli.op(
      sub(k, 'create <name>', `create a ${kind} store`)
        .addOption(new Option('-t, --type <type>', 'backend').choices(KINDS[kind]).makeOptionMandatory())
        .option('--config <key=value>', 'a backend option, e.g. path=/srv/data (repeatable)', collect),
      opId('create'),
      {
        columns: STORE_COLS,
        // The choices above hold the type to the backends of this kind.
        input: (name: string, o: { type: string; config?: string[] }) => ({
          body: defined({ name, type: o.type as never, config: kv(o.config) }),
        }),
      },
    );
    cli.op(
      sub(k, 'update <name>', `replace the options of an unused ${kind} store`).requiredOption(
        '--config <key=value>',
        'a backend option (repeatable)',
        collect,
      ),
      opId('update'),
      {
        input: (name: string, o: { config: string[] }) => ({ params: { name }, body: { config: kv(o.config) ?? {} } }),
      },
    );
    cli.op(sub(k, 'delete <name>', `delete a ${kind} store (refused while a share uses it)`), opId('delete'), {
      input: param('name'),
      done: (name) => `deleted ${kind} store ${name}`,
    });
    cli.op(sub(k, 'health <name>', `open and probe a ${kind} store`), opId('health'), { input: param('name') });
    if (kind === 'payload') registerStoreTest(cli, k);
  }
}
