/**
 * dfsctl contexts: named servers with the signed-in user's tokens, kept in
 * `<XDG config>/dittofs/dfsctl.json` (or $DFSCTL_CONFIG) with mode 0600.
 */
import { chmodSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import envPaths from 'env-paths';

export interface Context {
  server: string;
  username?: string;
  accessToken?: string;
  refreshToken?: string;
}

export interface CredentialsFile {
  current?: string;
  contexts: Record<string, Context>;
}

export const DEFAULT_SERVER = 'http://127.0.0.1:8080';

export function credentialsPath(env: NodeJS.ProcessEnv = process.env): string {
  const explicit = env['DFSCTL_CONFIG'];
  if (explicit) return path.resolve(explicit);
  return path.join(envPaths('dittofs', { suffix: '' }).config, 'dfsctl.json');
}

export function loadCredentials(file = credentialsPath()): CredentialsFile {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { contexts: {} };
    throw err;
  }
  try {
    const parsed = JSON.parse(text) as Partial<CredentialsFile>;
    return {
      current: parsed.current,
      contexts: parsed.contexts && typeof parsed.contexts === 'object' ? parsed.contexts : {},
    };
  } catch {
    throw new Error(`${file} is not valid JSON: fix or delete it`);
  }
}

/** Writes atomically, readable by the owner only (it holds tokens). */
export function saveCredentials(data: CredentialsFile, file = credentialsPath()): void {
  mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(data, null, 2)}\n`, { mode: 0o600 });
  chmodSync(tmp, 0o600);
  renameSync(tmp, file);
}
