/** Test helpers for NFSv4 COMPOUNDs: operation encoders and a server on the test runtime. */
import type { RpcCall } from '../rpc/program.ts';
import { XdrReader } from '../xdr/reader.ts';
import { XdrWriter } from '../xdr/writer.ts';
import { A, bitmapOf, encodeBitmap } from '../nfs/v4/attrs.ts';
import { decodeCompoundArgs, encodeCompoundRes, runCompound, type CompoundRes } from '../nfs/v4/compound.ts';
import { Nfs4Status as S, Op } from '../nfs/v4/constants.ts';
import type { Nfs4Server } from '../nfs/v4/context.ts';
import { nfs4OpTables } from '../nfs/v4/program.ts';
import { runtimeOpenHolds } from '../nfs/v4/open-holds.ts';
import { Nfs4State } from '../nfs/v4/state.ts';
import type { Stateid } from '../nfs/v4/state-types.ts';
import { testCall, testRuntime } from './test-runtime.ts';

export type Enc = (w: XdrWriter) => void;
export const op =
  (n: number, body: Enc = () => {}): Enc =>
  (w) => {
    w.u32(n);
    body(w);
  };
export const fattr =
  (bits: number[], values: Enc = () => {}): Enc =>
  (w) => {
    encodeBitmap(w, bitmapOf(bits));
    const inner = new XdrWriter(1024);
    values(inner);
    w.opaque(Buffer.from(inner.finish()));
  };
export const sid =
  (s: Stateid): Enc =>
  (w) =>
    void w.u32(s.seqid).opaqueFixed(s.other);

export const PUTROOTFH = op(Op.PUTROOTFH);
export const GETFH = op(Op.GETFH);
export const SAVEFH = op(Op.SAVEFH);
export const lookup = (name: string) => op(Op.LOOKUP, (w) => void w.string(name));
export const getattr = (bits: number[]) => op(Op.GETATTR, (w) => encodeBitmap(w, bitmapOf(bits)));
export const putfh = (fh: Buffer) => op(Op.PUTFH, (w) => void w.opaque(fh));
export const setclientid = (name: string) =>
  op(
    Op.SETCLIENTID,
    (w) =>
      void w
        .opaqueFixed(Buffer.alloc(8, 1))
        .opaque(Buffer.from(name))
        .u32(0)
        .string('tcp')
        .string('127.0.0.1.0.0')
        .u32(0),
  );
export const confirm = (clientid: Buffer, verifier: Buffer) =>
  op(Op.SETCLIENTID_CONFIRM, (w) => void w.opaqueFixed(clientid).opaqueFixed(verifier));
export const openCreate = (clientid: Buffer, owner: string, seqid: number, name: string, access = 3, deny = 0) =>
  op(Op.OPEN, (w) => {
    w.u32(seqid).u32(access).u32(deny).opaqueFixed(clientid).opaque(Buffer.from(owner));
    w.u32(1).u32(0); // OPEN4_CREATE, UNCHECKED4
    fattr([A.MODE], (v) => void v.u32(0o644))(w);
    w.u32(0).string(name); // CLAIM_NULL
  });
export const openConfirm = (s: Stateid, seqid: number) => op(Op.OPEN_CONFIRM, (w) => (sid(s)(w), void w.u32(seqid)));
export const write = (s: Stateid, offset: number, data: Buffer) =>
  op(Op.WRITE, (w) => (sid(s)(w), void w.u64(offset).u32(2).opaque(data)));
export const read = (s: Stateid, offset: number, count: number) =>
  op(Op.READ, (w) => (sid(s)(w), void w.u64(offset).u32(count)));
export const close = (s: Stateid, seqid: number) => op(Op.CLOSE, (w) => (w.u32(seqid), sid(s)(w)));
export const ALL = (w: XdrWriter) => void w.u32(0xffffffff).u32(0xffffffff);
export const lockNew = (
  open: Stateid,
  openSeqid: number,
  clientid: Buffer,
  owner: string,
  type: number,
  offset: number,
) =>
  op(Op.LOCK, (w) => {
    w.u32(type).bool(false).u64(offset);
    ALL(w);
    w.bool(true).u32(openSeqid);
    sid(open)(w);
    w.u32(0).opaqueFixed(clientid).opaque(Buffer.from(owner));
  });
