/**
 * The NFSv4 program (RFC 7530 §16, RFC 8881 §16): NULL and COMPOUND, whose operations are
 * dispatched from one table per minor version.
 */
import type { ProtocolRuntime } from '../../../runtime/types.ts';
import { nullProcedure, type RpcProgram } from '../../rpc/program.ts';
import { NFS_PROG } from '../v3/constants.ts';
import { writeVerifier } from '../v3/handler.ts';
import { fileClientRecords } from './client-records.ts';
import { compoundProcedure, type OpTable, type OpTables } from './compound.ts';
import { NFS_V4, Op } from './constants.ts';
import type { Nfs4Server } from './context.ts';
import type { Nfs4Op } from './handler.ts';
import { access } from './handlers/access.ts';
import { allocate } from './handlers/allocate.ts';
import { clone } from './handlers/clone.ts';
import { copy } from './handlers/copy.ts';
import { deallocate } from './handlers/deallocate.ts';
import { readPlus } from './handlers/read-plus.ts';
import { seek } from './handlers/seek.ts';
import { bindConnToSession } from './handlers/bind-conn-to-session.ts';
import { createSession } from './handlers/create-session.ts';
import { destroyClientid } from './handlers/destroy-clientid.ts';
import { destroySession } from './handlers/destroy-session.ts';
import { exchangeId } from './handlers/exchange-id.ts';
import { freeStateid } from './handlers/free-stateid.ts';
import { notSupported } from './handlers/not-supported.ts';
import { reclaimComplete } from './handlers/reclaim-complete.ts';
import { secinfoNoName } from './handlers/secinfo-no-name.ts';
import { sequence } from './handlers/sequence.ts';
import { testStateid } from './handlers/test-stateid.ts';
import { close } from './handlers/close.ts';
import { commit } from './handlers/commit.ts';
import { create } from './handlers/create.ts';
import { delegpurge } from './handlers/delegpurge.ts';
import { delegreturn } from './handlers/delegreturn.ts';
import { getattr } from './handlers/getattr.ts';
import { getfh } from './handlers/getfh.ts';
import { illegal } from './handlers/illegal.ts';
import { link } from './handlers/link.ts';
import { lock } from './handlers/lock.ts';
import { lockt } from './handlers/lockt.ts';
import { locku } from './handlers/locku.ts';
import { lookup } from './handlers/lookup.ts';
import { lookupp } from './handlers/lookupp.ts';
import { nverify } from './handlers/nverify.ts';
import { open } from './handlers/open.ts';
import { openConfirm } from './handlers/open-confirm.ts';
import { openDowngrade } from './handlers/open-downgrade.ts';
import { openattr } from './handlers/openattr.ts';
import { putfh } from './handlers/putfh.ts';
import { putpubfh } from './handlers/putpubfh.ts';
import { putrootfh } from './handlers/putrootfh.ts';
import { read } from './handlers/read.ts';
import { readdir } from './handlers/readdir.ts';
import { readlink } from './handlers/readlink.ts';
import { releaseLockowner } from './handlers/release-lockowner.ts';
import { remove } from './handlers/remove.ts';
import { rename } from './handlers/rename.ts';
import { renew } from './handlers/renew.ts';
import { restorefh } from './handlers/restorefh.ts';
import { savefh } from './handlers/savefh.ts';
import { secinfo } from './handlers/secinfo.ts';
import { setattr } from './handlers/setattr.ts';
import { setclientid } from './handlers/setclientid.ts';
import { setclientidConfirm } from './handlers/setclientid-confirm.ts';
import { verify } from './handlers/verify.ts';
import { write } from './handlers/write.ts';
import { Nfs4State } from './state.ts';
import { runtimeOpenHolds } from './open-holds.ts';

const COMPOUND = 1;

type Entry = readonly [Op, Nfs4Op];
const entry = <A, R>(op: Op, handler: Nfs4Op<A, R>): Entry => [op, handler as unknown as Nfs4Op];

/** A minor version's table: `base`'s operations, those it does not offer answered NOTSUPP, then its own. */
function opTable(base: OpTable, notOffered: readonly Op[], own: readonly Entry[]): OpTable {
  const t: (Nfs4Op | undefined)[] = [...base];
  for (const op of notOffered) t[op] = notSupported(Op[op]) as unknown as Nfs4Op;
  for (const [op, handler] of own) t[op] = handler;
  return t;
}

