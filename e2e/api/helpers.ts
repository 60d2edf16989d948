// Helpers for the control-plane end-to-end tests: raw HTTP against a started `dfs`, token
// forging, the libnfs command-line tools and dfsctl as a child process.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { SignJWT } from 'jose';
import { REPO_ROOT, type DfsProcess } from '../helpers/dfs.ts';
import { LIBNFS_UTILS, unmet } from '../helpers/requirements.ts';
import type { StoreTestDto } from '../../src/shared/api/store-test.ts';

export interface HttpResult {
  status: number;
  headers: Headers;
  text: string;
  body: unknown;
}

export function apiBase(dfs: DfsProcess): string {
  if (!dfs.apiPort) throw new Error('the ready line has no apiPort');
  return `http://127.0.0.1:${dfs.apiPort}`;
}

/** One HTTP request; `body` is sent as JSON unless `raw` is given. */
export async function http(
  base: string,
  method: string,
  url: string,
  opts: { token?: string; body?: unknown; raw?: string; headers?: Record<string, string> } = {},
): Promise<HttpResult> {
  const headers: Record<string, string> = { ...opts.headers };
  if (opts.token) headers['authorization'] = `Bearer ${opts.token}`;
  let payload: string | undefined;
  if (opts.raw !== undefined) {
    payload = opts.raw;
    headers['content-type'] ??= 'application/json';
  } else if (opts.body !== undefined) {
    payload = JSON.stringify(opts.body);
    headers['content-type'] = 'application/json';
  }
  const res = await fetch(base + url, { method, headers, body: payload });
  const text = await res.text();
  let body: unknown = undefined;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    body = undefined;
  }
  return { status: res.status, headers: res.headers, text, body };
}

export interface Tokens {
  accessToken: string;
  refreshToken: string;
  user: { id: string; username: string; passwordChangedAt: string; role: string };
}

export async function login(base: string, username: string, password: string): Promise<Tokens> {
  const r = await http(base, 'POST', '/api/v1/auth/login', { body: { username, password } });
  if (r.status !== 200) throw new Error(`login ${username}: ${r.status} ${r.text}`);
  return r.body as Tokens;
}

/** A token with the server's claims layout, signed with `secret`, valid from `iat` for `ttl` seconds. */
export async function signToken(
  secret: string,
  user: { id: string; passwordChangedAt: string },
  opts: { iat: number; ttl: number; typ?: 'access' | 'refresh' },
): Promise<string> {
  return new SignJWT({ typ: opts.typ ?? 'access', pca: user.passwordChangedAt })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setIssuer('dittofs')
    .setAudience('dittofs-api')
    .setSubject(user.id)
    .setJti(`test-${Math.random().toString(36).slice(2)}`)
    .setIssuedAt(opts.iat)
    .setExpirationTime(opts.iat + opts.ttl)
    .sign(new TextEncoder().encode(secret));
}

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a command to completion (killed after timeoutMs). */
export function run(
  cmd: string,
  args: string[],
  opts: { env?: NodeJS.ProcessEnv; timeoutMs?: number; input?: string } = {},
): Promise<RunResult> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, {
      env: opts.env ?? process.env,
      cwd: REPO_ROOT,
      stdio: [opts.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout?.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr?.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 60_000);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code: code ?? (signal ? 128 : 1), stdout, stderr });
    });
    if (child.stdin) {
      child.stdin.on('error', () => undefined);
      child.stdin.end(opts.input);
    }
  });
}

/** libnfs-utils is installed (a missing one fails the run under CI: requirements.ts). */
export const hasLibnfs = (): boolean => unmet(LIBNFS_UTILS) === null;

/** nfs://127.0.0.1/<share>[/<file>] for libnfs, NFSv3 on the server's ports. */
export function nfsUrl(
  dfs: DfsProcess,
  share: string,
  file?: string,
  port = dfs.nfsPort,
  mountPort = dfs.mountPort,
): string {
  const p = `${share.replace(/^\/+/, '')}${file ? `/${file}` : ''}`;
  return `nfs://127.0.0.1/${p}?nfsport=${port}&mountport=${mountPort}&version=3`;
}

export const DFSCTL = path.join(REPO_ROOT, 'bin', 'dfsctl.js');

/** Parses Prometheus text exposition into sample lines; throws on a malformed line. */
export function parsePrometheus(text: string): Map<string, number> {
  const out = new Map<string, number>();
  const sample =
    /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(?:[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\]|\\.)*",?)*\})?\s+(-?(?:[0-9.]+(?:e[+-]?[0-9]+)?|NaN|\+Inf|-Inf))(?:\s+-?[0-9]+)?$/;
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('# HELP ') || line.startsWith('# TYPE ')) continue;
    if (line.startsWith('#')) continue;
    const m = sample.exec(line);
    if (!m) throw new Error(`not Prometheus text: ${JSON.stringify(line)}`);
    out.set(`${m[1]}${m[2] ?? ''}`, Number(m[3]));
  }
  return out;
}

/** Sum of every sample of a metric (all label sets). */
export function metricSum(samples: Map<string, number>, name: string): number {
  let sum = 0;
  for (const [k, v] of samples) if (k === name || k.startsWith(`${name}{`)) sum += v;
  return sum;
}

/** A store test's stages as `stage:status` words, in order (what a failed expectation prints). */
export const verdicts = (r: StoreTestDto): string => r.stages.map((s) => `${s.stage}:${s.status}`).join(' ');

/**
 * dfsctl against `dfs`, its config under `home` (never the user's), signed in as admin:
 * runs `args` and resolves with what it printed.
 */
export async function adminDfsctl(dfs: DfsProcess, home: string): Promise<(args: string[]) => Promise<RunResult>> {
  const { DFSCTL_CONFIG: _drop, ...rest } = process.env;
  const env = { ...rest, XDG_CONFIG_HOME: home };
  const ctl = (args: string[], input?: string) =>
    run(process.execPath, [DFSCTL, '--server', apiBase(dfs), ...args], { env, input, timeoutMs: 60_000 });
  const login = await ctl(['login', '--username', 'admin', '--password-stdin'], dfs.adminPassword);
  if (login.code !== 0) throw new Error(`dfsctl login failed: ${login.stderr}`);
  return (args) => ctl(args);
}
