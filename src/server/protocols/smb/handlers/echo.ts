/** MS-SMB2 §3.3.5.17 ECHO: a keep-alive. */
import { Status } from '../constants.ts';
import type { SmbHandler } from '../handler.ts';

export const echo: SmbHandler = {
  name: 'ECHO',
  needsSession: false,
  needsTree: false,
  async run() {
    return { status: Status.SUCCESS, body: Buffer.from([4, 0, 0, 0]) };
  },
};
