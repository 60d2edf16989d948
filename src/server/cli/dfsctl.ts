/**
 * dfsctl: the management client. Every command maps onto one API operation (the table in
 * src/shared/api/operations.ts) through the typed HTTP client; credentials live in named
 * contexts (see dfsctl/credentials.ts) and expired access tokens are refreshed on the fly.
 * The commands of each concern are in dfsctl/commands/, what they share in dfsctl/cli.ts.
 *
 * Exit codes: 0 success, 1 the server refused or failed (one line from its problem
 * detail), 2 bad usage.
 */
import { Command, CommanderError, Option } from 'commander';
import { VERSION } from '../version.ts';
import { Cli } from './dfsctl/cli.ts';
import { registerAdapters } from './dfsctl/commands/adapters.ts';
import { registerAccount, registerLogin } from './dfsctl/commands/auth.ts';
import { registerCluster } from './dfsctl/commands/cluster.ts';
import { registerOffloader } from './dfsctl/commands/offloader.ts';
import { registerContext } from './dfsctl/commands/context.ts';
import { registerEvents } from './dfsctl/commands/events.ts';
import { registerGroups } from './dfsctl/commands/groups.ts';
import { registerClients, registerMounts } from './dfsctl/commands/mounts.ts';
import { registerGuest, registerSettings } from './dfsctl/commands/settings.ts';
import { registerShares } from './dfsctl/commands/shares.ts';
import { registerAlerts, registerStats } from './dfsctl/commands/status.ts';
import { registerStores } from './dfsctl/commands/stores.ts';
import { registerUsers } from './dfsctl/commands/users.ts';
import { DEFAULT_SERVER } from './dfsctl/credentials.ts';
import { EXIT_USAGE, fail } from './dfsctl/errors.ts';
import { OUTPUT_FORMATS } from './dfsctl/output.ts';

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

// In the order they are listed in the help.
const cli = new Cli(program);
for (const register of [
  registerLogin, // login, logout
  registerContext,
  registerAccount, // whoami, password
  registerUsers,
  registerGroups,
  registerShares,
  registerStores,
  registerAdapters,
  registerSettings,
  registerGuest,
  registerMounts,
  registerClients,
  registerStats,
  registerAlerts,
  registerCluster,
  registerOffloader,
  registerEvents,
]) {
  register(cli);
}

try {
  await program.parseAsync(process.argv);
} catch (err) {
  fail(err);
}
