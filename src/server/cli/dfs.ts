import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Command } from 'commander';
import { stringify } from 'yaml';
import { ConfigError, defaultConfigPath, loadConfig } from '../config/load.ts';
import { CONFIG_TEMPLATE } from '../config/template.ts';
import { DataDirError, startServer } from '../entry/server.ts';
import { attachTestHooks } from '../entry/test-hooks.ts';
import { serveUntilSignal } from '../runtime/lifecycle.ts';
import { createLogger } from '../runtime/logger.ts';
import { VERSION } from '../version.ts';

/** Exit codes: 1 = runtime failure, 2 = bad configuration or environment. */
const EXIT_CONFIG = 2;

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

const program = new Command('dfs')
  .description('DittoFS: a userspace NAS server (NFS, SMB) with a REST control plane')
  .option('-c, --config <file>', `config file (default ${defaultConfigPath()})`)
  .option('-d, --data-dir <dir>', 'data directory (overrides the config)')
  .showHelpAfterError();

program
  .command('start')
  .description('serve in the foreground until SIGINT/SIGTERM')
  .action(async () => {
    const config = load(program.opts<GlobalOpts>());
    const logger = createLogger(config.logging.level);
    let server;
    try {
      server = await startServer(config, logger, process.env);
    } catch (err) {
      if (err instanceof DataDirError) fail(err.message, EXIT_CONFIG);
      logger.fatal({ err: (err as Error).message }, 'start failed');
      process.exit(1);
    }
    if (server.generatedAdminPassword) {
      process.stderr.write(
        `dfs: created user "admin" with the generated password: ${server.generatedAdminPassword}\n` +
          'dfs: it is shown only this once and must be changed at first login.\n',
      );
    }
    if (process.env['DITTOFS_TEST_HOOKS'] === '1') attachTestHooks(server.runtime, process.stdin, process.stdout);
    logger.info(
      {
        version: VERSION,
        dataDir: config.dataDir,
        nfsPort: server.ports.nfs,
        apiPort: server.ports.api,
        metricsPort: server.ports.metrics,
      },
      'ready',
    );
    process.exit(await serveUntilSignal(server, logger, config.shutdownTimeoutMs));
  });

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
    process.stdout.write(stringify(load(program.opts<GlobalOpts>())));
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

await program.parseAsync(process.argv);
