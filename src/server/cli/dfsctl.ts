/**
 * dfsctl: the management client. Every command maps onto one API operation (the table in
 * src/shared/api/operations.ts) through the typed HTTP client; credentials live in named
 * contexts (see dfsctl/credentials.ts) and expired access tokens are refreshed on the fly.
 *
 * Exit codes: 0 success, 1 the server refused or failed (one line from its problem
 * detail), 2 bad usage.
 */
import { createInterface } from 'node:readline';
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { ApiError, createHttpClient, peekJwt, type ApiClient } from '../../shared/api/client.ts';
import { EVENT_TOPICS } from '../../shared/api/events.ts';
import { API_PREFIX, EVENTS_PATH, type OperationId, type OpInput, type OpOutput } from '../../shared/api/operations.ts';
import type { TokenPair } from '../../shared/api/schemas.ts';
import { VERSION } from '../version.ts';
import {
  credentialsPath,
  DEFAULT_SERVER,
  loadCredentials,
  saveCredentials,
  type Context,
  type CredentialsFile,
} from './dfsctl/credentials.ts';
import { OUTPUT_FORMATS, render, type OutputFormat } from './dfsctl/output.ts';

const EXIT_API = 1;
const EXIT_USAGE = 2;

class UsageError extends Error {}

function fail(err: unknown): never {
  if (err instanceof ApiError) {
    process.stderr.write(`dfsctl: ${err.oneLine()} (${err.code})\n`);
    process.exit(EXIT_API);
  }
  if (err instanceof UsageError) {
    process.stderr.write(`dfsctl: ${err.message}\n`);
    process.exit(EXIT_USAGE);
  }
  process.stderr.write(`dfsctl: ${(err as Error).message ?? String(err)}\n`);
  process.exit(EXIT_API);
}

// ---------------------------------------------------------------------------------------
// Option parsers
// ---------------------------------------------------------------------------------------

function intArg(v: string): number {
  if (!/^\d+$/.test(v)) throw new InvalidArgumentError('expected a non-negative integer');
  return Number(v);
}
const collect = (v: string, prev: string[] = []): string[] => [...prev, v];
/** key=value pairs; the value is parsed as JSON when it can be (numbers, booleans), else kept as text. */
function kv(pairs: string[] | undefined): Record<string, unknown> | undefined {
  if (!pairs) return undefined;
  const out: Record<string, unknown> = {};
  for (const p of pairs) {
    const i = p.indexOf('=');
    if (i <= 0) throw new UsageError(`expected key=value, got "${p}"`);
    out[p.slice(0, i)] = jsonOrText(p.slice(i + 1));
  }
  return out;
}
function jsonOrText(v: string): unknown {
  try {
    return JSON.parse(v);
  } catch {
    return v;
  }
}
/** Drops undefined fields so PATCH bodies carry only what was given. */
function defined<T extends Record<string, unknown>>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}

// ---------------------------------------------------------------------------------------
// Prompts
// ---------------------------------------------------------------------------------------

async function prompt(question: string, hidden = false): Promise<string> {
  if (!process.stdin.isTTY)
    throw new UsageError(`${question.replace(/:\s*$/, '')} is required (no terminal to ask on)`);
  const rl = createInterface({ input: process.stdin, output: process.stderr, terminal: true });
  if (hidden) {
    const out = rl as unknown as { _writeToOutput: (s: string) => void; output: NodeJS.WriteStream };
    out._writeToOutput = (s: string) => {
      if (s.startsWith(question)) out.output.write(question);
    };
  }
  const answer = await new Promise<string>((resolve) => rl.question(question, resolve));
  rl.close();
  if (hidden) process.stderr.write('\n');
  return answer;
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  return Buffer.concat(chunks)
    .toString('utf8')
    .replace(/\r?\n$/, '');
}

// ---------------------------------------------------------------------------------------
// Session: the selected context and a client that keeps its tokens fresh
// ---------------------------------------------------------------------------------------

interface GlobalOpts {
  server?: string;
  context?: string;
  output: OutputFormat;
}

class Session {
  readonly file: CredentialsFile;
  readonly name: string;
  readonly ctx: Context;

  constructor(readonly opts: GlobalOpts) {
    this.file = loadCredentials();
    this.name = opts.context ?? this.file.current ?? 'default';
    const existing = this.file.contexts[this.name];
    this.ctx = existing ? { ...existing } : { server: opts.server ?? DEFAULT_SERVER };
    if (opts.server) this.ctx.server = opts.server;
  }

