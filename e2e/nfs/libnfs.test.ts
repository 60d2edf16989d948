// Real-client proof for the NFSv3 server: a C program on libnfs (e2e/nfs/libnfs-client.c),
// compiled here, drives every NFSv3 and MOUNT v3 procedure and prints "ok"/"FAIL" per check.
// Server: dfs, on managed shares and on folder shares (target.ts); DITTOFS_E2E_NFS_SERVER
// picks one server, e.g. ganesha runs the same checks against nfs-ganesha (the reference the
// client was validated with).
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LIBNFS_DEV, unmet } from '../helpers/requirements.ts';
import { removeTmpDir } from '../helpers/tmp.ts';
import { buildLibnfsProgram, failLines, run, serverKinds, startTarget, tail, type NfsTarget } from './target.ts';

describe.skipIf(unmet(LIBNFS_DEV) !== null).each(serverKinds())('NFSv3 via libnfs against %s', (kind) => {
  let target: NfsTarget | undefined;
  let client = '';

  beforeAll(async () => {
    client = buildLibnfsProgram('e2e/nfs/libnfs-client.c', 'nfsclient');
    target = await startTarget(kind, { extraShares: true });
  }, 180_000);

  afterAll(async () => {
    await target?.stop();
    if (client) removeTmpDir(path.dirname(client));
  });

  async function runSuite(suite: string, exportPath: string): Promise<void> {
    const t = target!;
    const args = [
      '--nfsport',
      String(t.nfsPort),
      '--mountport',
      String(t.mountPort),
      '--export',
      exportPath,
      '--suite',
      suite,
    ];
    const { code, output } = await run(client, args, 240_000);
    const fails = failLines(output);
    const context = `nfsclient ${args.join(' ')} exited ${code}\n--- client output ---\n${output}\n--- ${t.kind} log (tail) ---\n${tail(t.logs())}`;
    expect(fails, context).toEqual([]);
    expect(code, context).toBe(0);
    expect(output, context).toMatch(/# summary: \d+ ok, 0 failed/);
  }

  it('every NFSv3 procedure: data, sizes, sparse, truncate, names, links, attributes, errors, 2000-entry dir', async () => {
    await runSuite('main', target!.exportPath);
  }, 300_000);

  // The read-only and squashing shares: ganesha exports them from its config; on dfs,
  // target.ts creates them through the REST API. With DITTOFS_E2E_DFS_DEFAULT_SHARE=1
  // there are no such shares and these skip.
  it('read-only share refuses every change with EROFS', async (ctx) => {
    if (!target?.roExportPath) ctx.skip(`no read-only share on ${kind}`);
    await runSuite('ro', target!.roExportPath!);
  }, 120_000);

  it('squashed root: files created by uid 0 belong to 65534', async (ctx) => {
    if (!target?.squashExportPath) ctx.skip(`no root-squashing share on ${kind}`);
    await runSuite('squash', target!.squashExportPath!);
  }, 120_000);

  it.skipIf(kind === 'ganesha')(
    'the server exits 0 on SIGTERM',
    async () => {
      const t = target!;
      target = undefined;
      const code = await t.stop();
      expect(code, tail(t.logs())).toBe(0);
    },
    30_000,
  );
});
