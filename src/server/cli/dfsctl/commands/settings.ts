/** dfsctl settings and guest: server settings, and guest (unauthenticated SMB) access. */
import { defined, enabledFlag, intArg, jsonOrText } from '../args.ts';
import { param, sub, type Cli } from '../cli.ts';

export function registerSettings(cli: Cli): void {
  const settings = sub(cli.program, 'settings', 'server settings');
  cli.op(sub(settings, 'list', 'all settings'), 'settings.list', { columns: ['key', 'value', 'updatedAt'] });
  cli.op(sub(settings, 'get <key>', 'one setting'), 'settings.get', { input: param('key') });
  cli.op(
    sub(settings, 'set <key> <value>', 'set a setting (the value is JSON if it parses, else text)'),
    'settings.set',
    {
      input: (key: string, value: string) => ({ params: { key }, body: { value: jsonOrText(value) as never } }),
    },
  );
  cli.op(sub(settings, 'delete <key>', 'reset a setting to its default'), 'settings.delete', {
    input: param('key'),
    done: (key) => `reset ${key}`,
  });
}

export function registerGuest(cli: Cli): void {
  const guest = sub(cli.program, 'guest', 'guest (unauthenticated SMB) access');
  cli.op(sub(guest, 'get', 'show guest access'), 'guest.get');
  cli.op(
    sub(guest, 'update', 'change guest access')
      .option('--enable', 'allow guests')
      .option('--disable', 'refuse guests')
      .option('--uid <uid>', 'uid guests act as', intArg)
      .option('--gid <gid>', 'gid guests act as', intArg),
    'guest.update',
    {
      input: (o: { enable?: boolean; disable?: boolean; uid?: number; gid?: number }) => ({
        body: defined({ enabled: enabledFlag(o), uid: o.uid, gid: o.gid }),
      }),
    },
  );
}
