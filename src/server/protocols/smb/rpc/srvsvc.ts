/**
 * MS-SRVS srvsvc, the operations clients use to list shares: NetrShareEnum (opnum 15,
 * levels 0 and 1) and NetrShareGetInfo (opnum 16, levels 0 and 1). Enabled shares plus IPC$;
 * the enumeration leaves out shares that are not browsable (GetInfo still answers for them).
 */
import type { SharesView } from '../../../runtime/types.ts';
import { LeReader } from '../reader.ts';
import { smbRulesOf, smbShareName, smbShares } from '../shares.ts';
import type { RpcInterface } from './dcerpc.ts';
import { NdrWriter, readOptionalString, readString } from './ndr.ts';

/** 4b324fc8-1670-01d3-1278-5a47bf6ee188 version 3.0. */
const SRVSVC_SYNTAX = Buffer.from('c84f324b7016d30112785a47bf6ee18803000000', 'hex');
const STYPE_DISKTREE = 0;
const STYPE_IPC_SPECIAL = 0x80000003;
const WERR_OK = 0;
const WERR_INVALID_LEVEL = 124;
const WERR_NET_NAME_NOT_FOUND = 2310;

interface ShareEntry {
  name: string;
  type: number;
  remark: string;
}

function entries(shares: SharesView, browsableOnly: boolean): ShareEntry[] {
  const list = smbShares(shares)
    .filter((s) => !browsableOnly || smbRulesOf(s).browsable)
    .map((s) => ({ name: smbShareName(s), type: STYPE_DISKTREE, remark: '' }));
  return [...list, { name: 'IPC$', type: STYPE_IPC_SPECIAL, remark: 'IPC Service' }];
}

function shareInfo(w: NdrWriter, level: number, e: ShareEntry): void {
  w.pointer();
  if (level === 1) w.u32(e.type).pointer();
}

function shareStrings(w: NdrWriter, level: number, e: ShareEntry): void {
  w.string(e.name);
  if (level === 1) w.string(e.remark);
}

function shareEnum(shares: SharesView, stub: Buffer): Buffer {
  const r = new LeReader(stub);
  readOptionalString(r);
  const level = r.u32();
  const w = new NdrWriter(512);
  if (level !== 0 && level !== 1)
    return Buffer.from(w.u32(level).u32(level).u32(0).u32(0).u32(0).u32(WERR_INVALID_LEVEL).finish());
  const list = entries(shares, true);
  w.u32(level).u32(level).pointer().u32(list.length).pointer().u32(list.length);
  for (const e of list) shareInfo(w, level, e);
  for (const e of list) shareStrings(w, level, e);
  w.u32(list.length).pointer().u32(0).u32(WERR_OK);
  return Buffer.from(w.finish());
}

function shareGetInfo(shares: SharesView, stub: Buffer): Buffer {
  const r = new LeReader(stub);
  readOptionalString(r);
  const name = readString(r).toLowerCase();
  const level = r.u32();
  const w = new NdrWriter(256);
  const e = entries(shares, false).find((s) => s.name.toLowerCase() === name);
  if (level !== 0 && level !== 1) return Buffer.from(w.u32(level).u32(0).u32(WERR_INVALID_LEVEL).finish());
  if (!e) return Buffer.from(w.u32(level).u32(0).u32(WERR_NET_NAME_NOT_FOUND).finish());
  w.u32(level).pointer();
  shareInfo(w, level, e);
  shareStrings(w, level, e);
  return Buffer.from(w.u32(WERR_OK).finish());
}

export function srvsvc(shares: SharesView): RpcInterface {
  return {
    syntax: SRVSVC_SYNTAX,
    call(opnum, stub) {
      if (opnum === 15) return shareEnum(shares, stub);
      if (opnum === 16) return shareGetInfo(shares, stub);
      return undefined;
    },
  };
}
