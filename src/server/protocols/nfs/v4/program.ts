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

const COMPOUND = 1;

export function nfs4OpTable(): OpTable {
  const t: Nfs4Op[] = [];
  const set = <A, R>(op: Op, h: Nfs4Op<A, R>) => void (t[op] = h as unknown as Nfs4Op);
  set(Op.ACCESS, access);
  set(Op.CLOSE, close);
  set(Op.COMMIT, commit);
  set(Op.CREATE, create);
  set(Op.DELEGPURGE, delegpurge);
  set(Op.DELEGRETURN, delegreturn);
  set(Op.GETATTR, getattr);
  set(Op.GETFH, getfh);
  set(Op.LINK, link);
  set(Op.LOCK, lock);
  set(Op.LOCKT, lockt);
  set(Op.LOCKU, locku);
  set(Op.LOOKUP, lookup);
  set(Op.LOOKUPP, lookupp);
  set(Op.NVERIFY, nverify);
  set(Op.OPEN, open);
  set(Op.OPENATTR, openattr);
  set(Op.OPEN_CONFIRM, openConfirm);
  set(Op.OPEN_DOWNGRADE, openDowngrade);
  set(Op.PUTFH, putfh);
  set(Op.PUTPUBFH, putpubfh);
  set(Op.PUTROOTFH, putrootfh);
  set(Op.READ, read);
  set(Op.READDIR, readdir);
  set(Op.READLINK, readlink);
  set(Op.REMOVE, remove);
  set(Op.RENAME, rename);
  set(Op.RENEW, renew);
  set(Op.RESTOREFH, restorefh);
  set(Op.SAVEFH, savefh);
  set(Op.SECINFO, secinfo);
  set(Op.SETATTR, setattr);
  set(Op.SETCLIENTID, setclientid);
  set(Op.SETCLIENTID_CONFIRM, setclientidConfirm);
  set(Op.VERIFY, verify);
  set(Op.WRITE, write);
  set(Op.RELEASE_LOCKOWNER, releaseLockowner);
  set(Op.ILLEGAL, illegal);
  return t;
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
  const t: (Nfs4Op | undefined)[] = [...nfs4OpTable()];
  const set = <A, R>(op: Op, h: Nfs4Op<A, R>) => void (t[op] = h as unknown as Nfs4Op);
  for (const op of [...V40_ONLY, ...V41_NOT_OFFERED]) set(op, notSupported(Op[op]));
  set(Op.BIND_CONN_TO_SESSION, bindConnToSession);
  set(Op.EXCHANGE_ID, exchangeId);
  set(Op.CREATE_SESSION, createSession);
  set(Op.DESTROY_SESSION, destroySession);
  set(Op.FREE_STATEID, freeStateid);
  set(Op.SECINFO_NO_NAME, secinfoNoName);
  set(Op.SEQUENCE, sequence);
  set(Op.TEST_STATEID, testStateid);
  set(Op.DESTROY_CLIENTID, destroyClientid);
  set(Op.RECLAIM_COMPLETE, reclaimComplete);
  return t;
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
  const t: (Nfs4Op | undefined)[] = [...nfs41OpTable()];
  const set = <A, R>(op: Op, h: Nfs4Op<A, R>) => void (t[op] = h as unknown as Nfs4Op);
  for (const op of V42_NOT_OFFERED) set(op, notSupported(Op[op]));
  set(Op.ALLOCATE, allocate);
  set(Op.CLONE, clone);
  set(Op.COPY, copy);
  set(Op.DEALLOCATE, deallocate);
  set(Op.READ_PLUS, readPlus);
  set(Op.SEEK, seek);
  return t;
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
    state: new Nfs4State(opts.leaseSeconds * 1000, runtime.metadata.locks, {
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
