/**
 * NFSv4 opens keep files another client removes (open-holds.ts, RFC 7530 §9.9): the open's
 * filehandle reads, writes and answers GETATTR (no link left) while the name is gone; the file
 * and its content go when the open state does (CLOSE, lease expiry), not before.
 */
import { vi, describe, expect, it } from 'vitest';
import {
  op,
  PUTROOTFH,
  lookup,
  getattr,
  putfh,
  openCreate,
  write,
  read,
  close,
  renew,
  harness,
} from '../../testing/nfs4-compound.ts';
import { ROOT } from '../../../metadata/testing.ts';
import { A } from './attrs.ts';
import { Nfs4Status as S, Op } from './constants.ts';

const remove = (name: string) => op(Op.REMOVE, (w) => void w.string(name));
const BYTES = Buffer.from('kept while open');

/** A server with client `c`, the file `f` it created, wrote and opened, and watched payload releases. */
async function openedFile() {
  const h = await harness();
  const c = await h.client('c');
  const file = await h.openFile(c, 'o', 'f');
  expect(h.statuses(await h.run([putfh(file.fh), write(file.stateid, 0, BYTES)]))).toEqual([S.OK, S.OK]);
  const attr = await h.rt.metadata.getAttr(ROOT, file.fh);
  const released = vi.spyOn(h.rt.payload, 'release');
  return { ...h, c, ...file, payloadId: attr.payloadId, released };
}

describe('NFSv4 opens of removed files', () => {
  it('reads, writes and answers GETATTR through the open after another client removes the name; CLOSE frees it', async () => {
    const { run, statuses, body, fh, stateid, payloadId, released } = await openedFile();
    expect(statuses(await run([PUTROOTFH, lookup('export'), remove('f')]))).toEqual([S.OK, S.OK, S.OK]);
    expect(statuses(await run([PUTROOTFH, lookup('export'), lookup('f')]))[2]).toBe(S.NOENT);
    expect(released).not.toHaveBeenCalled();

    const res = await run([putfh(fh), read(stateid, 0, 100), getattr([A.SIZE, A.NUMLINKS])]);
    expect(statuses(res)).toEqual([S.OK, S.OK, S.OK]);
    expect(body(res, 1).data).toEqual(BYTES);
    expect(body(res, 2).source.attr.nlink).toBe(0);
    const more = Buffer.from(' and grows');
    expect(statuses(await run([putfh(fh), write(stateid, BYTES.length, more)]))).toEqual([S.OK, S.OK]);
    expect(body(await run([putfh(fh), read(stateid, 0, 100)]), 1).data).toEqual(Buffer.concat([BYTES, more]));

    expect(statuses(await run([putfh(fh), close(stateid, 3)]))).toEqual([S.OK, S.OK]);
    expect(released).toHaveBeenCalledWith('/export', payloadId);
    expect(statuses(await run([putfh(fh), getattr([A.SIZE])]))[1]).toBe(S.STALE);
  });

  it('holds once per open state: a second OPEN of the same owner adds no hold, another owner does', async () => {
    const { run, statuses, body, c, fh, stateid, payloadId, released } = await openedFile();
    const again = await run([PUTROOTFH, lookup('export'), openCreate(c, 'o', 3, 'f')]);
    expect(statuses(again)).toEqual([S.OK, S.OK, S.OK]);
    const other = await run([PUTROOTFH, lookup('export'), openCreate(c, 'p', 1, 'f')]);
    expect(statuses(other)).toEqual([S.OK, S.OK, S.OK]);
    expect(statuses(await run([PUTROOTFH, lookup('export'), remove('f')]))).toEqual([S.OK, S.OK, S.OK]);

    const upgraded = { seqid: stateid.seqid + 1, other: stateid.other };
    expect(statuses(await run([putfh(fh), close(upgraded, 4)]))).toEqual([S.OK, S.OK]);
    expect(released).not.toHaveBeenCalled();
    const second = body(other, 2).stateid;
    expect(body(await run([putfh(fh), read(second, 0, 100)]), 1).data).toEqual(BYTES);
    expect(statuses(await run([putfh(fh), close(second, 2)]))).toEqual([S.OK, S.OK]);
    expect(released).toHaveBeenCalledWith('/export', payloadId);
  });

  it('frees the removed file when the open goes with its lease', async () => {
    const { run, statuses, client, fh, payloadId, released, advance } = await openedFile();
    const other = await client('other');
    expect(statuses(await run([PUTROOTFH, lookup('export'), remove('f')]))).toEqual([S.OK, S.OK, S.OK]);
    advance(60_000);
    expect(statuses(await run([renew(other)]))).toEqual([S.OK]);
    expect(released).not.toHaveBeenCalled();
    advance(60_000); // c: 120 s without a renewal, past its 90 s lease
    expect(statuses(await run([renew(other)]))).toEqual([S.OK]);
    await vi.waitFor(() => expect(released).toHaveBeenCalledWith('/export', payloadId));
    expect(statuses(await run([putfh(fh), getattr([A.SIZE])]))[1]).toBe(S.STALE);
  });

  it('frees the removed file when the adapter stops and its opens end', async () => {
    const { run, statuses, server, fh, payloadId, released } = await openedFile();
    expect(statuses(await run([PUTROOTFH, lookup('export'), remove('f')]))).toEqual([S.OK, S.OK, S.OK]);
    await server.state.closeAll();
    expect(released).toHaveBeenCalledWith('/export', payloadId);
    expect(statuses(await run([putfh(fh), getattr([A.SIZE])]))[1]).toBe(S.STALE);
  });
});
