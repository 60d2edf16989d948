/**
 * The contract of an NLM v4 procedure: decode, run against NlmState, encode. Failures are
 * thrown (DittoError) and answered with an NLM status in the procedure's own result form,
 * so the synchronous procedures and their *_MSG forms share one implementation.
 */
import { isDittoError } from '../../../shared/errors.ts';
import type { RpcCall, RpcProcedure } from '../rpc/program.ts';
import type { XdrReader } from '../xdr/reader.ts';
import type { XdrWriter } from '../xdr/writer.ts';
import type { Nlm4Res } from './codec.ts';
import { Nlm4Stat } from './constants.ts';
import type { NlmState } from './state.ts';

export interface NlmOp<A extends { cookie: Buffer }, R extends Nlm4Res> {
  readonly name: string;
  decode(r: XdrReader): A;
  run(nlm: NlmState, call: RpcCall, args: A): Promise<R>;
  encode(w: XdrWriter, res: R): undefined;
  /** The result carrying a failure status. */
  failed(args: A, stat: number): R;
}

/** The NLM status of a failure: stale handles, read-only shares, anything else FAILED. */
export function nlmStatusOf(err: unknown): number {
  if (isDittoError(err, 'STALE_HANDLE') || isDittoError(err, 'BAD_HANDLE') || isDittoError(err, 'NOT_FOUND'))
    return Nlm4Stat.STALE_FH;
  if (isDittoError(err, 'READ_ONLY')) return Nlm4Stat.ROFS;
  return Nlm4Stat.FAILED;
}

/** Runs an op, turning a thrown failure into its result form. */
export async function runOp<A extends { cookie: Buffer }, R extends Nlm4Res>(
  op: NlmOp<A, R>,
  nlm: NlmState,
  call: RpcCall,
  args: A,
): Promise<R> {
  try {
    return await op.run(nlm, call, args);
  } catch (err) {
    return op.failed(args, nlmStatusOf(err));
  }
}

/** The synchronous procedure of an op. */
export function nlmProcedure<A extends { cookie: Buffer }, R extends Nlm4Res>(
  op: NlmOp<A, R>,
  nlm: NlmState,
): RpcProcedure<A, R> {
  return {
    name: op.name,
    decode: (r) => op.decode(r),
    run: (call, args) => runOp(op, nlm, call, args),
    encode: (w, res) => op.encode(w, res),
  };
}

/** The plain nlm4_res of a status. */
export const resOf = (args: { cookie: Buffer }, stat: number): Nlm4Res => ({ cookie: args.cookie, stat });
