// The SMB adapter's connection limits with smbclient (src/server/protocols/smb/server.ts),
// set through the API as an admin would (adapters.update restarts only SMB): with two
// connections per client allowed, a third smbclient is refused while two are connected and
// gets in once one has quit; with a one-second idle timeout, a connection with no file open
// is closed, and one holding a file open (smbclient's `open`) is kept.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiClient } from '../../src/shared/api/client.ts';
import { adminClient } from '../helpers/api.ts';
import { SMBCLIENT, unmet } from '../helpers/requirements.ts';
import { smbServerForSuite } from '../helpers/smb.ts';
import { makeTmpDir, removeTmpDir } from '../helpers/tmp.ts';
import { run, tail } from '../nfs/target.ts';

interface Interactive {
  child: ChildProcessWithoutNullStreams;
  output: () => string;
  /** Sends one command; resolves once `expect` shows up in the output. */
  send(command: string, expected: RegExp): Promise<void>;
}

describe.skipIf(unmet(SMBCLIENT) !== null)('SMB connection limits', () => {
  const dfs = smbServerForSuite();
  const work = makeTmpDir('dittofs-smb-limits-');
  const children: ChildProcessWithoutNullStreams[] = [];
  let api: ApiClient;
  let port = 0;

  const args = (): string[] => ['//127.0.0.1/export', '-p', String(port), '-U', `admin%${dfs().adminPassword}`];
  const context = (out: string): string => `${out}\n--- dfs log (tail) ---\n${tail(dfs().logs())}`;

  /** smbclient at its prompt, its first command queued before it connects (idle is 1 s here). */
  async function interactive(first: string, expected: RegExp): Promise<Interactive> {
    // stdbuf: smbclient's stdout is block-buffered on a pipe; each answer is wanted at once.
    const child = spawn('stdbuf', ['-o0', 'smbclient', ...args()], { cwd: work, stdio: ['pipe', 'pipe', 'pipe'] });
    children.push(child);
    child.stdin.on('error', () => undefined);
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    const client: Interactive = {
      child,
      output: () => output,
      async send(command, wanted) {
        child.stdin.write(`${command}\n`);
        await expect.poll(() => output, { timeout: 20_000, message: context(output) }).toMatch(wanted);
      },
    };
    await client.send(first, expected);
    return client;
  }

  beforeAll(async () => {
    api = await adminClient(dfs());
    const smb = await api.call('adapters.update', {
      params: { type: 'smb' },
      body: { settings: { maxConnectionsPerClient: 2, idleTimeoutMs: 1000 } },
    });
    expect(smb.state).toBe('running');
    port = smb.boundPort ?? 0;
    expect(port).toBeGreaterThan(0);
    writeFileSync(path.join(work, 'hold.txt'), 'held open\n');
    const put = await run('smbclient', [...args(), '-c', 'put hold.txt hold.txt'], 60_000, { cwd: work });
    expect(put.output, context(put.output)).not.toMatch(/NT_STATUS_/);
  }, 120_000);

  afterAll(() => {
    for (const c of children) c.kill('SIGKILL');
    removeTmpDir(work);
  });

  it('refuses a third connection from one client while two are open, and lets it in after one quits', async () => {
    // Each holds a file open, so the idle timeout leaves them be.
    const first = await interactive('open hold.txt', /open file .*hold\.txt/);
    const second = await interactive('open hold.txt', /open file .*hold\.txt/);
    const third = await run('smbclient', [...args(), '-c', 'ls'], 60_000, { cwd: work });
    expect(third.code, context(third.output)).not.toBe(0);
    expect(third.output).toMatch(/NT_STATUS_(CONNECTION_(RESET|DISCONNECTED)|END_OF_FILE|IO_DEVICE_ERROR)/);
    second.child.stdin.end('quit\n');
    await new Promise((resolve) => second.child.once('close', resolve));
    let again = { code: -1, output: '' };
    for (let i = 0; i < 20 && again.code !== 0; i++) {
      again = await run('smbclient', [...args(), '-c', 'ls hold.txt'], 60_000, { cwd: work });
      if (again.code !== 0) await new Promise((resolve) => setTimeout(resolve, 250));
    }
    expect(again.code, context(again.output)).toBe(0);
    first.child.kill('SIGKILL');
  });

  it('closes an idle connection with no file open, and keeps one holding a file open', async () => {
    const idle = await interactive('ls hold.txt', /hold\.txt/);
    const holding = await interactive('open hold.txt', /open file .*hold\.txt/);
    await new Promise((resolve) => setTimeout(resolve, 3000));
    await holding.send('ls hold.txt', /hold\.txt\s+A/);
    expect(holding.output()).not.toMatch(/NT_STATUS_CONNECTION/);
    await idle.send('ls', /NT_STATUS_CONNECTION_DISCONNECTED/);
  });
});