  get server(): string {
    return this.ctx.server.replace(/\/+$/, '');
  }

  save(): void {
    this.file.contexts[this.name] = this.ctx;
    this.file.current = this.name;
    saveCredentials(this.file);
  }

  storeTokens(t: TokenPair): void {
    this.ctx.username = t.user.username;
    this.ctx.accessToken = t.accessToken;
    this.ctx.refreshToken = t.refreshToken;
    this.save();
  }

  /** A client without credentials (login, refresh). */
  anonymous(): ApiClient {
    return createHttpClient({ baseUrl: this.server });
  }

  client(): ApiClient {
    return createHttpClient({
      baseUrl: this.server,
      getAccessToken: async () => {
        if (!this.ctx.accessToken && !this.ctx.refreshToken) {
          throw new Error(`not signed in to ${this.server}: run dfsctl login`);
        }
        const exp = this.ctx.accessToken ? peekJwt(this.ctx.accessToken)?.exp : undefined;
        if (exp === undefined || exp * 1000 < Date.now() + 30_000) await this.refresh();
        return this.ctx.accessToken;
      },
      onUnauthorized: () => this.refresh(),
    });
  }

  /** Trades the refresh token for a new pair; false when there is none or it was refused. */
  async refresh(): Promise<boolean> {
    const refreshToken = this.ctx.refreshToken;
    if (!refreshToken) return false;
    try {
      this.storeTokens(await this.anonymous().call('auth.refresh', { body: { refreshToken } }));
      return true;
    } catch (err) {
      if (err instanceof ApiError && err.status === 401) {
        delete this.ctx.accessToken;
        delete this.ctx.refreshToken;
        this.save();
        throw new ApiError({
          type: 'about:blank',
          title: err.title,
          status: 401,
          code: err.code,
          detail: 'session expired: run dfsctl login',
        });
      }
      throw err;
    }
  }
}

// ---------------------------------------------------------------------------------------
// Program
// ---------------------------------------------------------------------------------------

const program = new Command('dfsctl')
  .description('Manage a DittoFS server: users, groups, shares, stores, adapters, settings, mounts')
  .version(VERSION)
  .option('-s, --server <url>', `server URL (default: the context's, else ${DEFAULT_SERVER})`)
  .option('-C, --context <name>', 'credentials context to use (default: the current one)')
  .addOption(new Option('-o, --output <format>', 'output format').choices(OUTPUT_FORMATS).default('table'))
  .showHelpAfterError()
  .exitOverride((err: CommanderError) => {
    process.exit(err.exitCode === 0 ? 0 : EXIT_USAGE);
  });

const globals = (): GlobalOpts => program.opts<GlobalOpts>();
const session = (): Session => new Session(globals());

function print(value: unknown, columns?: string[]): void {
  process.stdout.write(render(value, globals().output, columns));
}

/** Runs one operation with the current session and prints its result. */
async function run<K extends OperationId>(
  op: K,
  input: OpInput<K>,
  show?: { columns?: string[]; done?: string },
): Promise<OpOutput<K>> {
  const result = await session().client().call(op, input);
  if (result === undefined || result === null || (result as unknown) === '') {
    if (show?.done && globals().output === 'table') process.stdout.write(`${show.done}\n`);
  } else {
    print(result, show?.columns);
  }
  return result;
}

function action<A extends unknown[]>(fn: (...args: A) => Promise<unknown>): (...args: A) => Promise<void> {
  return async (...args: A) => {
    try {
      await fn(...args);
    } catch (err) {
      fail(err);
    }
  };
}

// --- login / logout / context / whoami / password --------------------------------------

