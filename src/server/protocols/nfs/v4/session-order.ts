/**
 * Where operations may stand in an NFSv4.1+ COMPOUND (RFC 8881 §2.6.3.1.1.8, §18.46.3):
 * SEQUENCE first and only first; without it, only a single operation that creates, binds
 * or destroys sessions and client ids.
 */
import { Nfs4Status, Op } from './constants.ts';

/** Operations allowed as the whole of a COMPOUND without SEQUENCE. */
const SESSIONLESS: ReadonlySet<number> = new Set([
  Op.EXCHANGE_ID,
  Op.CREATE_SESSION,
  Op.DESTROY_SESSION,
  Op.DESTROY_CLIENTID,
  Op.BIND_CONN_TO_SESSION,
]);

/** OK, or the status operation `index` (of `count`) gets for standing where it stands. */
export function sessionOrderStatus(index: number, opnum: number, count: number): number {
  if (index > 0) return opnum === Op.SEQUENCE ? Nfs4Status.SEQUENCE_POS : Nfs4Status.OK;
  if (opnum === Op.SEQUENCE) return Nfs4Status.OK;
  if (!SESSIONLESS.has(opnum)) return Nfs4Status.OP_NOT_IN_SESSION;
  return count === 1 ? Nfs4Status.OK : Nfs4Status.NOT_ONLY_OP;
}
