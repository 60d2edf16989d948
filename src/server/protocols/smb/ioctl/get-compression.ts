/**
 * MS-FSCC §2.3 FSCTL_GET_COMPRESSION: files are never compressed, so COMPRESSION_FORMAT_NONE
 * (as Windows Server 2016 answers on a volume without compression; the file system does not
 * claim FILE_FILE_COMPRESSION). No access is needed; a buffer too small for the USHORT is
 * INVALID_PARAMETER (MS-FSA §2.1.5.10).
 */
import { Status } from '../constants.ts';
import { SmbStatusError } from '../handler.ts';
import { LeWriter } from '../writer.ts';
import type { OpenFsctl } from './fsctl.ts';

export const COMPRESSION_FORMAT_NONE = 0;

export const getCompression: OpenFsctl = {
  name: 'GET_COMPRESSION',
  target: 'file',
  async run({ maxOutput }) {
    if (maxOutput < 2) throw new SmbStatusError(Status.INVALID_PARAMETER);
    return { status: Status.SUCCESS, output: new LeWriter(2).u16(COMPRESSION_FORMAT_NONE).finish() };
  },
};
