/**
 * Runs one of the impacket scripts of e2e/smb/ (arguments PORT USER PASSWORD SHARE, then
 * `extraArgs`; one JSON line {"case", "outcome"} per case) against a dfs SMB server as its admin, and returns the
 * outcomes by case with the output and the server's log for failure messages.
 */
import path from 'node:path';
import { REPO_ROOT, type DfsProcess } from './dfs.ts';
import { smbPort } from './smb.ts';
import { run, tail } from '../nfs/target.ts';

export async function impacketCases(
  dfs: DfsProcess,
  script: string,
  extraArgs: string[] = [],
  share = 'export',
): Promise<{ code: number; outcomes: Record<string, string>; context: string }> {
  const file = path.join(REPO_ROOT, 'e2e', 'smb', script);
  const { code, output } = await run(
    '/usr/bin/python3',
    [file, String(smbPort(dfs)), 'admin', dfs.adminPassword, share, ...extraArgs],
    60_000,
  );
  const outcomes: Record<string, string> = {};
  for (const line of output.split('\n').filter((l) => l.startsWith('{'))) {
    const { case: name, outcome } = JSON.parse(line) as { case: string; outcome: string };
    outcomes[name] = outcome;
  }
  return { code, outcomes, context: `${output}\n--- dfs log (tail) ---\n${tail(dfs.logs())}` };
}
