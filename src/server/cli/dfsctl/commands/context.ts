/** dfsctl context: the saved servers and credentials (credentials.ts). */
import { sub, type Cli } from '../cli.ts';
import { credentialsPath, loadCredentials, saveCredentials } from '../credentials.ts';
import { action, UsageError } from '../errors.ts';

export function registerContext(cli: Cli): void {
  const context = sub(cli.program, 'context', `saved servers and credentials (${credentialsPath()})`);
  context
    .command('list', { isDefault: true })
    .description('list contexts')
    .action(
      action(async () => {
        const f = loadCredentials();
        const rows = Object.entries(f.contexts).map(([name, c]) => ({
          current: name === f.current ? '*' : '',
          name,
          server: c.server,
          username: c.username,
          signedIn: Boolean(c.refreshToken),
        }));
        cli.print(rows, ['current', 'name', 'server', 'username', 'signedIn']);
      }),
    );
  sub(context, 'use <name>', 'make a context current').action(
    action(async (name: string) => {
      const f = loadCredentials();
      if (!f.contexts[name]) throw new UsageError(`no context "${name}" (dfsctl context list)`);
      f.current = name;
      saveCredentials(f);
      process.stderr.write(`now using context "${name}" (${f.contexts[name].server})\n`);
    }),
  );
  sub(context, 'delete <name>', 'forget a context').action(
    action(async (name: string) => {
      const f = loadCredentials();
      if (!f.contexts[name]) throw new UsageError(`no context "${name}"`);
      delete f.contexts[name];
      if (f.current === name) delete f.current;
      saveCredentials(f);
    }),
  );
}
