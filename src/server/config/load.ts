/**
 * Loads the server configuration: schema defaults, then the YAML file, then `DITTOFS_*`
 * environment variables, then the explicit data directory option (each wins over the
 * previous). Every failure is a ConfigError with a one-line message.
 *
 * Environment: a key path maps to DITTOFS_ + its segments, camelCase split into words,
 * joined by "_" and upper-cased (api.port -> DITTOFS_API_PORT, dataDir -> DITTOFS_DATA_DIR,
 * nfs.portmapper.enabled -> DITTOFS_NFS_PORTMAPPER_ENABLED). Values are coerced to the
 * key's type; booleans accept true/false/1/0; an empty value counts as unset. A DITTOFS_
 * variable that is neither a key nor listed in NON_CONFIG_ENV is an error, so a typo
 * cannot silently leave a default in place.
 *
 * Paths: a relative dataDir is resolved against the config file's directory when it
 * comes from the file, against the working directory otherwise; a relative
 * controlplane.database file against dataDir (a postgres:// URL is kept). The returned
 * paths are absolute.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { LineCounter, parseDocument } from 'yaml';
import { z } from 'zod';
import { defaultConfigPath } from './paths.ts';
import { configSchema, isPostgresUrl, type Config } from './schema.ts';

export { defaultConfigPath };

export class ConfigError extends Error {
  override name = 'ConfigError';
}

export interface LoadConfigOptions {
  /** An explicit file must exist; without one, a missing default file means all defaults. */
  configPath?: string;
  /** From the command line; wins over the file and the environment. */
  dataDir?: string;
  env: NodeJS.ProcessEnv;
}

/** DITTOFS_ variables read elsewhere (secrets, test hooks), not config keys. */
const NON_CONFIG_ENV: readonly string[] = [
  'DITTOFS_ADMIN_INITIAL_PASSWORD',
  'DITTOFS_CONTROLPLANE_SECRET',
  'DITTOFS_TEST_HOOKS',
  'DITTOFS_TEST_PAUSE_AT',
  'DITTOFS_FROM_SOURCE', // bin/load-cli.mjs
];
/** Namespace of the end-to-end test harness. */
const NON_CONFIG_ENV_PREFIX = 'DITTOFS_E2E_';

type Kind = 'number' | 'boolean' | 'string';
type Origin = { env: string; raw: string } | 'option';
type Tree = Record<string, unknown>;

function unwrap(schema: z.core.$ZodType): z.core.$ZodType {
  let s = schema;
  while (s instanceof z.ZodDefault || s instanceof z.ZodPrefault) s = s.unwrap();
  return s;
}

const envName = (keyPath: readonly string[]): string =>
  ['DITTOFS', ...keyPath.map((k) => k.replace(/([a-z0-9])([A-Z])/g, '$1_$2'))].join('_').toUpperCase();

/** Every leaf key of the schema by its environment variable name. */
function envKeys(
  schema: z.core.$ZodType,
  keyPath: string[] = [],
  out = new Map<string, { path: string[]; kind: Kind }>(),
) {
  const s = unwrap(schema);
  if (s instanceof z.ZodObject) {
    for (const [key, child] of Object.entries(s.shape)) envKeys(child, [...keyPath, key], out);
  } else {
    out.set(envName(keyPath), {
      path: keyPath,
      kind: s instanceof z.ZodNumber ? 'number' : s instanceof z.ZodBoolean ? 'boolean' : 'string',
    });
  }
  return out;
}

const ENV_KEYS = envKeys(configSchema);

function coerce(name: string, raw: string, kind: Kind): unknown {
  if (kind === 'number') {
    const n = Number(raw);
    if (raw.trim() === '' || !Number.isFinite(n))
      throw new ConfigError(`config: ${name}=${JSON.stringify(raw)}: expected a number`);
    return n;
  }
  if (kind === 'boolean') {
    const v = raw.toLowerCase();
    if (v === 'true' || v === '1') return true;
    if (v === 'false' || v === '0') return false;
    throw new ConfigError(`config: ${name}=${JSON.stringify(raw)}: expected true or false`);
  }
  return raw;
}

const isTree = (v: unknown): v is Tree => typeof v === 'object' && v !== null && !Array.isArray(v);

/** YAML nulls (`api:` with every child commented out) mean "not set". */
function dropNulls(tree: Tree): Tree {
  return Object.fromEntries(
    Object.entries(tree)
      .filter(([, v]) => v !== null)
      .map(([k, v]) => [k, isTree(v) ? dropNulls(v) : v]),
  );
}

