/**
 * MS-FSCC §2.3 FSCTL_GET_REPARSE_POINT: no file carries a reparse point here (symbolic
 * links are not shown as reparse points over SMB), so NOT_A_REPARSE_POINT, as Windows answers
 * for an ordinary file.
 */
import { Status } from '../constants.ts';
import { SmbStatusError } from '../handler.ts';
import type { OpenFsctl } from './fsctl.ts';

export const getReparsePoint: OpenFsctl = {
  name: 'GET_REPARSE_POINT',
  target: 'file',
  async run() {
    throw new SmbStatusError(Status.NOT_A_REPARSE_POINT);
  },
};
