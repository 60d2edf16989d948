/**
 * MS-SMB2 §3.3.5.15.1 FSCTL_PIPE_TRANSCEIVE: a DCE/RPC round trip on a named pipe; a reply
 * longer than MaxOutputResponse is BUFFER_OVERFLOW, the rest read with READ.
 */
import { Status } from '../constants.ts';
import { EMPTY, type OpenFsctl } from './fsctl.ts';

export const pipeTransceive: OpenFsctl = {
  name: 'PIPE_TRANSCEIVE',
  target: 'pipe',
  async run({ input, maxOutput }, open) {
    const pipe = open.pipe!;
    pipe.write(input);
    const output = pipe.read(maxOutput) ?? EMPTY;
    return { status: pipe.pending > 0 ? Status.BUFFER_OVERFLOW : Status.SUCCESS, output };
  },
};
