/**
 * Result shapes several NFSv3 procedures share, with their encoders. Every result carries
 * `status`; the `ok` part is present exactly when status is NFS3_OK, and the attributes of
 * a failure body are optional (a failed call whose handler threw has none).
 */
import type { FileAttr, FileHandle, Wcc } from '../../../../metadata/types.ts';
import type { XdrWriter } from '../../../xdr/writer.ts';
import { encodePostOpAttr, encodePostOpFh, encodeWcc } from './attrs.ts';

export interface Nfs3Result {
  status: number;
}

/** Results that are wcc_data whatever the status (SETATTR, REMOVE, RMDIR). */
export interface WccRes extends Nfs3Result {
  wcc?: Wcc;
}

export function encodeWccRes(w: XdrWriter, res: WccRes, fsid: number): undefined {
  w.u32(res.status);
  encodeWcc(w, res.wcc, fsid);
  return undefined;
}

/** Results that are a post_op_attr on failure, followed by more on success. */
export interface AttrRes<Ok> extends Nfs3Result {
  attr?: FileAttr;
  ok?: Ok;
}

/**
 * Results of calls that make an object (CREATE, MKDIR, SYMLINK, MKNOD):
 * ok = post_op_fh3 obj, post_op_attr obj_attributes, wcc_data dir_wcc; fail = dir_wcc.
 */
export interface CreatedRes extends Nfs3Result {
  dirWcc?: Wcc;
  ok?: { handle: FileHandle; attr: FileAttr };
}

export function encodeCreatedRes(w: XdrWriter, res: CreatedRes, fsid: number): undefined {
  w.u32(res.status);
  if (res.ok) {
    encodePostOpFh(w, res.ok.handle);
    encodePostOpAttr(w, res.ok.attr, fsid);
  }
  encodeWcc(w, res.dirWcc, fsid);
  return undefined;
}

/** Writes the status and post_op_attr of an AttrRes; returns the ok part to encode next. */
export function encodeAttrResHead<Ok>(w: XdrWriter, res: AttrRes<Ok>, fsid: number): Ok | undefined {
  w.u32(res.status);
  encodePostOpAttr(w, res.attr, fsid);
  return res.ok;
}
