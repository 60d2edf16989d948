/** Signing in and out, and the signed-in user's own account: login, logout, whoami, password. */
import { createHttpClient } from '../../../../shared/api/client.ts';
import { sub, type Cli } from '../cli.ts';
import { action, UsageError } from '../errors.ts';
import { prompt, readStdin } from '../prompt.ts';

interface LoginOpts {
  username?: string;
  password?: string;
  passwordStdin?: boolean;
  newPassword?: string;
}

/** login, logout. */
export function registerLogin(cli: Cli): void {
  sub(cli.program, 'login', 'sign in and save the tokens in the current (or --context) context')
    .option('-u, --username <name>', 'user name (asked if omitted)')
    .option('-p, --password <password>', 'password (asked if omitted; prefer --password-stdin in scripts)')
    .option('--password-stdin', 'read the password from standard input')
    .option('--new-password <password>', 'the new password, when the server requires a change at first sign-in')
    .action(
      action(async (o: LoginOpts) => {
        const s = cli.session();
        const username = o.username ?? (await prompt('User name: '));
        const password = o.password ?? (o.passwordStdin ? await readStdin() : await prompt('Password: ', true));
        let tokens = await s.anonymous().call('auth.login', { body: { username, password } });
        if (tokens.user.mustChangePassword) {
          const newPassword =
            o.newPassword ??
            (process.stdin.isTTY ? await prompt('A new password is required. New password: ', true) : undefined);
          if (!newPassword) throw new UsageError('the server requires a new password: pass --new-password');
          const authed = createHttpClient({ baseUrl: s.server, getAccessToken: () => tokens.accessToken });
          tokens = await authed.call('auth.changePassword', { body: { currentPassword: password, newPassword } });
        }
        s.storeTokens(tokens);
        process.stderr.write(
          `signed in to ${s.server} as ${tokens.user.username} (${tokens.user.role}); context "${s.name}"\n`,
        );
      }),
    );

  sub(cli.program, 'logout', 'revoke the refresh token and forget the tokens of the context').action(
    action(async () => {
      const s = cli.session();
      const refreshToken = s.ctx.refreshToken;
      if (refreshToken)
        await s
          .anonymous()
          .call('auth.logout', { body: { refreshToken } })
          .catch(() => undefined);
      delete s.ctx.accessToken;
      delete s.ctx.refreshToken;
      s.save();
      process.stderr.write(`signed out of ${s.server}\n`);
    }),
  );
}

/** whoami, password. */
export function registerAccount(cli: Cli): void {
  cli.op(sub(cli.program, 'whoami', 'the signed-in user'), 'auth.me');

  sub(cli.program, 'password', 'change your own password')
    .option('--current <password>', 'current password (asked if omitted)')
    .option('--new <password>', 'new password (asked if omitted)')
    .action(
      action(async (o: { current?: string; new?: string }) => {
        const s = cli.session();
        const currentPassword = o.current ?? (await prompt('Current password: ', true));
        const newPassword = o.new ?? (await prompt('New password: ', true));
        s.storeTokens(await s.client().call('auth.changePassword', { body: { currentPassword, newPassword } }));
        process.stderr.write('password changed\n');
      }),
    );
}
