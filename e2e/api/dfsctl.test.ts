// dfsctl end to end against a really started `dfs`: sign in, create a store pair, a share
// and a user, list them as a table and as JSON, then mount the new share with nfs-ls;
// credentials stored with mode 0600, expired access tokens refreshed on the fly, one-line
// errors with non-zero exit codes.
import { randomBytes } from 'node:crypto';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDfs, type DfsProcess } from '../helpers/dfs.ts';
import { makeTmpDir, removeTmpDir } from '../helpers/tmp.ts';
import { apiBase, DFSCTL, hasLibnfs, http, login, nfsUrl, run, signToken, type RunResult } from './helpers.ts';

const SECRET = randomBytes(32).toString('hex');
/** What the admin's generated first password is changed to at the first login. */
const ADMIN_PASSWORD = `admin-${randomBytes(8).toString('hex')}`;

describe('dfsctl end to end', () => {
  let dfs: DfsProcess;
  let home = '';
  let env: NodeJS.ProcessEnv = {};
  let generated = '';

  const ctl = (args: string[], input?: string): Promise<RunResult> =>
    run(process.execPath, [DFSCTL, '--server', apiBase(dfs), ...args], { env, input, timeoutMs: 60_000 });
  const ok = async (args: string[], input?: string): Promise<string> => {
    const r = await ctl(args, input);
    expect(r.code, `dfsctl ${args.join(' ')}\n${r.stdout}\n${r.stderr}`).toBe(0);
    return r.stdout;
  };
  const credentialsFile = () => path.join(home, 'dittofs', 'dfsctl.json');

  beforeAll(async () => {
    home = makeTmpDir('dittofs-dfsctl-');
    const { DFSCTL_CONFIG: _drop, ...rest } = process.env;
    env = { ...rest, XDG_CONFIG_HOME: home };
    // No initial password: the server generates one, prints it once, and requires a change at first login.
    dfs = await startDfs({ env: { DITTOFS_CONTROLPLANE_SECRET: SECRET, DITTOFS_ADMIN_INITIAL_PASSWORD: '' } });
    for (let i = 0; i < 50 && !generated; i++) {
      generated = /generated password: (\S+)/.exec(dfs.logs())?.[1] ?? '';
      if (!generated) await new Promise((r) => setTimeout(r, 50));
    }
    expect(generated, dfs.logs()).not.toBe('');
  });

  afterAll(async () => {
    await dfs?.stop();
    removeTmpDir(home);
  });

  it('refuses to work before login, with a one-line error and a non-zero exit', async () => {
    const r = await ctl(['share', 'list']);
    expect(r.code).not.toBe(0);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/not signed in/);
  });

  it('a generated admin password must be changed at the first login', async () => {
    const t = await login(apiBase(dfs), 'admin', generated);
    const r = await http(apiBase(dfs), 'GET', '/api/v1/shares', { token: t.accessToken });
    expect(r.status).toBe(403);
    expect((r.body as { code: string }).code).toBe('PASSWORD_CHANGE_REQUIRED');
    const refused = await ctl(['login', '--username', 'admin', '--password-stdin'], generated);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/new password/);
  });

  it('logs in, creates a store pair, a share and a user, lists them, and the share mounts', async () => {
    await ok(['login', '--username', 'admin', '--password-stdin', '--new-password', ADMIN_PASSWORD], generated);
    const st = statSync(credentialsFile());
    expect(st.mode & 0o777).toBe(0o600);
    expect(readFileSync(credentialsFile(), 'utf8')).not.toContain(ADMIN_PASSWORD);
    expect(readFileSync(credentialsFile(), 'utf8')).not.toContain(generated);

    // Independent commands run side by side to keep the test short.
    await Promise.all([
      ok(['store', 'metadata', 'create', 'ctlmeta', '--type', 'memory']),
      ok(['store', 'payload', 'create', 'ctlpayload', '--type', 'memory']),
      ok(['user', 'create', 'carol', '--password', 'carol-password', '--role', 'operator']),
    ]);
    await ok([
      'share',
      'create',
      '/ctl',
      '--metadata-store',
      'ctlmeta',
      '--payload-store',
      'ctlpayload',
      '--squash',
      'none',
      '--default-access',
      'read',
      '--no-smb',
    ]);

    const [table, sharesJson, usersJson, usersTable] = await Promise.all([
      ok(['share', 'list']),
      ok(['share', 'list', '--output', 'json']),
      ok(['-o', 'json', 'user', 'list']),
      ok(['user', 'list']),
    ]);
    expect(table.split('\n')[0]).toMatch(/^NAME\s+ENABLED\s+PROTOCOLS/);
    expect(table).toMatch(/^\/ctl\s+yes\s+nfs\s/m);
    const shares = JSON.parse(sharesJson) as { name: string; metadataStore: string }[];
    expect(shares.find((s) => s.name === '/ctl')).toMatchObject({ metadataStore: 'ctlmeta', defaultAccess: 'read' });
    const users = JSON.parse(usersJson) as { username: string; role: string }[];
    expect(users.find((u) => u.username === 'carol')).toMatchObject({ role: 'operator' });
    expect(usersTable).toMatch(/^carol\s+operator\s/m);

    if (hasLibnfs()) {
      const ls = await run('nfs-ls', [nfsUrl(dfs, '/ctl')]);
      expect(ls.code, ls.stderr).toBe(0);
    }
  });

  it('reports API errors in one line with exit code 1, usage errors with 2', async () => {
    const [inUse, invalid, usage, uidTaken] = await Promise.all([
      ctl(['store', 'metadata', 'delete', 'ctlmeta']),
      ctl(['user', 'create', 'dave', '--password', 'short']),
      ctl(['share', 'frobnicate']),
      ctl(['user', 'update', 'carol', '--uid', '1000']),
    ]);
    // The admin, the first user, has uid 1000; NFS knows users by uid, so it cannot be shared.
    expect(uidTaken.code).toBe(1);
    expect(uidTaken.stderr.trim()).toMatch(/^dfsctl: uid 1000 is already used by admin.*\(CONFLICT\)$/);
    expect(inUse.code).toBe(1);
    expect(inUse.stderr.trim()).toMatch(/^dfsctl: .*used by \/ctl.*\(IN_USE\)$/);
    expect(invalid.code).toBe(1);
    expect(invalid.stderr.trim()).toMatch(/^dfsctl: .*password.*\(VALIDATION\)$/);
    expect(invalid.stderr).not.toContain('short');
    expect(usage.code).toBe(2);
  });

  it('refreshes an expired access token by itself and keeps the context', async () => {
    const creds = JSON.parse(readFileSync(credentialsFile(), 'utf8')) as {
      current: string;
      contexts: Record<string, { accessToken: string }>;
    };
    const me = JSON.parse(await ok(['whoami', '-o', 'json'])) as { id: string; passwordChangedAt: string };
    const now = Math.floor(Date.now() / 1000);
    creds.contexts[creds.current]!.accessToken = await signToken(SECRET, me, { iat: now - 3600, ttl: 900 });
    writeFileSync(credentialsFile(), JSON.stringify(creds));
    expect(await ok(['share', 'get', '/ctl', '-o', 'json'])).toContain('"/ctl"');
    const after = JSON.parse(readFileSync(credentialsFile(), 'utf8')) as typeof creds;
    expect(after.contexts[after.current]!.accessToken).not.toBe(creds.contexts[creds.current]!.accessToken);
    expect(await ok(['context', 'list'])).toMatch(/^\*\s+default\s+http:\/\/127\.0\.0\.1:\d+\s+admin\s+yes/m);
  });

  it('logout revokes the session', async () => {
    await ok(['logout']);
    const r = await ctl(['share', 'list']);
    expect(r.code).toBe(1);
  });
});
