/** dfsctl user: users. */
import { Option } from 'commander';
import { collect, defined, enabledFlag, intArg } from '../args.ts';
import { param, sub, type Cli } from '../cli.ts';
import { prompt } from '../prompt.ts';

const USER_COLS = [
  'username',
  'role',
  'uid',
  'gid',
  'enabled',
  'groups',
  'smbPassword',
  'mustChangePassword',
  'displayName',
];

type Role = 'admin' | 'operator' | 'user';
const roleOption = () => new Option('-r, --role <role>', 'role').choices(['admin', 'operator', 'user']);

interface CreateOpts {
  password?: string;
  role?: Role;
  uid?: number;
  gid?: number;
  displayName?: string;
  email?: string;
  group?: string[];
  mustChangePassword?: boolean;
  disabled?: boolean;
}

interface UpdateOpts {
  role?: Role;
  uid?: number;
  gid?: number;
  displayName?: string;
  email?: string;
  enable?: boolean;
  disable?: boolean;
  mustChangePassword?: boolean;
}

/** "" clears a text field. */
const orNull = (v: string | undefined) => (v === '' ? null : v);

export function registerUsers(cli: Cli): void {
  const user = sub(cli.program, 'user', 'users');
  cli.reads(user, 'user', { list: 'users.list', get: 'users.get' }, 'username', USER_COLS);

  cli.op(
    sub(user, 'create <username>', 'create a user')
      .option('-p, --password <password>', 'password (asked if omitted)')
      .addOption(roleOption())
      .option('--uid <uid>', 'Unix uid (default: next free from 1000)', intArg)
      .option('--gid <gid>', 'Unix gid (default: the uid)', intArg)
      .option('--display-name <name>', 'display name')
      .option('--email <email>', 'e-mail address')
      .option('-g, --group <group>', 'join a group (repeatable)', collect)
      .option('--must-change-password', 'require a new password at first sign-in')
      .option('--disabled', 'create it disabled'),
    'users.create',
    {
      columns: USER_COLS,
      input: async (username: string, o: CreateOpts) => {
        const password = o.password ?? (await prompt(`Password for ${username}: `, true));
        return {
          body: defined({
            username,
            password,
            role: o.role,
            uid: o.uid,
            gid: o.gid,
            displayName: o.displayName,
            email: o.email,
            groups: o.group,
            mustChangePassword: o.mustChangePassword,
            enabled: o.disabled ? false : undefined,
          }),
        };
      },
    },
  );

  cli.op(
    sub(user, 'update <username>', 'change a user')
      .addOption(roleOption())
      .option('--uid <uid>', 'Unix uid', intArg)
      .option('--gid <gid>', 'Unix gid', intArg)
      .option('--display-name <name>', 'display name ("" clears)')
      .option('--email <email>', 'e-mail address ("" clears)')
      .option('--enable', 'enable the user')
      .option('--disable', 'disable the user')
      .option('--must-change-password', 'require a new password at next sign-in'),
    'users.update',
    {
      input: (username: string, o: UpdateOpts) => ({
        params: { username },
        body: defined({
          role: o.role,
          uid: o.uid,
          gid: o.gid,
          displayName: orNull(o.displayName),
          email: orNull(o.email),
          enabled: enabledFlag(o),
          mustChangePassword: o.mustChangePassword,
        }),
      }),
    },
  );

  cli.op(sub(user, 'delete <username>', 'delete a user'), 'users.delete', {
    input: param('username'),
    done: (username) => `deleted user ${username}`,
  });

  cli.op(
    sub(user, 'passwd <username>', "set a user's password")
      .option('-p, --password <password>', 'new password (asked if omitted)')
      .option('--must-change-password', 'require a new password at next sign-in'),
    'users.setPassword',
    {
      input: async (username: string, o: { password?: string; mustChangePassword?: boolean }) => {
        const password = o.password ?? (await prompt(`New password for ${username}: `, true));
        return { params: { username }, body: defined({ password, mustChangePassword: o.mustChangePassword }) };
      },
    },
  );
}
