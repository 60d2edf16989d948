// NFSv3 is stateless: a client keeps its file handles across a server restart and expects
// them to work (no NFS3ERR_STALE), data written FILE_SYNC to be there, and the WRITE
// verifier to change so it knows to resend writes that were never committed.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LIBNFS_DEV, unmet } from '../helpers/requirements.ts';
import path from 'node:path';
import { makeTmpDir, removeTmpDir } from '../helpers/tmp.ts';
import { buildLibnfsProgram, failLines, run, serverKinds, startTarget, tail, type NfsTarget } from './target.ts';

describe.skipIf(unmet(LIBNFS_DEV) !== null).each(serverKinds())('NFSv3 handles across a restart of %s', (kind) => {
  let target: NfsTarget | undefined;
  let client = '';
  let dir = '';

  beforeAll(async () => {
    dir = makeTmpDir('dittofs-restart-handles-');
    client = buildLibnfsProgram('e2e/nfs/libnfs-client.c', 'nfsclient');
    target = await startTarget(kind);
  }, 120_000);

  afterAll(async () => {
    await target?.stop();
    removeTmpDir(dir);
    if (client) removeTmpDir(path.dirname(client));
  });

  it('keeps handles valid and committed data intact, and changes the write verifier', async () => {
    const t = target!;
    const state = path.join(dir, 'handles.bin');
    const args = (suite: string): string[] => [
      '--nfsport',
      String(t.nfsPort),
      '--mountport',
      String(t.mountPort),
      '--export',
      t.exportPath,
      '--suite',
      suite,
      '--state-file',
      state,
    ];
    const save = await run(client, args('handles-save'), 60_000);
    const ctx = (out: string): string => `${out}\n--- ${t.kind} log (tail) ---\n${tail(t.logs())}`;
    expect(failLines(save.output), ctx(save.output)).toEqual([]);
    expect(save.code, ctx(save.output)).toBe(0);

    // ganesha derives its write verifier from its boot time in whole seconds: a restart
    // within the same second would keep it, so ganesha gets a pause (dfs must not need one).
    const stopCode = await t.restart(kind === 'ganesha' ? 1500 : 0);
    expect(stopCode, ctx('exit code of the SIGTERM before the restart')).toBe(0);

    const check = await run(client, args('handles-check'), 60_000);
    expect(failLines(check.output), ctx(check.output)).toEqual([]);
    expect(check.code, ctx(check.output)).toBe(0);
  }, 180_000);
});