program
  .command('login')
  .description('sign in and save the tokens in the current (or --context) context')
  .option('-u, --username <name>', 'user name (asked if omitted)')
  .option('-p, --password <password>', 'password (asked if omitted; prefer --password-stdin in scripts)')
  .option('--password-stdin', 'read the password from standard input')
  .option('--new-password <password>', 'the new password, when the server requires a change at first sign-in')
  .action(
    action(async (o: { username?: string; password?: string; passwordStdin?: boolean; newPassword?: string }) => {
      const s = session();
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

program
  .command('logout')
  .description('revoke the refresh token and forget the tokens of the context')
  .action(
    action(async () => {
      const s = session();
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

const context = program.command('context').description(`saved servers and credentials (${credentialsPath()})`);
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
      print(rows, ['current', 'name', 'server', 'username', 'signedIn']);
    }),
  );
context
  .command('use <name>')
  .description('make a context current')
  .action(
    action(async (name: string) => {
      const f = loadCredentials();
      if (!f.contexts[name]) throw new UsageError(`no context "${name}" (dfsctl context list)`);
      f.current = name;
      saveCredentials(f);
      process.stderr.write(`now using context "${name}" (${f.contexts[name].server})\n`);
    }),
  );
context
  .command('delete <name>')
  .description('forget a context')
  .action(
    action(async (name: string) => {
      const f = loadCredentials();
      if (!f.contexts[name]) throw new UsageError(`no context "${name}"`);
      delete f.contexts[name];
      if (f.current === name) delete f.current;
      saveCredentials(f);
    }),
  );

program
  .command('whoami')
  .description('the signed-in user')
  .action(action(() => run('auth.me', {})));

program
  .command('password')
  .description('change your own password')
  .option('--current <password>', 'current password (asked if omitted)')
  .option('--new <password>', 'new password (asked if omitted)')
  .action(
    action(async (o: { current?: string; new?: string }) => {
      const s = session();
      const currentPassword = o.current ?? (await prompt('Current password: ', true));
      const newPassword = o.new ?? (await prompt('New password: ', true));
      s.storeTokens(await s.client().call('auth.changePassword', { body: { currentPassword, newPassword } }));
      process.stderr.write('password changed\n');
    }),
  );

// --- users ----------------------------------------------------------------------------

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
const user = program.command('user').description('users');
user
  .command('list')
  .description('list users')
  .action(action(() => run('users.list', {}, { columns: USER_COLS })));
user
  .command('get <username>')
  .description('show a user')
  .action(action((username: string) => run('users.get', { params: { username } })));
user
  .command('create <username>')
  .description('create a user')
  .option('-p, --password <password>', 'password (asked if omitted)')
  .addOption(new Option('-r, --role <role>', 'role').choices(['admin', 'operator', 'user']))
  .option('--uid <uid>', 'Unix uid (default: next free from 1000)', intArg)
  .option('--gid <gid>', 'Unix gid (default: the uid)', intArg)
  .option('--display-name <name>', 'display name')
  .option('--email <email>', 'e-mail address')
  .option('-g, --group <group>', 'join a group (repeatable)', collect)
  .option('--must-change-password', 'require a new password at first sign-in')
  .option('--disabled', 'create it disabled')
  .action(
    action(
      async (
        username: string,
        o: {
          password?: string;
          role?: 'admin' | 'operator' | 'user';
          uid?: number;
          gid?: number;
          displayName?: string;
          email?: string;
          group?: string[];
          mustChangePassword?: boolean;
          disabled?: boolean;
        },
      ) => {
        const password = o.password ?? (await prompt(`Password for ${username}: `, true));
        return run(
          'users.create',
          {
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
          },
          { columns: USER_COLS },
        );
      },
    ),
  );
user
  .command('update <username>')
  .description('change a user')
  .addOption(new Option('-r, --role <role>', 'role').choices(['admin', 'operator', 'user']))
  .option('--uid <uid>', 'Unix uid', intArg)
  .option('--gid <gid>', 'Unix gid', intArg)
  .option('--display-name <name>', 'display name ("" clears)')
  .option('--email <email>', 'e-mail address ("" clears)')
  .option('--enable', 'enable the user')
  .option('--disable', 'disable the user')
  .option('--must-change-password', 'require a new password at next sign-in')
  .action(
    action(
      async (
        username: string,
        o: {
          role?: 'admin' | 'operator' | 'user';
          uid?: number;
          gid?: number;
          displayName?: string;
          email?: string;
          enable?: boolean;
          disable?: boolean;
          mustChangePassword?: boolean;
        },
      ) =>
        run('users.update', {
          params: { username },
          body: defined({
            role: o.role,
            uid: o.uid,
            gid: o.gid,
            displayName: o.displayName === '' ? null : o.displayName,
            email: o.email === '' ? null : o.email,
            enabled: o.enable ? true : o.disable ? false : undefined,
            mustChangePassword: o.mustChangePassword,
          }),
        }),
    ),
  );
user
  .command('delete <username>')
  .description('delete a user')
  .action(
    action((username: string) => run('users.delete', { params: { username } }, { done: `deleted user ${username}` })),
  );
user
  .command('passwd <username>')
  .description("set a user's password")
  .option('-p, --password <password>', 'new password (asked if omitted)')
  .option('--must-change-password', 'require a new password at next sign-in')
  .action(
    action(async (username: string, o: { password?: string; mustChangePassword?: boolean }) => {
      const password = o.password ?? (await prompt(`New password for ${username}: `, true));
      return run('users.setPassword', {
        params: { username },
        body: defined({ password, mustChangePassword: o.mustChangePassword }),
      });
    }),
  );

// --- groups ---------------------------------------------------------------------------

const GROUP_COLS = ['name', 'gid', 'members'];
const group = program.command('group').description('groups');
group
  .command('list')
  .description('list groups')
  .action(action(() => run('groups.list', {}, { columns: GROUP_COLS })));
group
  .command('get <name>')
  .description('show a group')
  .action(action((name: string) => run('groups.get', { params: { name } })));
group
  .command('create <name>')
  .description('create a group')
  .option('--gid <gid>', 'Unix gid (default: next free from 1000)', intArg)
  .option('-m, --member <username>', 'add a member (repeatable)', collect)
  .action(
    action((name: string, o: { gid?: number; member?: string[] }) =>
      run('groups.create', { body: defined({ name, gid: o.gid, members: o.member }) }),
    ),
  );
group
  .command('update <name>')
  .description('change a group')
  .option('--gid <gid>', 'Unix gid', intArg)
  .action(
    action((name: string, o: { gid?: number }) =>
      run('groups.update', { params: { name }, body: defined({ gid: o.gid }) }),
    ),
  );
group
  .command('delete <name>')
  .description('delete a group')
  .action(action((name: string) => run('groups.delete', { params: { name } }, { done: `deleted group ${name}` })));
group
  .command('add-member <group> <username>')
  .description('add a user to a group')
  .action(action((name: string, username: string) => run('groups.addMember', { params: { name, username } })));
group
  .command('remove-member <group> <username>')
  .description('remove a user from a group')
  .action(action((name: string, username: string) => run('groups.removeMember', { params: { name, username } })));

// --- shares ---------------------------------------------------------------------------

const SHARE_COLS = [
  'name',
  'enabled',
  'protocols',
  'readOnly',
  'metadataStore',
  'payloadStore',
  'squash',
  'allowedNetworks',
  'activeMounts',
];

interface ShareOpts {
  metadataStore?: string;
  payloadStore?: string;
  readOnly?: boolean;
  squash?: 'none' | 'root_to_guest' | 'all_to_guest';
  anonUid?: number;
  anonGid?: number;
  allowedNetwork?: string[];
  nfs?: boolean;
  smb?: boolean;
  guestAccess?: 'none' | 'read' | 'write';
  description?: string;
  enabled?: boolean;
}

function shareOptions(cmd: Command): Command {
  return cmd
    .option('--metadata-store <name>', 'metadata store')
    .option('--payload-store <name>', 'payload store')
    .option('--read-only', 'export read-only')
    .option('--no-read-only', 'export read-write')
    .addOption(
      new Option('--squash <mode>', 'NFS identity squashing').choices(['none', 'root_to_guest', 'all_to_guest']),
    )
    .option('--anon-uid <uid>', 'uid squashed users map to', intArg)
    .option('--anon-gid <gid>', 'gid squashed users map to', intArg)
    .option('--allowed-network <cidr>', 'NFS: a network allowed to mount (repeatable; none = everyone)', collect)
    .option('--nfs', 'serve over NFS')
    .option('--no-nfs', 'do not serve over NFS')
    .option('--smb', 'serve over SMB')
    .option('--no-smb', 'do not serve over SMB')
    .addOption(new Option('--guest-access <access>', 'what guests may do').choices(['none', 'read', 'write']))
    .option('--description <text>', 'description');
}

function shareBody(o: ShareOpts) {
  const protocols = o.nfs !== undefined || o.smb !== undefined ? defined({ nfs: o.nfs, smb: o.smb }) : undefined;
  return defined({
    metadataStore: o.metadataStore,
    payloadStore: o.payloadStore,
    readOnly: o.readOnly,
    squash: o.squash,
    anonUid: o.anonUid,
    anonGid: o.anonGid,
    allowedNetworks: o.allowedNetwork,
    protocols,
    guestAccess: o.guestAccess,
    description: o.description,
    enabled: o.enabled,
  });
}

const share = program.command('share').description('shares');
share
  .command('list')
  .description('list shares')
  .action(action(() => run('shares.list', {}, { columns: SHARE_COLS })));
share
  .command('get <name>')
  .description('show a share')
  .action(action((name: string) => run('shares.get', { params: { name } })));
shareOptions(
  share
    .command('create <name>')
    .description(
      'create a share (served at once), e.g. dfsctl share create /photos --metadata-store m --payload-store p',
    ),
)
  .option('--disabled', 'create it disabled')
  .action(
    action(async (name: string, o: ShareOpts & { disabled?: boolean }) => {
      if (!o.metadataStore || !o.payloadStore)
        throw new UsageError('--metadata-store and --payload-store are required');
      const { metadataStore, payloadStore, ...rest } = shareBody(o);
      return run(
        'shares.create',
        {
          body: {
            name,
            metadataStore: metadataStore as string,
            payloadStore: payloadStore as string,
            ...rest,
            ...(o.disabled && { enabled: false }),
          },
        },
        { columns: SHARE_COLS },
      );
    }),
  );
shareOptions(share.command('update <name>').description('change a share (applied live)')).action(
  action((name: string, o: ShareOpts) => run('shares.update', { params: { name }, body: shareBody(o) })),
);
share
  .command('delete <name>')
  .description('delete a share (its data stays in its stores)')
  .action(action((name: string) => run('shares.delete', { params: { name } }, { done: `deleted share ${name}` })));
share
  .command('enable <name>')
  .description('enable a share')
  .action(action((name: string) => run('shares.enable', { params: { name } }, { columns: SHARE_COLS })));
share
  .command('disable <name>')
  .description("disable a share (ends the share's sessions)")
  .action(action((name: string) => run('shares.disable', { params: { name } }, { columns: SHARE_COLS })));

const permission = share.command('permission').description('per-user and per-group access to a share');
const showPermissions = (v: { entries: unknown[]; effective: unknown[] }) => {
  if (globals().output !== 'table') return print(v);
  process.stdout.write('ENTRIES\n');
  print(v.entries, ['principalType', 'principal', 'access']);
  process.stdout.write('\nEFFECTIVE ACCESS\n');
  print(v.effective, ['username', 'access', 'source']);
};
permission
  .command('list <share>')
  .description('entries and the effective access of every user')
  .action(
    action(async (name: string) =>
      showPermissions(await session().client().call('shares.permissions', { params: { name } })),
    ),
  );
permission
  .command('set <share> <type> <principal> <access>')
  .description('set access: type user|group, access none|read|write')
  .action(
    action(async (name: string, type: string, principal: string, access: string) => {
      if (type !== 'user' && type !== 'group') throw new UsageError('type must be user or group');
      if (access !== 'none' && access !== 'read' && access !== 'write')
        throw new UsageError('access must be none, read or write');
      showPermissions(
        await session()
          .client()
          .call('shares.setPermission', { params: { name, principalType: type, principal }, body: { access } }),
      );
    }),
  );
permission
  .command('delete <share> <type> <principal>')
  .description('remove the entry of a user or group')
  .action(
    action(async (name: string, type: string, principal: string) => {
      if (type !== 'user' && type !== 'group') throw new UsageError('type must be user or group');
      showPermissions(
        await session()
          .client()
          .call('shares.deletePermission', { params: { name, principalType: type, principal } }),
      );
    }),
  );

// --- stores ---------------------------------------------------------------------------

const STORE_COLS = ['name', 'type', 'usedBy', 'config'];
const store = program.command('store').description('metadata and payload stores');
for (const kind of ['metadata', 'payload'] as const) {
  const k = store.command(kind).description(`${kind} stores`);
  const types = kind === 'metadata' ? ['memory', 'sqlite', 'postgres'] : ['memory', 'fs', 's3'];
  k.command('list')
    .description(`list ${kind} stores`)
    .action(
      action(() =>
        run(kind === 'metadata' ? 'stores.metadata.list' : 'stores.payload.list', {}, { columns: STORE_COLS }),
      ),
    );
  k.command('get <name>')
    .description(`show a ${kind} store`)
    .action(
      action((name: string) =>
        run(kind === 'metadata' ? 'stores.metadata.get' : 'stores.payload.get', { params: { name } }),
      ),
    );
  k.command('create <name>')
    .description(`create a ${kind} store`)
    .addOption(new Option('-t, --type <type>', 'backend').choices(types).makeOptionMandatory())
    .option('--config <key=value>', 'a backend option, e.g. path=/srv/data (repeatable)', collect)
    .action(
      action((name: string, o: { type: string; config?: string[] }) => {
        const config = kv(o.config);
        return kind === 'metadata'
          ? run(
              'stores.metadata.create',
              { body: defined({ name, type: o.type as 'memory' | 'sqlite' | 'postgres', config }) },
              { columns: STORE_COLS },
            )
          : run(
              'stores.payload.create',
              { body: defined({ name, type: o.type as 'memory' | 'fs' | 's3', config }) },
              { columns: STORE_COLS },
            );
      }),
    );
  k.command('update <name>')
    .description(`replace the options of an unused ${kind} store`)
    .requiredOption('--config <key=value>', 'a backend option (repeatable)', collect)
    .action(
      action((name: string, o: { config: string[] }) =>
        run(kind === 'metadata' ? 'stores.metadata.update' : 'stores.payload.update', {
          params: { name },
          body: { config: kv(o.config) ?? {} },
        }),
      ),
    );
  k.command('delete <name>')
    .description(`delete a ${kind} store (refused while a share uses it)`)
    .action(
      action((name: string) =>
        run(
          kind === 'metadata' ? 'stores.metadata.delete' : 'stores.payload.delete',
          { params: { name } },
          { done: `deleted ${kind} store ${name}` },
        ),
      ),
    );
  k.command('health <name>')
    .description(`open and probe a ${kind} store`)
    .action(
      action((name: string) =>
        run(kind === 'metadata' ? 'stores.metadata.health' : 'stores.payload.health', { params: { name } }),
      ),
    );
}

// --- adapters -------------------------------------------------------------------------

const ADAPTER_COLS = ['type', 'enabled', 'state', 'bind', 'port', 'boundPort', 'error'];
const adapterType = (t: string): 'nfs' | 'smb' => {
  if (t !== 'nfs' && t !== 'smb') throw new UsageError('adapter type must be nfs or smb');
  return t;
};
const adapter = program.command('adapter').description('protocol adapters (NFS, SMB)');
adapter
  .command('list')
  .description('list adapters with their state')
  .action(action(() => run('adapters.list', {}, { columns: ADAPTER_COLS })));
adapter
  .command('get <type>')
  .description('status of an adapter')
  .action(action((t: string) => run('adapters.get', { params: { type: adapterType(t) } })));
adapter
  .command('update <type>')
  .description('change an adapter (restarts only that adapter)')
  .option('--port <port>', 'listening port (0 = any free port)', intArg)
  .option('--bind <address>', 'listening address')
  .option('--setting <key=value>', 'an adapter setting (repeatable)', collect)
  .action(
    action((t: string, o: { port?: number; bind?: string; setting?: string[] }) =>
      run(
        'adapters.update',
        { params: { type: adapterType(t) }, body: defined({ port: o.port, bind: o.bind, settings: kv(o.setting) }) },
        { columns: ADAPTER_COLS },
      ),
    ),
  );
adapter
  .command('enable <type>')
  .description('enable and start')
  .action(
    action((t: string) => run('adapters.enable', { params: { type: adapterType(t) } }, { columns: ADAPTER_COLS })),
  );
adapter
  .command('disable <type>')
  .description('stop and disable')
  .action(
    action((t: string) => run('adapters.disable', { params: { type: adapterType(t) } }, { columns: ADAPTER_COLS })),
  );

// --- settings, guest ------------------------------------------------------------------

const settings = program.command('settings').description('server settings');
settings
  .command('list')
  .description('all settings')
  .action(action(() => run('settings.list', {}, { columns: ['key', 'value', 'updatedAt'] })));
settings
  .command('get <key>')
  .description('one setting')
  .action(action((key: string) => run('settings.get', { params: { key } })));
settings
  .command('set <key> <value>')
  .description('set a setting (the value is JSON if it parses, else text)')
  .action(
    action((key: string, value: string) =>
      run('settings.set', { params: { key }, body: { value: jsonOrText(value) as never } }),
    ),
  );
settings
  .command('delete <key>')
  .description('reset a setting to its default')
  .action(action((key: string) => run('settings.delete', { params: { key } }, { done: `reset ${key}` })));

const guest = program.command('guest').description('guest (unauthenticated SMB) access');
guest
  .command('get')
  .description('show guest access')
  .action(action(() => run('guest.get', {})));
guest
  .command('update')
  .description('change guest access')
  .option('--enable', 'allow guests')
  .option('--disable', 'refuse guests')
  .option('--uid <uid>', 'uid guests act as', intArg)
  .option('--gid <gid>', 'gid guests act as', intArg)
  .action(
    action((o: { enable?: boolean; disable?: boolean; uid?: number; gid?: number }) =>
      run('guest.update', {
        body: defined({ enabled: o.enable ? true : o.disable ? false : undefined, uid: o.uid, gid: o.gid }),
      }),
    ),
  );

// --- mounts, clients, stats, alerts, events -------------------------------------------

const mount = program.command('mount').description('active mounts and sessions');
mount
  .command('list')
  .description('list mounts')
  .action(
    action(() =>
      run(
        'mounts.list',
        {},
        { columns: ['id', 'protocol', 'clientAddr', 'share', 'user', 'since', 'bytesRead', 'bytesWritten', 'ops'] },
      ),
    ),
  );
mount
  .command('disconnect <id>')
  .description('end a mount')
  .action(action((id: string) => run('mounts.disconnect', { params: { id } })));

const client = program.command('client').description('connected clients');
client
  .command('list')
  .description('list clients')
  .action(
    action(() =>
      run(
        'clients.list',
        {},
        { columns: ['address', 'protocols', 'shares', 'users', 'mounts', 'since', 'bytesRead', 'bytesWritten'] },
      ),
    ),
  );
client
  .command('disconnect <address>')
  .description('end every session of a client')
  .action(action((address: string) => run('clients.disconnect', { params: { address } })));

program
  .command('stats')
  .description('a snapshot of the server')
  .action(action(() => run('stats.get', {})));

const alerts = program.command('alert').description('alerts');
alerts
  .command('list')
  .description('active alerts')
  .action(action(() => run('alerts.list', {}, { columns: ['id', 'level', 'cause', 'message', 'time'] })));
alerts
  .command('dismiss <id>')
  .description('dismiss an alert')
  .action(action((id: string) => run('alerts.dismiss', { params: { id } }, { done: `dismissed ${id}` })));

program
  .command('events')
  .description('print the live event stream (one JSON object per line) until interrupted')
  .option('--topics <list>', `comma-separated: ${EVENT_TOPICS.join(',')}`)
  .option('--count <n>', 'stop after n events', intArg)
  .action(
    action(async (o: { topics?: string; count?: number }) => {
      const s = session();
      let token: string | undefined;
      // A cheap authenticated call refreshes the tokens if needed.
      await s.client().call('auth.me', {});
      token = s.ctx.accessToken;
      const url = `${s.server}${API_PREFIX}${EVENTS_PATH}${o.topics ? `?topics=${encodeURIComponent(o.topics)}` : ''}`;
      const res = await fetch(url, { headers: { authorization: `Bearer ${token}`, accept: 'text/event-stream' } });
      token = undefined;
      if (!res.ok || !res.body) {
        const { problemFrom } = await import('../../shared/api/client.ts');
        throw problemFrom(res.status, await res.json().catch(() => undefined));
      }
      let seen = 0;
      let buf = '';
      const decoder = new TextDecoder();
      for await (const chunk of res.body) {
        buf += decoder.decode(chunk as Uint8Array, { stream: true });
        let i: number;
        while ((i = buf.indexOf('\n\n')) >= 0) {
          const frame = buf.slice(0, i);
          buf = buf.slice(i + 2);
          const data = frame
            .split('\n')
            .filter((l) => l.startsWith('data: '))
            .map((l) => l.slice(6))
            .join('\n');
          if (!data) continue;
          process.stdout.write(`${data}\n`);
          if (o.count !== undefined && ++seen >= o.count) process.exit(0);
        }
      }
    }),
  );

try {
  await program.parseAsync(process.argv);
} catch (err) {
  fail(err);
}
