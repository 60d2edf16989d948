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
      sub(
        k,
        'update <name>',
        `change options of a ${kind} store (unused; an S3 store's keys and endpoint even in use)`,
      ).requiredOption('--config <key=value>', 'an option to change, the others kept (repeatable)', collect),
      opId('update'),
      {
        // The saved options with the given ones changed; a hidden secret stands for the saved one.
        input: async (name: string, o: { config: string[] }) => {
          const saved = await cli.session().client().call(opId('get'), { params: { name } });
          return { params: { name }, body: { config: { ...saved.config, ...kv(o.config) } } };
        },
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
