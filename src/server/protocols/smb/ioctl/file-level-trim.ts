/**
 * MS-FSCC §2.3 FSCTL_FILE_LEVEL_TRIM: the client no longer needs the ranges' content.
 * Trimming is advisory (the content of a trimmed range is undefined afterwards) and the
 * stores have nothing to release short of writing, so the ranges are checked and kept as
 * they are; the reply counts them all as processed. Needs FILE_WRITE_DATA.
 */
import { Status } from '../constants.ts';
import { SmbStatusError } from '../handler.ts';
import { LeReader } from '../reader.ts';
import { Access, INT64_MAX } from '../share-modes.ts';
import { LeWriter } from '../writer.ts';
import { requireWrite, type OpenFsctl } from './fsctl.ts';

/** Key and NumRanges, then 16 bytes a range. */
const HEADER = 8;
const RANGE = 16;

export const fileLevelTrim: OpenFsctl = {
  name: 'FILE_LEVEL_TRIM',
  target: 'file',
  async run({ ctx, input, maxOutput }, open) {
    const r = new LeReader(input, 4);
    const count = r.u32();
    if (!r.ok || input.length < HEADER + count * RANGE || maxOutput < 4 || open.isDirectory)
      throw new SmbStatusError(Status.INVALID_PARAMETER);
    for (let i = 0; i < count; i++) {
      const offset = r.u64();
      const length = r.u64();
      if (offset > INT64_MAX || length > INT64_MAX - offset) throw new SmbStatusError(Status.INVALID_PARAMETER);
    }
    requireWrite(ctx, open, Access.WRITE_DATA);
    return { status: Status.SUCCESS, output: new LeWriter(4).u32(count).finish() };
  },
};