/** RFC 7530: every NFSv4.0 operation. */
export function nfs4OpTable(): OpTable {
  return opTable(
    [],
    [],
    [
      entry(Op.ACCESS, access),
      entry(Op.CLOSE, close),
      entry(Op.COMMIT, commit),
      entry(Op.CREATE, create),
      entry(Op.DELEGPURGE, delegpurge),
      entry(Op.DELEGRETURN, delegreturn),
      entry(Op.GETATTR, getattr),
      entry(Op.GETFH, getfh),
      entry(Op.LINK, link),
      entry(Op.LOCK, lock),
      entry(Op.LOCKT, lockt),
      entry(Op.LOCKU, locku),
      entry(Op.LOOKUP, lookup),
      entry(Op.LOOKUPP, lookupp),
      entry(Op.NVERIFY, nverify),
      entry(Op.OPEN, open),
      entry(Op.OPENATTR, openattr),
      entry(Op.OPEN_CONFIRM, openConfirm),
      entry(Op.OPEN_DOWNGRADE, openDowngrade),
      entry(Op.PUTFH, putfh),
      entry(Op.PUTPUBFH, putpubfh),
      entry(Op.PUTROOTFH, putrootfh),
      entry(Op.READ, read),
      entry(Op.READDIR, readdir),
      entry(Op.READLINK, readlink),
      entry(Op.REMOVE, remove),
      entry(Op.RENAME, rename),
      entry(Op.RENEW, renew),
      entry(Op.RESTOREFH, restorefh),
      entry(Op.SAVEFH, savefh),
      entry(Op.SECINFO, secinfo),
      entry(Op.SETATTR, setattr),
      entry(Op.SETCLIENTID, setclientid),
      entry(Op.SETCLIENTID_CONFIRM, setclientidConfirm),
      entry(Op.VERIFY, verify),
      entry(Op.WRITE, write),
      entry(Op.RELEASE_LOCKOWNER, releaseLockowner),
      entry(Op.ILLEGAL, illegal),
    ],
  );
}

/** Operations of NFSv4.0 that NFSv4.1 clients must not use (RFC 8881 §18.35.1 ff.). */
const V40_ONLY = [Op.OPEN_CONFIRM, Op.RELEASE_LOCKOWNER, Op.RENEW, Op.SETCLIENTID, Op.SETCLIENTID_CONFIRM];
/** NFSv4.1 operations not offered: pNFS, delegations and directory delegations, SSV, backchannel control. */
const V41_NOT_OFFERED = [
  Op.BACKCHANNEL_CTL,
  Op.GET_DIR_DELEGATION,
  Op.GETDEVICEINFO,
  Op.GETDEVICELIST,
  Op.LAYOUTCOMMIT,
  Op.LAYOUTGET,
  Op.LAYOUTRETURN,
  Op.SET_SSV,
  Op.WANT_DELEGATION,
];

/** RFC 8881: the NFSv4.0 operations less the 4.0-only ones, and sessions. */
export function nfs41OpTable(): OpTable {
  return opTable(
    nfs4OpTable(),
    [...V40_ONLY, ...V41_NOT_OFFERED],
    [
      entry(Op.BIND_CONN_TO_SESSION, bindConnToSession),
      entry(Op.EXCHANGE_ID, exchangeId),
      entry(Op.CREATE_SESSION, createSession),
      entry(Op.DESTROY_SESSION, destroySession),
      entry(Op.FREE_STATEID, freeStateid),
      entry(Op.SECINFO_NO_NAME, secinfoNoName),
      entry(Op.SEQUENCE, sequence),
      entry(Op.TEST_STATEID, testStateid),
      entry(Op.DESTROY_CLIENTID, destroyClientid),
      entry(Op.RECLAIM_COMPLETE, reclaimComplete),
    ],
  );
}

/**
 * NFSv4.2 operations not offered: asynchronous and inter-server copy, layouts, IO_ADVISE
 * and WRITE_SAME. (CLONE is offered, and answers NOTSUPP where blocks cannot be shared.)
 */
const V42_NOT_OFFERED = [
  Op.COPY_NOTIFY,
  Op.IO_ADVISE,
  Op.LAYOUTERROR,
  Op.LAYOUTSTATS,
  Op.OFFLOAD_CANCEL,
  Op.OFFLOAD_STATUS,
  Op.WRITE_SAME,
];

/** RFC 7862: NFSv4.1 and the data operations. */
export function nfs42OpTable(): OpTable {
  return opTable(nfs41OpTable(), V42_NOT_OFFERED, [
    entry(Op.ALLOCATE, allocate),
    entry(Op.CLONE, clone),
    entry(Op.COPY, copy),
    entry(Op.DEALLOCATE, deallocate),
    entry(Op.READ_PLUS, readPlus),
    entry(Op.SEEK, seek),
  ]);
}

/** The tables by minor version. */
export function nfs4OpTables(): OpTables {
  return [nfs4OpTable(), nfs41OpTable(), nfs42OpTable()];
}

export interface Nfs4Options {
  /** Lease time clients must renew within (RFC 7530 §9.5). */
  leaseSeconds: number;
  /** Grace period after a restart when an earlier instance had clients with state; 0 skips it. */
  graceSeconds: number;
  /** NFSv4 minor versions served. */
  minorVersions: { min: number; max: number };
  maxRecordSize: number;
}

export function nfs4Server(runtime: ProtocolRuntime, opts: Nfs4Options): Nfs4Server {
  return {
    runtime,
    state: new Nfs4State(opts.leaseSeconds * 1000, runtime.metadata.locks, runtimeOpenHolds(runtime), {
      graceMs: opts.graceSeconds * 1000,
      records: runtime.stateDir === undefined ? undefined : fileClientRecords(runtime.stateDir),
    }),
    verifier: writeVerifier(runtime.bootVerifier),
    leaseSeconds: opts.leaseSeconds,
    bootSec: Math.floor(Date.now() / 1000),
    minorVersions: opts.minorVersions,
    maxRecordSize: opts.maxRecordSize,
  };
}

export function nfs4Program(server: Nfs4Server): RpcProgram {
  const procedures = [];
  procedures[0] = nullProcedure;
  procedures[COMPOUND] = compoundProcedure(server, nfs4OpTables());
  return { prog: NFS_PROG, vers: NFS_V4, procedures };
}
