/**
 * "Test connection" of a PostgreSQL database (a shared S3 store's block index): connect and
 * run one query within a deadline, on a connection of its own (no pool, nothing retried).
 * The verdict names the server as host:port/database, never the user's password.
 */
import type { PostgresConfig } from './config.ts';

/** host:port/database of a postgres:// URL, without user or password. */
export function postgresWhere(url: string): string {
  const u = new URL(url);
  const host = u.hostname.replace(/^\[|\]$/g, '') || 'localhost';
  const db = decodeURIComponent(u.pathname.replace(/^\//, ''));
  return `${host}:${u.port || '5432'}${db ? `/${db}` : ''}`;
}

/** Why a connection or query failed, in words; `where` is host:port/database. */
function explain(err: unknown, where: string, deadlineMs: number): string {
  const e = err as { code?: string; message?: string; errors?: { code?: string }[] };
  const code = e.code ?? e.errors?.find((x) => x.code !== undefined)?.code;
  const [server = where, db] = where.split('/');
  if (code === 'ECONNREFUSED') return `The block index database at ${server} refused the connection.`;
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN')
    return `There is no host ${server.replace(/:\d+$/, '')} (name not found).`;
  if (code === '28P01' || code === '28000')
    return `The block index database at ${where} refused to sign in: ${e.message}.`;
  if (code === '3D000') return `There is no database ${db ?? ''} at ${server}.`;
  if (/timeout/i.test(e.message ?? ''))
    return `The block index database at ${server} did not answer within ${deadlineMs / 1000} s.`;
  return `The block index database at ${where} cannot be used: ${e.message || code || String(err)}.`;
}

/** Resolves with what was found, or rejects with an Error whose message says why not. */
export async function probePostgres(config: PostgresConfig, deadlineMs: number): Promise<string> {
  const where = postgresWhere(config.url);
  // Loaded here, not at start: a server without PostgreSQL stores should not carry the driver.
  const { default: driver } = await import('pg');
  const client = new driver.Client({
    connectionString: config.url,
    ...(config.password !== undefined ? { password: config.password } : {}),
    ...(config.ssl !== undefined ? { ssl: config.ssl } : {}),
    connectionTimeoutMillis: deadlineMs,
    query_timeout: deadlineMs,
    application_name: 'dittofs-test',
  });
  // A socket error after the verdict must not crash the process.
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.query('SELECT 1');
    return `The block index database at ${where} answers.`;
  } catch (err) {
    throw new Error(explain(err, where, deadlineMs));
  } finally {
    await client.end().catch(() => undefined);
  }
}
