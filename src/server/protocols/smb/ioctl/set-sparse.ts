/**
 * MS-FSCC §2.3 FSCTL_SET_SPARSE (MS-FSA §2.1.5.10): marks a file sparse or not. The
 * FILE_SET_SPARSE_BUFFER is optional, no buffer meaning set; a longer one is read for its
 * first byte (as Windows). Directories are INVALID_PARAMETER. Any of FILE_WRITE_DATA,
 * FILE_APPEND_DATA or FILE_WRITE_ATTRIBUTES allows it. The flag is kept with the file's DOS
 * attributes in the metadata store (DosAttr.SPARSE_FILE), so every connection and restart sees it.
 */
import { Status } from '../constants.ts';
import { SmbStatusError } from '../handler.ts';
import { Access } from '../share-modes.ts';
import { EMPTY, fileScope, requireWrite, type OpenFsctl } from './fsctl.ts';

/** MS-SMB2 §2.2.13.1.1 FILE_WRITE_ATTRIBUTES (not in share-modes.ts's Access). */
const WRITE_ATTRIBUTES = 0x100;

export const setSparse: OpenFsctl = {
  name: 'SET_SPARSE',
  target: 'file',
  async run({ ctx, input }, open) {
    if (open.isDirectory) throw new SmbStatusError(Status.INVALID_PARAMETER);
    requireWrite(ctx, open, Access.WRITE_DATA | Access.APPEND_DATA | WRITE_ATTRIBUTES);
    const { auth } = fileScope(ctx, open);
    await ctx.server.runtime.metadata.setAttr(auth, open.handle, { sparse: input.length === 0 || input[0] !== 0 });
    return { status: Status.SUCCESS, output: EMPTY };
  },
};
