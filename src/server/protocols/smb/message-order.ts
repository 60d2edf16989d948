/**
 * The order a connection's messages run in. A client may have as many requests in flight as
 * it holds credits (MS-SMB2 §3.3.1.2) and nothing orders their completion (§3.3.4.1: replies
 * may go out of order), so READs and WRITEs of files run side by side. Every other message
 * (session and tree setup, CREATE, CLOSE, compounds, encrypted messages, named pipes) runs
 * alone: after every message before it has finished and before any after it starts, as all
 * did when a connection ran one message at a time.
 */
import { Command, HEADER_SIZE } from './constants.ts';
import { decodeHeader } from './header.ts';
import type { SmbConnectionState } from './connection-state.ts';

/** READ and WRITE requests carry their FileId at the same place (§2.2.19, §2.2.21): its volatile half. */
const VOLATILE_FILE_ID = HEADER_SIZE + 24;

/** Whether `msg` (one whole message) is a lone READ or WRITE of a file open on this connection. */
export function runsAlongside(msg: Buffer, st: SmbConnectionState): boolean {
  const hdr = decodeHeader(msg, 0);
  if (!hdr || hdr.nextCommand !== 0 || (hdr.command !== Command.READ && hdr.command !== Command.WRITE)) return false;
  if (msg.length < VOLATILE_FILE_ID + 8) return false;
  const open = st.opens.get(msg.readBigUInt64LE(VOLATILE_FILE_ID));
  // A pipe's READ answers its WRITE: those keep their order.
  return open !== undefined && open.pipe === undefined;
}

export class MessageOrder {
  /** Settles when every message so far has finished. */
  private all: Promise<void> = Promise.resolve();
  /** Settles when the last message that runs alone has finished. */
  private lastAlone: Promise<void> = Promise.resolve();

  /** Runs `fn` after the messages it must wait for; `alongside`: it may overlap other READs and WRITEs. */
  run(alongside: boolean, fn: () => Promise<void>): void {
    if (alongside) {
      const done = this.lastAlone.then(fn);
      this.all = Promise.all([this.all, done]).then(() => undefined);
    } else {
      this.all = this.lastAlone = this.all.then(fn);
    }
  }

  /** Settles once every message given so far has finished. */
  settled(): Promise<void> {
    return this.all;
  }
}