export const lockt = (clientid: Buffer, owner: string, type: number, offset: number, length: number) =>
  op(Op.LOCKT, (w) => void w.u32(type).u64(offset).u64(length).opaqueFixed(clientid).opaque(Buffer.from(owner)));
export const locku = (ls: Stateid, seqid: number, offset: number) =>
  op(Op.LOCKU, (w) => {
    w.u32(2).u32(seqid);
    sid(ls)(w);
    w.u64(offset);
    ALL(w);
  });
export const renew = (clientid: Buffer) => op(Op.RENEW, (w) => void w.opaqueFixed(clientid));

export function compound(ops: Enc[], opts: { minor?: number; numOps?: number; tag?: string } = {}): Buffer {
  const w = new XdrWriter(64 * 1024);
  w.string(opts.tag ?? 't')
    .u32(opts.minor ?? 0)
    .u32(opts.numOps ?? ops.length);
  for (const o of ops) o(w);
  return Buffer.from(w.finish());
}

/** A server on the test runtime; `run` sends COMPOUNDs of minor version `minor` (default 0). */
export async function harness(opts: { minor?: number } = {}) {
  const rt = await testRuntime();
  let now = 1_000_000;
  const server: Nfs4Server = {
    runtime: rt,
    state: new Nfs4State(90_000, rt.metadata.locks, runtimeOpenHolds(rt), { now: () => now }),
    verifier: Buffer.alloc(8, 7),
    leaseSeconds: 90,
    bootSec: 1_700_000_000,
    minorVersions: { min: 0, max: opts.minor ?? 0 },
    maxRecordSize: 1024 * 1024,
  };
  const table = nfs4OpTables();
  const call: RpcCall = { ...testCall(100003, 1, '127.0.0.1', 700), vers: 4 };
  const send = async (bytes: Buffer): Promise<CompoundRes> => {
    const r = new XdrReader(bytes);
    const args = decodeCompoundArgs(r);
    if (!r.ok) throw new Error('COMPOUND header does not decode');
    const res = await runCompound(server, table, call, args);
    // Every result must also encode.
    const w = new XdrWriter(256 * 1024);
    encodeCompoundRes(w, res);
    w.finish();
    return res;
  };
  const run = (ops: Enc[]) => send(compound(ops, { minor: opts.minor ?? 0 }));
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests read result bodies by operation
  const body = (res: CompoundRes, i: number): any => res.results[i]?.res;
  const statuses = (res: CompoundRes) => res.results.map((r) => r.status);
  const client = async (name = 'c1') => {
    const set = await run([setclientid(name)]);
    const { clientid, confirm: v } = body(set, 0);
    if ((await run([confirm(clientid, v)])).status !== S.OK) throw new Error('SETCLIENTID_CONFIRM failed');
    return clientid as Buffer;
  };
  /** Creates and opens (confirmed) a file in /export as `owner`. */
  const openFile = async (clientid: Buffer, owner: string, name: string, deny = 0) => {
    const res = await run([PUTROOTFH, lookup('export'), openCreate(clientid, owner, 1, name, 3, deny), GETFH]);
    if (res.status !== S.OK) throw new Error(`OPEN failed: ${statuses(res).join()}`);
    const fh = body(res, 3) as Buffer;
    const opened = body(res, 2);
    if ((opened.rflags & 2) !== 2) throw new Error('a new owner must confirm'); // OPEN4_RESULT_CONFIRM
    const c = await run([putfh(fh), openConfirm(opened.stateid, 2)]);
    if (c.status !== S.OK) throw new Error('OPEN_CONFIRM failed');
    return { fh, stateid: body(c, 1) as Stateid };
  };
  return { rt, server, run, send, body, statuses, client, openFile, advance: (ms: number) => (now += ms) };
}
