/** Runs one RPC procedure on XDR argument bytes, as the dispatcher would, and returns the encoded result. */
import { expect } from 'vitest';
import type { RpcCall, RpcProcedure } from '../rpc/program.ts';
import { XdrReader } from '../xdr/reader.ts';
import { XdrWriter } from '../xdr/writer.ts';

export async function runProcedure<A, R>(
  p: RpcProcedure<A, R> | undefined,
  args: Buffer,
  call: RpcCall,
): Promise<Buffer> {
  if (!p) throw new Error('no procedure');
  const r = new XdrReader(args);
  const a = p.decode(r);
  expect(r.ok).toBe(true);
  const w = new XdrWriter(256);
  p.encode(w, await p.run(call, a));
  return Buffer.from(w.finish());
}
