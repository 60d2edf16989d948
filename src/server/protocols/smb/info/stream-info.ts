/**
 * MS-FSCC §2.4.44 FileStreamInformation: the file's unnamed data stream `::$DATA` (not for a
 * directory, as NTFS and Samba), then each named stream as `:name:$DATA` with its size, in the
 * order created. Entries are 8-byte aligned, chained by NextEntryOffset (0 on the last).
 */
import {
  FileType,
  type AuthContext,
  type FileAttr,
  type FileHandle,
  type MetadataOps,
} from '../../../metadata/types.ts';
import { LeWriter } from '../writer.ts';
import { allocationSize } from './attributes.ts';

/** A stream's allocation: whole 4 KiB units, as the file's (attributes.ts allocationSize). */
function allocated(size: number): number {
  return Math.ceil(size / 4096) * 4096;
}

export async function fileStreamInfo(
  md: MetadataOps,
  auth: AuthContext,
  file: FileHandle,
  attr: FileAttr,
): Promise<Buffer> {
  const entries: { name: string; size: number; allocation: number }[] = [];
  if (attr.type !== FileType.Directory)
    entries.push({ name: '::$DATA', size: attr.size, allocation: allocationSize(attr) });
  if (md.streams.supported(file))
    for (const s of await md.streams.list(auth, file))
      entries.push({ name: `:${s.name}:$DATA`, size: s.size, allocation: allocated(s.size) });
  const w = new LeWriter(64);
  entries.forEach((e, i) => {
    const start = w.length;
    const name = Buffer.from(e.name, 'utf16le');
    w.u32(0).u32(name.length).u64(e.size).u64(e.allocation).bytes(name);
    if (i < entries.length - 1) {
      w.align(8);
      w.setU32(start, w.length - start);
    }
  });
  return Buffer.from(w.finish());
}