function readFile(file: string, explicit: boolean): Tree {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' && !explicit) return {};
    throw new ConfigError(
      `config: ${file}: ${code === 'ENOENT' ? 'file not found' : `cannot read (${code ?? 'error'})`}`,
    );
  }
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false });
  const [syntax] = doc.errors;
  if (syntax) {
    const { line, col } = lineCounter.linePos(syntax.pos[0]);
    throw new ConfigError(`config: ${file}:${line}:${col}: YAML syntax error: ${syntax.message}`);
  }
  let value: unknown;
  try {
    value = doc.toJS();
  } catch (err) {
    throw new ConfigError(`config: ${file}: ${(err as Error).message}`);
  }
  if (value === null || value === undefined) return {};
  if (!isTree(value)) throw new ConfigError(`config: ${file}: expected a mapping of keys at the top level`);
  return dropNulls(value);
}

/** Sets a leaf, creating missing sections; a non-mapping in the way is left for the schema to report. */
function setAt(tree: Tree, keyPath: readonly string[], value: unknown): void {
  let node = tree;
  for (const key of keyPath.slice(0, -1)) {
    node[key] ??= {};
    const next = node[key];
    if (!isTree(next)) return;
    node = next;
  }
  node[keyPath[keyPath.length - 1]!] = value;
}

function applyEnv(tree: Tree, env: NodeJS.ProcessEnv, origins: Map<string, Origin>): void {
  const unknown: string[] = [];
  for (const [name, raw] of Object.entries(env)) {
    if (!name.startsWith('DITTOFS_') || raw === undefined || raw === '') continue;
    const key = ENV_KEYS.get(name);
    if (key) {
      setAt(tree, key.path, coerce(name, raw, key.kind));
      origins.set(key.path.join('.'), { env: name, raw });
    } else if (!NON_CONFIG_ENV.includes(name) && !name.startsWith(NON_CONFIG_ENV_PREFIX)) {
      unknown.push(name);
    }
  }
  if (unknown.length > 0) {
    throw new ConfigError(`config: ${unknown.sort().join(', ')}: not a configuration key (see dfs init for the keys)`);
  }
}

function allowedKeys(keyPath: readonly PropertyKey[]): string[] {
  let s = unwrap(configSchema);
  for (const key of keyPath) s = unwrap((s as z.ZodObject).shape[String(key)]!);
  return Object.keys((s as z.ZodObject).shape);
}

function show(value: unknown): string {
  const s = JSON.stringify(value) ?? String(value);
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
}

function describeIssue(issue: z.core.$ZodIssue, tree: Tree, origins: Map<string, Origin>, file: string): string {
  if (issue.code === 'unrecognized_keys') {
    const keys = issue.keys.map((k) => [...issue.path, k].join('.')).join(', ');
    return `config: ${keys}: unknown key; expected one of ${allowedKeys(issue.path).join(', ')} (in ${file})`;
  }
  const key = issue.path.join('.');
  const origin = origins.get(key);
  if (origin !== undefined && origin !== 'option') {
    return `config: ${origin.env}=${JSON.stringify(origin.raw)}: ${issue.message}`;
  }
  const value = issue.path.reduce<unknown>((node, k) => (isTree(node) ? node[String(k)] : undefined), tree);
  return `config: ${key}: ${show(value)} is invalid: ${issue.message}${origin === 'option' ? '' : ` (in ${file})`}`;
}

export function loadConfig(opts: LoadConfigOptions): Config {
  const file = path.resolve(opts.configPath ?? defaultConfigPath());
  const tree = readFile(file, opts.configPath !== undefined);
  const origins = new Map<string, Origin>();
  applyEnv(tree, opts.env, origins);
  if (opts.dataDir !== undefined) {
    tree['dataDir'] = opts.dataDir;
    origins.set('dataDir', 'option');
  }

  const parsed = configSchema.safeParse(tree);
  if (!parsed.success) throw new ConfigError(describeIssue(parsed.error.issues[0]!, tree, origins, file));
  const config = parsed.data;
  const dataDirBase = origins.has('dataDir') || tree['dataDir'] === undefined ? process.cwd() : path.dirname(file);
  config.dataDir = path.resolve(dataDirBase, config.dataDir);
  if (!isPostgresUrl(config.controlplane.database)) {
    config.controlplane.database = path.resolve(config.dataDir, config.controlplane.database);
  }
  return config;
}
