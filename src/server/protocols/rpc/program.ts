/** The dispatch table contract: programs, versions and procedures served over RPC. */
import type { AuthContext } from '../../metadata/types.ts';
import type { XdrReader } from '../xdr/reader.ts';
import type { XdrWriter } from '../xdr/writer.ts';
import type { Credential } from './auth.ts';

/** One client connection, as procedures see it. */
export interface RpcSession {
  /** Client IP, IPv4-mapped IPv6 addresses reduced to IPv4. */
  readonly clientAddr: string;
  readonly clientPort: number;
  /** The server address the client connected to (same form as clientAddr). */
  readonly localAddr: string;
  readonly localPort: number;
  /** Shares this connection has used, so a share can be disconnected. */
  readonly shares: Set<string>;
  /** Sends a call of ours to the client over this connection (NLM *_RES); absent where there is none. */
  sendCall?(prog: number, vers: number, proc: number, args: Buffer): void;
  /** True once for the xid of a call sent with sendCall: the client's reply to it is expected. */
  takeReply?(xid: number): boolean;
}

export interface RpcCall {
  xid: number;
  prog: number;
  vers: number;
  proc: number;
  cred: Credential;
  /** The caller's identity; AUTH_NULL callers are nobody. */
  auth: AuthContext;
  session: RpcSession;
}

/**
 * A procedure: decode its arguments (faults are recorded on the reader and answered with
 * GARBAGE_ARGS), run, encode the result after the accepted-reply header. `encode` may return
 * a bulk chunk that is sent after the encoded bytes without being copied (it must be the
 * last item of the result; padding is added). A rejected `run` is answered with SYSTEM_ERR.
 */
export interface RpcProcedure<A = unknown, R = unknown> {
  readonly name: string;
  /** Answer retransmissions from the duplicate request cache instead of running again. */
  readonly nonIdempotent?: boolean;
  decode(r: XdrReader): A;
  run(call: RpcCall, args: A): Promise<R>;
  encode(w: XdrWriter, res: R): Buffer | undefined;
  /** Called once the reply to `res` is written (or dropped): memory it lent may be reused. */
  sent?(res: R): void;
}

export interface RpcProgram {
  readonly prog: number;
  readonly vers: number;
  /** Indexed by procedure number; holes are PROC_UNAVAIL. */
  readonly procedures: ReadonlyArray<RpcProcedure | undefined>;
}

/** Procedures whose arguments and results are XDR void. */
export const decodeVoid = (_r: XdrReader): undefined => undefined;
export const encodeVoid = (_w: XdrWriter, _res: unknown): undefined => undefined;

/** The NULL procedure (number 0) every program has. */
export const nullProcedure: RpcProcedure<undefined, undefined> = {
  name: 'NULL',
  decode: decodeVoid,
  run: () => Promise.resolve(undefined),
  encode: encodeVoid,
};
