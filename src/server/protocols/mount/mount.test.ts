import { runProcedure } from '../testing/run-procedure.ts';
import { describe, expect, it } from 'vitest';
import { LogLimiter } from '../../logging/log-limiter.ts';
import type { RpcCall, RpcProcedure } from '../rpc/program.ts';
import { hex } from '../testing/hex.ts';
import { testCall, testRuntime } from '../testing/test-runtime.ts';
import { XdrWriter } from '../xdr/writer.ts';
import { MountProc } from './constants.ts';
import { encodeMntResult } from './handlers/mnt.ts';
import { mountProgram } from './program.ts';

async function setup(allowedNetworks: string[] = []) {
  const rt = await testRuntime(allowedNetworks);
  const prog = mountProgram({ runtime: rt, authFlavors: [1, 0], warnings: new LogLimiter(rt.logger) });
  return { rt, prog };
}

const callFrom = (clientAddr: string): RpcCall => testCall(100005, 1, clientAddr, 900);

const run = (p: RpcProcedure | undefined, args: Buffer, call = callFrom('10.0.0.7')): Promise<Buffer> =>
  runProcedure(p, args, call);

const MNT_EXPORT = hex(`
  00000007 2f6578706f727400   # dirpath "/export" + 1 pad
`);

describe('MOUNT v3', () => {
  it('MNT returns the root handle and auth flavours and records the mount', async () => {
    const { rt, prog } = await setup();
    const call = callFrom('10.0.0.7');
    const out = await run(prog.procedures[MountProc.MNT], MNT_EXPORT, call);
    expect(rt.root.length).toBe(25);
    expect(out).toEqual(
      hex(`
        00000000              # MNT3_OK
        00000019              # fhandle3 length 25
        ${rt.root.toString('hex')} 000000   # the share's root handle + 3 pad
        00000002              # 2 auth flavours
        00000001 00000000     # AUTH_SYS, AUTH_NULL
      `),
    );
    expect(rt.mounts.list()).toMatchObject([
      { protocol: 'nfs3', clientAddr: '10.0.0.7', share: '/export', user: '1000' },
    ]);
    expect(call.session.shares.has('/export')).toBe(true);
  });

  it('MNT accepts the path without a leading slash or with a trailing one', async () => {
    const { prog } = await setup();
    const out = await run(prog.procedures[MountProc.MNT], hex('00000007 6578706f72742f00 # "export/"'));
    expect(out.readUInt32BE(0)).toBe(0);
  });

  it('MNT refuses unknown exports, disabled shares and clients outside allowedNetworks', async () => {
    const { rt, prog } = await setup(['192.168.0.0/16']);
    expect(await run(prog.procedures[MountProc.MNT], hex('00000004 2f6e6f70 # "/nop"'))).toEqual(
      hex('00000002 # MNT3ERR_NOENT'),
    );
    expect(await run(prog.procedures[MountProc.MNT], MNT_EXPORT)).toEqual(hex('0000000d # MNT3ERR_ACCES'));
    expect(
      (await run(prog.procedures[MountProc.MNT], MNT_EXPORT, callFrom('::ffff:192.168.4.4'))).readUInt32BE(0),
    ).toBe(0);
    rt.setEnabled(false);
    expect(await run(prog.procedures[MountProc.MNT], MNT_EXPORT, callFrom('192.168.4.4'))).toEqual(
      hex('00000002 # MNT3ERR_NOENT'),
    );
  });

  it('MNT refuses a caller the share grants no access, decided on the squashed identity', async () => {
    const { rt, prog } = await setup();
    const grants = new Map([
      [0, 'write'],
      [1000, 'read'],
    ] as const);
    rt.setExport({ squash: 'root_to_guest', access: (c) => grants.get(c.uid as 0 | 1000) ?? 'none' });
    const as = (uid: number): RpcCall => {
      const c = callFrom('10.0.0.7');
      c.auth = { ...c.auth, uid, gid: uid };
      return c;
    };
    // Read access is enough to mount; an unknown uid and a squashed root (the anonymous user) get nothing.
    expect((await run(prog.procedures[MountProc.MNT], MNT_EXPORT, as(1000))).readUInt32BE(0)).toBe(0);
    expect(await run(prog.procedures[MountProc.MNT], MNT_EXPORT, as(2000))).toEqual(hex('0000000d # MNT3ERR_ACCES'));
    expect(await run(prog.procedures[MountProc.MNT], MNT_EXPORT, as(0))).toEqual(hex('0000000d # MNT3ERR_ACCES'));
    expect(rt.mounts.list()).toMatchObject([{ user: '1000' }]);
  });

  it('MNT of a directory inside an export returns its handle; files and missing names fail', async () => {
    const { rt, prog } = await setup();
    const call = callFrom('10.0.0.7');
    const owner = { uid: 1000, gid: 1000, gids: [], clientAddr: '10.0.0.7' };
    const a = await rt.metadata.mkdir(owner, rt.root, 'a', { mode: 0o755 });
    const b = await rt.metadata.mkdir(owner, a.handle, 'b', { mode: 0o700 });
    await rt.metadata.create(owner, a.handle, 'file', { mode: 0o644 }, { kind: 'unchecked' });
    const mnt = (path: string, c = call) => {
      const w = new XdrWriter(256);
      w.string(path);
      return run(prog.procedures[MountProc.MNT], w.finish(), c);
    };
    const ok = await mnt('/export/a//b/');
    expect(ok.readUInt32BE(0)).toBe(0);
    expect(ok.subarray(8, 8 + b.handle.length)).toEqual(b.handle);
    expect(rt.mounts.list()).toMatchObject([{ share: '/export' }]);
    expect((await mnt('/export/a/file')).readUInt32BE(0)).toBe(20); // MNT3ERR_NOTDIR
    expect((await mnt('/export/a/nope')).readUInt32BE(0)).toBe(2); // MNT3ERR_NOENT
    expect((await mnt('/exportx')).readUInt32BE(0)).toBe(2); // a name that only starts like the export
    // b is 0700: another user may not pass through it.
    const stranger = callFrom('10.0.0.7');
    stranger.auth = { ...stranger.auth, uid: 2000, gid: 2000 };
    expect((await mnt('/export/a/b/c', stranger)).readUInt32BE(0)).toBe(13); // MNT3ERR_ACCES
  });

  it('encodes an MNT failure without a body', () => {
    const w = new XdrWriter(64);
    encodeMntResult(w, { status: 10006, handle: undefined, authFlavors: [] });
    expect(w.finish()).toEqual(hex('00002716 # MNT3ERR_SERVERFAULT'));
  });

  it('EXPORT lists enabled exports with their groups', async () => {
    const { prog } = await setup(['10.0.0.0/8', 'host.lan']);
    expect(await run(prog.procedures[MountProc.EXPORT], Buffer.alloc(0))).toEqual(
      hex(`
        00000001                      # export follows
        00000007 2f6578706f727400     # ex_dir "/export"
        00000001                      # group follows
        0000000a 31302e302e302e302f3800 00  # "10.0.0.0/8" + 2 pad
        00000001                      # group follows
        00000008 686f73742e6c616e     # "host.lan"
        00000000                      # end of groups
        00000000                      # end of exports
      `),
    );
  });

  it('DUMP, UMNT and UMNTALL follow the mounts registry', async () => {
    const { rt, prog } = await setup();
    await run(prog.procedures[MountProc.MNT], MNT_EXPORT);
    expect(await run(prog.procedures[MountProc.DUMP], Buffer.alloc(0))).toEqual(
      hex(`
        00000001                      # entry follows
        00000008 31302e302e302e37     # ml_hostname "10.0.0.7"
        00000007 2f6578706f727400     # ml_directory "/export"
        00000000                      # end
      `),
    );
    expect(await run(prog.procedures[MountProc.UMNT], MNT_EXPORT)).toEqual(Buffer.alloc(0));
    expect(rt.mounts.list()).toHaveLength(0);
    await run(prog.procedures[MountProc.MNT], MNT_EXPORT);
    await run(prog.procedures[MountProc.UMNTALL], Buffer.alloc(0));
    expect(rt.mounts.list()).toHaveLength(0);
  });
});
