/**
 * The NFSv4 operation contract: decode the arguments from the COMPOUND stream, run against
 * the context, encode the result body. Failures are thrown (Nfs4Error or DittoError) and
 * become the operation's status; `encodeFailure` writes the body some results carry even
 * then (SETATTR's attrsset, LOCK's LOCK4denied from the error's detail).
 */
import type { XdrReader } from '../../xdr/reader.ts';
import type { XdrWriter } from '../../xdr/writer.ts';
import type { Nfs4Context } from './context.ts';

export interface Nfs4Op<A = unknown, R = unknown> {
  readonly name: string;
  decode(r: XdrReader): A;
  run(ctx: Nfs4Context, args: A): Promise<R>;
  /** Writes the resok body; `last` is set for the final result, which may return bulk data (READ). */
  encode(w: XdrWriter, res: R, last: boolean): Buffer | void;
  encodeFailure?(w: XdrWriter, status: number, detail: unknown): void;
}

/** Operations without arguments or result body. */
export const noArgs = (_r: XdrReader): undefined => undefined;
export const noBody = (_w: XdrWriter, _res: unknown): undefined => undefined;
