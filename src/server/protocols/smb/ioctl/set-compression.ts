/**
 * MS-FSCC §2.3.67 FSCTL_SET_COMPRESSION: only COMPRESSION_FORMAT_NONE is served (a no-op
 * success, as Windows Server 2016 ReFS); DEFAULT and LZNT1 are NOT_SUPPORTED, any other
 * format INVALID_PARAMETER. Needs FILE_WRITE_DATA (MS-FSA §2.1.5.10.30 requires the volume writable).
 */
import { Status } from '../constants.ts';
import { SmbStatusError } from '../handler.ts';
import { LeReader } from '../reader.ts';
import { Access } from '../share-modes.ts';
import { EMPTY, requireWrite, type OpenFsctl } from './fsctl.ts';
import { COMPRESSION_FORMAT_NONE } from './get-compression.ts';

const COMPRESSION_FORMAT_DEFAULT = 1;
const COMPRESSION_FORMAT_LZNT1 = 2;

export const setCompression: OpenFsctl = {
  name: 'SET_COMPRESSION',
  target: 'file',
  async run({ ctx, input }, open) {
    const r = new LeReader(input);
    const format = r.u16();
    if (!r.ok) throw new SmbStatusError(Status.INVALID_PARAMETER);
    requireWrite(ctx, open, Access.WRITE_DATA);
    if (format === COMPRESSION_FORMAT_NONE) return { status: Status.SUCCESS, output: EMPTY };
    if (format === COMPRESSION_FORMAT_DEFAULT || format === COMPRESSION_FORMAT_LZNT1)
      throw new SmbStatusError(Status.NOT_SUPPORTED);
    throw new SmbStatusError(Status.INVALID_PARAMETER);
  },
};
