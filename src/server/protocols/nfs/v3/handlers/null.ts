/** RFC 1813 §3.3.0 NULL: does nothing; clients use it to ping the server. */
export { nullProcedure as nfsNull } from '../../../rpc/program.ts';
