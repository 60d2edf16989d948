// Samba's own SMB2 lock tests (smbtorture smb2.lock) against dfs: byte ranges, stacking,
// zero-length locks, unlock order, read/write against locks, and the blocking (pending)
// locks of the one lock manager — async, contend, cancel (CANCEL, unlock, CLOSE), cancel by
// tree disconnect and by logoff. Only the replay_* subtests (durable and resilient handles,
// not built) may fail; stock Samba passes the rest here.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOOPBACK_WITH_SMB, startDfs, type DfsProcess } from '../helpers/dfs.ts';
import { SMBTORTURE, unmet } from '../helpers/requirements.ts';
import { run, tail } from '../nfs/target.ts';

const skip = unmet(SMBTORTURE);
const NOT_BUILT = ['replay_smb3_specification_durable', 'replay_broken_windows'];
const MUST_PASS = [
  'lock',
  'range',
  'stacking',
  'zerobytelength',
  'async',
  'contend',
  'cancel',
  'cancel-tdis',
  'cancel-logoff',
];

describe.skipIf(skip !== null)('smbtorture smb2.lock', () => {
  let dfs: DfsProcess | undefined;

  beforeAll(async () => {
    dfs = await startDfs({ env: LOOPBACK_WITH_SMB });
  }, 120_000);

  afterAll(async () => {
    await dfs?.stop();
  });

  it('passes every subtest but the durable-handle replays', async () => {
    const d = dfs!;
    const args = ['//127.0.0.1/export', '-p', String(d.smbPort), '-U', `admin%${d.adminPassword}`];
    const { output } = await run('smbtorture', [...args, '-T', 'samba3', 'smb2.lock', '--format=subunit'], 300_000);
    const results = new Map<string, string>();
    for (const m of output.matchAll(/^(success|failure|error|skip): (\S+)/gm)) results.set(m[2]!, m[1]!);
    const context = `${output}\n--- dfs log (tail) ---\n${tail(d.logs())}`;
    const failed = [...results].filter(([name, r]) => (r === 'failure' || r === 'error') && !NOT_BUILT.includes(name));
    expect(failed, context).toEqual([]);
    for (const name of MUST_PASS) expect(results.get(name), `${name}\n${context}`).toBe('success');
  }, 360_000);
});
