/**
 * MS-DTYP §2.4.6 a self-relative security descriptor synthesized from owner, group and
 * mode: owner and group as Samba's Unix SIDs (S-1-22-1-uid, S-1-22-2-gid), and a DACL of
 * three allow ACEs (owner, group, Everyone) from the rwx bits.
 */
import type { FileAttr } from '../../../metadata/types.ts';
import { LeWriter } from '../writer.ts';

function sid(authority: number, ...subs: number[]): Buffer {
  const w = new LeWriter(8 + subs.length * 4).u8(1).u8(subs.length);
  w.bytes(Buffer.from([0, 0, 0, 0, 0, authority]));
  for (const s of subs) w.u32(s);
  return Buffer.from(w.finish());
}

/** rwx → FILE_GENERIC_READ / WRITE / EXECUTE (MS-DTYP §2.4.3) plus DELETE etc. for write. */
function maskOf(bits: number): number {
  let m = 0x00120080; // READ_CONTROL | SYNCHRONIZE | FILE_READ_ATTRIBUTES
  if (bits & 4) m |= 0x00120089;
  if (bits & 2) m |= 0x00130116 | 0x40; // write data/attrs/EA, append, DELETE, DELETE_CHILD
  if (bits & 1) m |= 0x001200a0;
  return m;
}

function ace(mask: number, who: Buffer): Buffer {
  const size = 8 + who.length;
  return Buffer.from(new LeWriter(size).u8(0).u8(0).u16(size).u32(mask).bytes(who).finish());
}

/** `wanted`: AdditionalInformation bits (OWNER 1, GROUP 2, DACL 4). */
export function securityDescriptor(attr: FileAttr, wanted: number): Buffer {
  const owner = wanted & 1 ? sid(22, 1, attr.uid) : undefined;
  const group = wanted & 2 ? sid(22, 2, attr.gid) : undefined;
  let dacl: Buffer | undefined;
  if (wanted & 4) {
    const aces = [
      ace(maskOf((attr.mode >> 6) & 7), sid(22, 1, attr.uid)),
      ace(maskOf((attr.mode >> 3) & 7), sid(22, 2, attr.gid)),
      ace(maskOf(attr.mode & 7), sid(1, 0)),
    ];
    const body = Buffer.concat(aces);
    dacl = Buffer.concat([
      Buffer.from(
        new LeWriter(8)
          .u8(2)
          .u8(0)
          .u16(8 + body.length)
          .u16(aces.length)
          .u16(0)
          .finish(),
      ),
      body,
    ]);
  }
  const w = new LeWriter(128)
    .u8(1)
    .u8(0)
    .u16(0x8000 | (dacl ? 0x4 : 0));
  let at = 20;
  const place = (b: Buffer | undefined) => {
    if (!b) return 0;
    const off = at;
    at += b.length;
    return off;
  };
  const ownerAt = place(owner);
  const groupAt = place(group);
  const daclAt = place(dacl);
  w.u32(ownerAt).u32(groupAt).u32(0).u32(daclAt);
  for (const b of [owner, group, dacl]) if (b) w.bytes(b);
  return Buffer.from(w.finish());
}
