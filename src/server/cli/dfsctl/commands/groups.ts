/** dfsctl group: groups and their members. */
import { collect, defined, intArg } from '../args.ts';
import { param, sub, type Cli } from '../cli.ts';

const GROUP_COLS = ['name', 'gid', 'members'];

export function registerGroups(cli: Cli): void {
  const group = sub(cli.program, 'group', 'groups');
  cli.reads(group, 'group', { list: 'groups.list', get: 'groups.get' }, 'name', GROUP_COLS);
  cli.op(
    sub(group, 'create <name>', 'create a group')
      .option('--gid <gid>', 'Unix gid (default: next free from 1000)', intArg)
      .option('-m, --member <username>', 'add a member (repeatable)', collect),
    'groups.create',
    {
      input: (name: string, o: { gid?: number; member?: string[] }) => ({
        body: defined({ name, gid: o.gid, members: o.member }),
      }),
    },
  );
  cli.op(sub(group, 'update <name>', 'change a group').option('--gid <gid>', 'Unix gid', intArg), 'groups.update', {
    input: (name: string, o: { gid?: number }) => ({ params: { name }, body: defined({ gid: o.gid }) }),
  });
  cli.op(sub(group, 'delete <name>', 'delete a group'), 'groups.delete', {
    input: param('name'),
    done: (name) => `deleted group ${name}`,
  });
  const member = (name: string, username: string) => ({ params: { name, username } });
  cli.op(sub(group, 'add-member <group> <username>', 'add a user to a group'), 'groups.addMember', { input: member });
  cli.op(sub(group, 'remove-member <group> <username>', 'remove a user from a group'), 'groups.removeMember', {
    input: member,
  });
}
