import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Command } from 'commander';
import { stringify } from 'yaml';
import { ConfigError, defaultConfigPath, loadConfig } from '../config/load.ts';
import { shownDatabase, type Config } from '../config/schema.ts';
import { CONFIG_TEMPLATE } from '../config/template.ts';
import { EnvironmentError, StartAborted, startServer, type RunningServer } from '../entry/server.ts';
import { attachTestHooks, pauseAt } from '../entry/test-hooks.ts';
import { Lifecycle } from '../runtime/lifecycle.ts';
import { connectAddresses } from '../runtime/connect.ts';
import { createLogger, logDestination, resolveLogFormat } from '../runtime/logger.ts';
import { urlHost } from '../../shared/connect.ts';
import { formatBanner, type BannerFacts } from './banner.ts';
import { VERSION } from '../version.ts';

/** Exit codes: 1 = runtime failure, 2 = bad configuration or environment. */
const EXIT_CONFIG = 2;

/** The SIGINT/SIGTERM bin/dfs.js held while this code loaded; taking them ends the holding. */
export interface HeldSignals {
  take(): NodeJS.Signals[];
}

function fail(message: string, code: number): never {
  process.stderr.write(`dfs: ${message}\n`);
  process.exit(code);
}

interface GlobalOpts {
  config?: string;
  dataDir?: string;
}

function load(opts: GlobalOpts) {
  try {
    return loadConfig({ configPath: opts.config, dataDir: opts.dataDir, env: process.env });
  } catch (err) {
    if (err instanceof ConfigError) fail(err.message, EXIT_CONFIG);
    throw err;
  }
}

/** The `dfs` command line; `held` are the signals that came before it ran. */
export async function main(argv: string[], held: HeldSignals): Promise<void> {
  const program = new Command('dfs')
    .description('DittoFS: a userspace NAS server (NFS, SMB) with a REST control plane')
    .option('-c, --config <file>', `config file (default ${defaultConfigPath()})`)
    .option('-d, --data-dir <dir>', 'data directory (overrides the config)')
    .showHelpAfterError();
  // Only `start` shuts down on a signal; the other commands get the default action at once.
  program.hook('preAction', (_program, command) => {
    if (command.name() === 'start') return;
    for (const signal of held.take()) process.kill(process.pid, signal);
  });

  program
    .command('start')
    .description('serve in the foreground until SIGINT/SIGTERM')
    .action(() => start(load(program.opts<GlobalOpts>()), held));

  program
    .command('init')
    .description('write a commented default config file')
    .option('-f, --force', 'overwrite an existing file')
    .action((cmdOpts: { force?: boolean }) => {
      const file = program.opts<GlobalOpts>().config ?? defaultConfigPath();
      if (existsSync(file) && !cmdOpts.force) fail(`${file} exists (use --force to overwrite)`, 1);
      mkdirSync(path.dirname(file), { recursive: true });
      writeFileSync(file, CONFIG_TEMPLATE, { mode: 0o600 });
      process.stdout.write(`wrote ${file}\n`);
    });

  const configCmd = program.command('config').description('inspect the configuration');
  configCmd
    .command('show')
    .description('print the effective configuration (file + environment + defaults)')
    .action(() => {
      const config = load(program.opts<GlobalOpts>());
      const database = shownDatabase(config.controlplane.database);
      process.stdout.write(stringify({ ...config, controlplane: { ...config.controlplane, database } }));
    });
  configCmd
    .command('validate')
    .description('check the configuration; exit code 2 if it is invalid')
    .action(() => {
      load(program.opts<GlobalOpts>());
      process.stdout.write('config is valid\n');
    });

  program
    .command('version')
    .description('print the version')
    .action(() => {
      process.stdout.write(`dfs ${VERSION}\n`);
    });

  await program.parseAsync(argv);
}

/** The banner's facts: the web UI at the addresses a browser can use, the ports really bound. */
function bannerFacts(config: Config, server: RunningServer, generatedPassword: string | undefined): BannerFacts {
  const api = server.ports.api;
  const anyAddress = ['0.0.0.0', '::', ''].includes(config.api.bind);
  const hosts = anyAddress
    ? [
        '127.0.0.1',
        ...connectAddresses()
          .slice(0, 1)
          .map((a) => urlHost(a.host)),
      ]
    : [urlHost(config.api.bind)];
  const nfs = server.runtime.adapters.running('nfs');
  const smb = server.runtime.adapters.running('smb');
  return {
    version: VERSION,
    webUi: api ? hosts.map((h) => `http://${h}:${api}/`) : [],
    nfs: nfs ? { port: nfs.port, mountPort: nfs.mountPort ?? nfs.port } : null,
    smb: smb ? { port: smb.port } : null,
    dataDir: config.dataDir,
    generatedPassword,
  };
}

/**
 * `dfs start`: signals are handled before anything starts (with those held before), so a
 * stop request at any moment of start-up ends in the same clean shutdown as later.
 */
async function start(config: Config, held: HeldSignals): Promise<void> {
  const format = resolveLogFormat(config.logging.format);
  const logger = createLogger(config.logging.level, logDestination(format));
  const lifecycle = new Lifecycle(logger, config.shutdownTimeoutMs);
  lifecycle.handleSignals(held.take());
  // On a terminal the generated password goes in the banner; it is printed at once if start-up ends before it.
  let generatedPassword: string | undefined;
  const showPassword = (password: string) =>
    process.stderr.write(
      `dfs: created user "admin" with the generated password: ${password}\n` +
        'dfs: it is shown only this once and must be changed at first login.\n',
    );
  let server: RunningServer;
  try {
    server = await startServer(config, logger, process.env, {
      stopRequested: lifecycle.stopRequested,
      atPoint: pauseAt(process.env, logger, lifecycle),
      onGeneratedAdminPassword: (password) => {
        if (format === 'pretty') generatedPassword = password;
        else showPassword(password);
      },
    });
  } catch (err) {
    if (generatedPassword) showPassword(generatedPassword);
    if (err instanceof StartAborted) process.exit(await lifecycle.serveUntilStop());
    if (err instanceof EnvironmentError) fail(err.message, EXIT_CONFIG);
    logger.fatal({ err: (err as Error).message }, 'start failed');
    process.exit(1);
  }
  if (!lifecycle.stopRequested.aborted) {
    if (process.env['DITTOFS_TEST_HOOKS'] === '1') attachTestHooks(server.runtime, process.stdin, process.stdout);
    logger.info(
      {
        version: VERSION,
        dataDir: config.dataDir,
        nfsPort: server.ports.nfs,
        smbPort: server.ports.smb,
        apiPort: server.ports.api,
        metricsPort: server.ports.metrics,
      },
      'ready',
    );
    if (format === 'pretty') process.stdout.write(formatBanner(bannerFacts(config, server, generatedPassword)));
  } else if (generatedPassword) showPassword(generatedPassword);
  process.exit(await lifecycle.serveUntilStop(server));
}
