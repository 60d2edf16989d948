// Malformed SMB2 packets (e2e/smb/malformed.py, python3-impacket): a bad protocol id or
// header size, truncated headers and bodies, counts, offsets and lengths pointing past the
// message, a frame length far above the maximum, inside and outside a session. Each gets an
// error status or a closed connection, never a hang or a success; and afterwards the same
// server still serves another client (smbclient) normally.
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../helpers/dfs.ts';
import { IMPACKET, SMBCLIENT, unmet } from '../helpers/requirements.ts';
import { smbAdminArgs, smbPort, smbServerForSuite } from '../helpers/smb.ts';
import { run, tail } from '../nfs/target.ts';

const skip = unmet(IMPACKET) ?? unmet(SMBCLIENT);
const CASES = [
  'bad protocol id',
  'bad header structure size',
  'truncated header',
  'truncated negotiate body',
  'dialect count past the end',
  'unknown command',
  'huge frame length',
  'chained NextCommand out of range',
  'write with data offset past the end',
  'write with a huge length',
  'create with a name past the end',
  'read with a huge length',
  'query info with a bad input buffer',
];

describe.skipIf(skip !== null)('malformed SMB2 packets', () => {
  const dfs = smbServerForSuite();

  it('get an error or a closed connection, and the server keeps serving smbclient', async () => {
    const d = dfs();
    const script = path.join(REPO_ROOT, 'e2e', 'smb', 'malformed.py');
    const { code, output } = await run(
      '/usr/bin/python3',
      [script, String(smbPort(d)), 'admin', d.adminPassword, 'export'],
      120_000,
    );
    const context = `${output}\n--- dfs log (tail) ---\n${tail(d.logs())}`;
    expect(code, context).toBe(0);
    const outcomes = new Map<string, string>();
    for (const line of output.split('\n').filter((l) => l.startsWith('{'))) {
      const { case: name, outcome } = JSON.parse(line) as { case: string; outcome: string };
      outcomes.set(name, outcome);
    }
    expect([...outcomes.keys()], context).toEqual(CASES);
    for (const [name, outcome] of outcomes) {
      // "closed", or an NTSTATUS of severity error (0xC...).
      expect(outcome, `${name}\n${context}`).toMatch(/^(closed|status:0xc[0-9a-f]{7})$/);
    }
    const ls = await run('smbclient', [...smbAdminArgs(d), '-c', 'mkdir still-serving; ls'], 60_000);
    expect(ls.code, ls.output).toBe(0);
    expect(ls.output).toContain('still-serving');
  }, 180_000);
});
