import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ConfigError, defaultConfigPath, loadConfig } from './load.ts';

let dir: string;
let file: string;

beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'dittofs-config-'));
  file = path.join(dir, 'config.yaml');
  // env-paths honours XDG on Linux only; elsewhere the default-path tests are skipped.
  vi.stubEnv('XDG_CONFIG_HOME', path.join(dir, 'xdg-config'));
  vi.stubEnv('XDG_DATA_HOME', path.join(dir, 'xdg-data'));
});

afterEach(() => {
  vi.unstubAllEnvs();
  rmSync(dir, { recursive: true, force: true });
});

const onLinux = process.platform === 'linux';

function load(yaml: string | undefined, env: NodeJS.ProcessEnv = {}, dataDir?: string) {
  if (yaml !== undefined) writeFileSync(file, yaml);
  return loadConfig({ configPath: file, env, dataDir });
}

function loadError(yaml: string | undefined, env: NodeJS.ProcessEnv = {}): string {
  try {
    load(yaml, env);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    const { message } = err as ConfigError;
    expect(message).not.toContain('\n');
    return message;
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig', () => {
  it.runIf(onLinux)('gives a laptop NAS when there is no config file at all', () => {
    expect(defaultConfigPath()).toBe(path.join(dir, 'xdg-config', 'dittofs', 'config.yaml'));
    const dataDir = path.join(dir, 'xdg-data', 'dittofs');
    expect(loadConfig({ env: {} })).toEqual({
      logging: { level: 'info', format: 'auto' },
      dataDir,
      controlplane: { database: path.join(dataDir, 'controlplane.db'), poolSize: 4, connectTimeoutMs: 10_000 },
      api: { enabled: true, bind: '127.0.0.1', port: 8080 },
      metrics: { enabled: true, bind: '127.0.0.1', port: 9090 },
      nfs: {
        enabled: true,
        bind: '0.0.0.0',
        port: 12049,
        portmapper: { enabled: false, port: 10111 },
        maxRecordSize: 4259840,
        maxConnections: 256,
        maxConnectionsPerClient: 32,
        idleTimeoutMs: 600000,
        recordTimeoutMs: 60000,
        maxPartialRecordBytes: 67108864,
        minVersion: '3',
        maxVersion: '4.2',
      },
      smb: { enabled: true, bind: '0.0.0.0', port: 12445 },
      cache: {
        memoryBytes: 67108864,
        logBytes: 0,
        bypassBytes: 1048576,
        offloadBytes: 0,
        remoteCommitTimeoutMs: 20000,
      },
      shutdownTimeoutMs: 10000,
      health: { databaseCheckMs: 5000 },
      cluster: { heartbeatMs: 5000, downAfterMs: 20000 },
      defaults: { share: '/export', metadataStore: { type: 'sqlite' }, payloadStore: { type: 'fs' } },
    });
  });

  it.runIf(onLinux)('reads the default config file when present', () => {
    mkdirSync(path.dirname(defaultConfigPath()), { recursive: true });
    writeFileSync(defaultConfigPath(), 'api:\n  port: 8181\n');
    expect(loadConfig({ env: {} }).api.port).toBe(8181);
  });

  it('fails for a missing explicit file', () => {
    expect(loadError(undefined)).toBe(`config: ${file}: file not found`);
  });

  it('merges file values over the defaults', () => {
    const config = load('api:\n  port: 8081\nnfs:\n  portmapper:\n    enabled: true\nlogging:\n  format: pretty\n');
    expect(config.api).toEqual({ enabled: true, bind: '127.0.0.1', port: 8081 });
    expect(config.nfs.portmapper).toEqual({ enabled: true, port: 10111 });
    expect(config.logging).toEqual({ level: 'info', format: 'pretty' });
  });

  it('treats an empty file and empty sections as defaults', () => {
    const defaults = load('');
    expect(load('# nothing\n')).toEqual(defaults);
    expect(load('api:\n  # port: 1\nnfs:\n  portmapper:\n')).toEqual(defaults);
  });

  it('resolves paths: dataDir against the file (or cwd for env and option), the database against dataDir', () => {
    expect(load('dataDir: data\n')).toMatchObject({
      dataDir: path.join(dir, 'data'),
      controlplane: { database: path.join(dir, 'data', 'controlplane.db') },
    });
    expect(load('controlplane:\n  database: /var/lib/cp.db\n').controlplane.database).toBe('/var/lib/cp.db');
    const url = 'postgres://dfs@db.example:5432/dittofs';
    expect(load(`controlplane:\n  database: ${url}\n`).controlplane.database).toBe(url);
    expect(load('', { DITTOFS_CONTROLPLANE_DATABASE: url, DITTOFS_CONTROLPLANE_POOL_SIZE: '2' }).controlplane).toEqual({
      database: url,
      poolSize: 2,
      connectTimeoutMs: 10_000,
    });
    expect(load('dataDir: data\n', { DITTOFS_DATA_DIR: 'env-data' }).dataDir).toBe(path.resolve('env-data'));
    expect(load('dataDir: data\n', { DITTOFS_DATA_DIR: '/env' }, '/opt').dataDir).toBe('/opt');
  });

  it('applies DITTOFS_* overrides over the file, coerced to the key type', () => {
    const config = load('api:\n  port: 8081\nsmb:\n  enabled: true\n', {
      DITTOFS_LOGGING_LEVEL: 'debug',
      DITTOFS_API_PORT: '9000',
      DITTOFS_NFS_PORTMAPPER_ENABLED: 'true',
      DITTOFS_SMB_ENABLED: 'FALSE',
      DITTOFS_METRICS_ENABLED: '0',
      DITTOFS_NFS_MAX_RECORD_SIZE: '1048576',
      DITTOFS_SHUTDOWN_TIMEOUT_MS: '500',
      DITTOFS_DEFAULTS_METADATA_STORE_TYPE: 'memory',
      DITTOFS_NFS_BIND: '127.0.0.1',
      DITTOFS_NFS_PORT: '0',
    });
    expect(config).toMatchObject({
      logging: { level: 'debug' },
      api: { port: 9000 },
      metrics: { enabled: false },
      nfs: { bind: '127.0.0.1', port: 0, portmapper: { enabled: true }, maxRecordSize: 1048576 },
      smb: { enabled: false },
      shutdownTimeoutMs: 500,
      defaults: { metadataStore: { type: 'memory' } },
    });
  });

  it('sizes the write path from the environment: the log 0 (automatic) or at least 16 MiB', () => {
    const env = {
      DITTOFS_CACHE_LOG_BYTES: '33554432',
      DITTOFS_CACHE_MEMORY_BYTES: '33554432',
      DITTOFS_CACHE_BYPASS_BYTES: '0',
      DITTOFS_CACHE_REMOTE_COMMIT_TIMEOUT_MS: '5000',
    };
    expect(loadConfig({ env }).cache).toEqual({
      logBytes: 33554432,
      memoryBytes: 33554432,
      bypassBytes: 0,
      offloadBytes: 0,
      remoteCommitTimeoutMs: 5000,
    });
    expect(() => loadConfig({ env: { DITTOFS_CACHE_LOG_BYTES: '4096' } })).toThrow(/expected 0 or at least 16 MiB/);
  });

  it('ignores empty values, secrets and test-harness variables, and other environment variables', () => {
    const defaults = load('');
    expect(
      load('', {
        DITTOFS_API_PORT: '',
        DITTOFS_ADMIN_INITIAL_PASSWORD: 'secret',
        DITTOFS_CONTROLPLANE_SECRET: 'secret',
        DITTOFS_TEST_HOOKS: '1',
        DITTOFS_TEST_PAUSE_AT: 'listening',
        DITTOFS_E2E_KEEP: '1',
        HOME: '/home/x',
      }),
    ).toEqual(defaults);
  });

  describe('errors name the key, the value and what is allowed', () => {
    it.each([
      ['api:\n  port: 70000\n', 'api.port: 70000 is invalid: expected an integer between 0 and 65535'],
      ['api:\n  port: 80.5\n', 'api.port: 80.5 is invalid: expected an integer between 0 and 65535'],
      ['api:\n  enabled: "yes"\n', 'api.enabled: "yes" is invalid: expected true or false'],
      [
        'logging:\n  level: loud\n',
        'logging.level: "loud" is invalid: expected one of trace, debug, info, warn, error, fatal',
      ],
      ['api: 5\n', 'api: 5 is invalid: expected a mapping'],
      ['nfs:\n  bind: ""\n', 'nfs.bind: "" is invalid: expected a non-empty string'],
      ['defaults:\n  share: export\n', 'defaults.share: "export" is invalid: expected a share path such as /export'],
      [
        'defaults:\n  payloadStore:\n    type: ftp\n',
        'defaults.payloadStore.type: "ftp" is invalid: expected one of memory, fs, s3',
      ],
      ['api:\n  prot: 1\n', 'api.prot: unknown key; expected one of enabled, bind, port'],
      [
        'datadir: /x\n',
        'datadir: unknown key; expected one of logging, dataDir, controlplane, api, metrics, nfs, smb, cache, shutdownTimeoutMs, health, cluster, defaults',
      ],
    ])('file %j', (yaml, message) => {
      expect(loadError(yaml)).toBe(`config: ${message} (in ${file})`);
    });

    it.each([
      [{ DITTOFS_API_PORT: 'abc' }, 'DITTOFS_API_PORT="abc": expected a number'],
      [{ DITTOFS_API_PORT: ' ' }, 'DITTOFS_API_PORT=" ": expected a number'],
      [{ DITTOFS_API_PORT: '70000' }, 'DITTOFS_API_PORT="70000": expected an integer between 0 and 65535'],
      [{ DITTOFS_NFS_ENABLED: 'yes' }, 'DITTOFS_NFS_ENABLED="yes": expected true or false'],
      [{ DITTOFS_LOGGING_FORMAT: 'xml' }, 'DITTOFS_LOGGING_FORMAT="xml": expected one of auto, json, pretty'],
      [
        { DITTOFS_API_PROT: '1', DITTOFS_APIPORT: '1' },
        'DITTOFS_APIPORT, DITTOFS_API_PROT: not a configuration key (see dfs init for the keys)',
      ],
      [{ DITTOFS_CONFIG: '/x' }, 'DITTOFS_CONFIG: not a configuration key (see dfs init for the keys)'],
    ])('environment %j', (env, message) => {
      expect(loadError('api:\n  port: 1\n', env)).toBe(`config: ${message}`);
    });

    it('reports a bad --data-dir without blaming the file', () => {
      expect(() => load('', {}, '')).toThrow(
        new ConfigError('config: dataDir: "" is invalid: expected a non-empty string'),
      );
    });

    it('gives file:line:column for YAML syntax errors', () => {
      expect(loadError('api:\n  port: 1\n  port: 2\n')).toBe(
        `config: ${file}:3:3: YAML syntax error: Map keys must be unique`,
      );
      expect(loadError('api: [1,\n')).toMatch(new RegExp(`^config: ${file}:2:1: YAML syntax error: `));
    });

    it('needs a mapping at the top level', () => {
      expect(loadError('- api\n')).toBe(`config: ${file}: expected a mapping of keys at the top level`);
    });
  });
});
