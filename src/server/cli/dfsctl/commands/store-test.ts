/**
 * dfsctl store payload test: checks S3 options in stages before they are saved (or the
 * saved options of a store, by name). Exits 1 when a stage failed.
 */
import { Option, type Command } from 'commander';
import { collect, defined, kv } from '../args.ts';
import { sub, type Cli } from '../cli.ts';
import { EXIT_API, UsageError } from '../errors.ts';

export function registerStoreTest(cli: Cli, payload: Command): void {
  cli.op(
    sub(
      payload,
      'test [name]',
      'test S3 options in stages: reach, sign in, list, put, get, delete (the saved options of store <name> without --config; ******** stands for its saved secret)',
    )
      .addOption(new Option('-t, --type <type>', 'backend').choices(['s3']).default('s3'))
      .option('--config <key=value>', 'a backend option, e.g. bucket=photos (repeatable)', collect),
    'stores.payload.test',
    {
      input: async (name: string | undefined, o: { type: 's3'; config?: string[] }) => {
        const given = kv(o.config);
        if (given !== undefined) return { body: defined({ name, type: o.type, config: given }) };
        if (name === undefined)
          throw new UsageError('give the options (--config key=value ...) or the name of a saved store');
        const saved = await cli.session().client().call('stores.payload.get', { params: { name } });
        return { body: { name, type: saved.type, config: saved.config } };
      },
      show: (result) => {
        cli.print(cli.globals().output === 'table' ? result.stages : result, ['stage', 'status', 'message', 'ms']);
        if (!result.ok) process.exitCode = EXIT_API;
      },
    },
  );
}
