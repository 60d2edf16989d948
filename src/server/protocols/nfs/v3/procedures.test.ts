/**
 * Byte fixtures for every NFSv3 procedure (RFC 1813 §3.3): arguments decoded from
 * annotated hex, results encoded to annotated hex.
 */
import { describe, expect, it } from 'vitest';
import type { Wcc } from '../../../metadata/types.ts';
import { hex } from '../../testing/hex.ts';
import { ATTR, DIR_FH, DIR_FH_BYTES, FATTR, FH, FH_BYTES, NAME, SATTR_NONE } from '../../testing/nfs-fixtures.ts';
import { XdrReader } from '../../xdr/reader.ts';
import { XdrWriter } from '../../xdr/writer.ts';
import type { Nfs3Result } from './codec/results.ts';
import type { Nfs3Handler } from './handler.ts';
import { access } from './handlers/access.ts';
import { commit } from './handlers/commit.ts';
import { create } from './handlers/create.ts';
import { FSINFO, fsinfo } from './handlers/fsinfo.ts';
import { fsstat } from './handlers/fsstat.ts';
import { getattr } from './handlers/getattr.ts';
import { link } from './handlers/link.ts';
import { lookup } from './handlers/lookup.ts';
import { mkdir } from './handlers/mkdir.ts';
import { mknod } from './handlers/mknod.ts';
import { nfsNull } from './handlers/null.ts';
import { PATHCONF, pathconf } from './handlers/pathconf.ts';
import { read } from './handlers/read.ts';
import { readdir } from './handlers/readdir.ts';
import { readdirplus } from './handlers/readdirplus.ts';
import { readlink } from './handlers/readlink.ts';
import { remove } from './handlers/remove.ts';
import { rename } from './handlers/rename.ts';
import { rmdir } from './handlers/rmdir.ts';
import { setattr } from './handlers/setattr.ts';
import { symlink } from './handlers/symlink.ts';
import { write } from './handlers/write.ts';

function decode<A>(h: { decode(r: XdrReader): A }, bytes: Buffer): A {
  const r = new XdrReader(bytes);
  const args = h.decode(r);
  expect(r.fault).toBeUndefined();
  expect(r.remaining).toBe(0);
  return args;
}

function garbage(h: { decode(r: XdrReader): unknown }, bytes: Buffer): boolean {
  const r = new XdrReader(bytes);
  h.decode(r);
  return !r.ok;
}

function encode<R extends Nfs3Result>(h: Pick<Nfs3Handler<unknown, R>, 'encode'>, res: R): Buffer {
  const w = new XdrWriter(1024);
  const bulk = h.encode(w, res, 1);
  return bulk ? Buffer.concat([w.finish(), bulk]) : w.finish();
}

const WCC: Wcc = { before: { size: 3, mtime: { sec: 1, nsec: 2 }, ctime: { sec: 3, nsec: 4 } }, after: ATTR };
const WCC_HEX = `
  00000001 00000000 00000003 00000001 00000002 00000003 00000004   # pre_op_attr: size 3, mtime 1.2, ctime 3.4
  00000001 ${FATTR}                                                  # post_op_attr
`;
const NO_WCC = '00000000 00000000   # wcc_data: no pre, no post\n';
const VERF = Buffer.from('b00710ad0000beef', 'hex');
const TIME_HEX = '6553f100 000001f4';

describe('NFSv3 procedure codecs', () => {
  it('NULL (§3.3.0): void in, void out', () => {
    expect(decode(nfsNull, Buffer.alloc(0))).toBeUndefined();
  });

  it('GETATTR (§3.3.1)', () => {
    expect(decode(getattr, hex(FH))).toEqual({ fh: FH_BYTES });
    expect(encode(getattr, { status: 0, ok: { attr: ATTR } })).toEqual(hex(`00000000 # NFS3_OK\n${FATTR}`));
    expect(encode(getattr, { status: 70 })).toEqual(hex('00000046 # NFS3ERR_STALE'));
  });

  it('SETATTR (§3.3.2)', () => {
    const args = hex(`
      ${FH}
      00000001 000001ed            # set_mode 0755
      00000000 00000000            # uid, gid unchanged
      00000001 00000000 00000000   # set_size 0
      00000001                     # atime SET_TO_SERVER_TIME
      00000000                     # mtime DONT_CHANGE
      00000001 ${TIME_HEX}         # guard: check ctime
    `);
    expect(decode(setattr, args)).toEqual({
      fh: FH_BYTES,
      attrs: { mode: 0o755, size: 0, atime: 'server' },
      guard: { sec: 1700000000, nsec: 500 },
    });
    expect(decode(setattr, hex(`${FH} ${SATTR_NONE} 00000000 # no guard`)).guard).toBeUndefined();
    expect(encode(setattr, { status: 0, wcc: WCC })).toEqual(hex(`00000000 ${WCC_HEX}`));
    expect(encode(setattr, { status: 10002 })).toEqual(hex(`00002712 # NFS3ERR_NOT_SYNC\n${NO_WCC}`));
  });

  it('LOOKUP (§3.3.3)', () => {
    expect(decode(lookup, hex(`${DIR_FH} ${NAME}`))).toEqual({ dir: DIR_FH_BYTES, name: 'a.txt' });
    expect(encode(lookup, { status: 0, dirAttr: undefined, ok: { handle: FH_BYTES, attr: ATTR } })).toEqual(
      hex(`
        00000000            # NFS3_OK
        ${FH}               # object
        00000001 ${FATTR}   # obj_attributes
        00000000            # dir_attributes absent
      `),
    );
    expect(encode(lookup, { status: 2 })).toEqual(hex('00000002 # NFS3ERR_NOENT\n00000000 # dir_attributes absent'));
  });

  it('ACCESS (§3.3.4)', () => {
    expect(decode(access, hex(`${FH} 0000003f # all six bits`))).toEqual({ fh: FH_BYTES, access: 0x3f });
    expect(encode(access, { status: 0, attr: ATTR, ok: { access: 0x1f } })).toEqual(
      hex(`00000000 00000001 ${FATTR} 0000001f # granted: all but EXECUTE`),
    );
    expect(encode(access, { status: 70 })).toEqual(hex('00000046 00000000'));
  });

  it('READLINK (§3.3.5)', () => {
    expect(decode(readlink, hex(FH))).toEqual({ fh: FH_BYTES });
    expect(encode(readlink, { status: 0, ok: { target: '/tmp' } })).toEqual(
      hex(`
        00000000            # NFS3_OK
        00000000            # symlink_attributes absent
        00000004 2f746d70   # data "/tmp"
      `),
    );
  });

  it('READ (§3.3.6): data is a separate chunk', () => {
    expect(decode(read, hex(`${FH} 00000000 00001000 # offset 4096\n 00002000 # count 8192`))).toEqual({
      fh: FH_BYTES,
      offset: 4096,
      count: 8192,
    });
    const data = Buffer.from('hello');
    const w = new XdrWriter(256);
    const bulk = read.encode(w, { status: 0, attr: undefined, ok: { eof: true, data } }, 1);
    expect(bulk).toBe(data);
    expect(w.finish()).toEqual(
      hex(`
        00000000   # NFS3_OK
        00000000   # file_attributes absent
        00000005   # count 5
        00000001   # eof TRUE
        00000005   # data length 5 (bytes and padding follow as chunks)
      `),
    );
    expect(encode(read, { status: 21 })).toEqual(hex('00000015 # NFS3ERR_ISDIR\n00000000'));
  });

  it('WRITE (§3.3.7)', () => {
    const args = hex(`
      ${FH}
      00000000 00000010   # offset 16
      00000003            # count 3
      00000002            # stable FILE_SYNC
      00000003 616263 00  # data "abc" + pad
    `);
    const a = decode(write, args);
    expect(a).toEqual({ fh: FH_BYTES, offset: 16, stable: 2, data: Buffer.from('abc') });
    expect(a.data.buffer).toBe(args.buffer);
    expect(
      garbage(write, hex(`${FH} 00000000 00000010 00000004 # count 4\n 00000002 00000003 616263 00 # but 3 bytes`)),
    ).toBe(true);
    expect(garbage(write, hex(`${FH} 00000000 00000010 00000003 00000003 # stable_how 3\n 00000003 616263 00`))).toBe(
      true,
    );
    expect(
      encode(write, {
        status: 0,
        wcc: { before: undefined, after: undefined },
        ok: { count: 3, committed: 2, verifier: VERF },
      }),
    ).toEqual(
      hex(`
        00000000            # NFS3_OK
        ${NO_WCC}           # file_wcc
        00000003            # count 3
        00000002            # committed FILE_SYNC
        b00710ad 0000beef   # writeverf3
      `),
    );
    expect(encode(write, { status: 30 })).toEqual(hex(`0000001e # NFS3ERR_ROFS\n${NO_WCC}`));
  });

  it('CREATE (§3.3.8)', () => {
    const unchecked = hex(`
      ${DIR_FH}
      ${NAME}
      00000000                     # createmode UNCHECKED
      00000001 000001a4            # set_mode 0644
      00000000 00000000            # uid, gid unchanged
      00000001 00000000 00000000   # set_size 0
      00000000 00000000            # atime, mtime DONT_CHANGE
    `);
    expect(decode(create, unchecked)).toEqual({
      where: { dir: DIR_FH_BYTES, name: 'a.txt' },
      mode: { kind: 'unchecked' },
      attrs: { mode: 0o644, size: 0 },
    });
    expect(decode(create, hex(`${DIR_FH} ${NAME} 00000001 # GUARDED\n ${SATTR_NONE}`)).mode).toEqual({
      kind: 'guarded',
    });
    expect(decode(create, hex(`${DIR_FH} ${NAME} 00000002 # EXCLUSIVE\n 0102030405060708 # createverf3`))).toEqual({
      where: { dir: DIR_FH_BYTES, name: 'a.txt' },
      mode: { kind: 'exclusive', verifier: Buffer.from('0102030405060708', 'hex') },
      attrs: {},
    });
    expect(
      encode(create, {
        status: 0,
        dirWcc: { before: undefined, after: undefined },
        ok: { handle: FH_BYTES, attr: ATTR },
      }),
    ).toEqual(
      hex(`
        00000000            # NFS3_OK
        00000001 ${FH}      # post_op_fh3
        00000001 ${FATTR}   # obj_attributes
        ${NO_WCC}           # dir_wcc
      `),
    );
    expect(encode(create, { status: 17 })).toEqual(hex(`00000011 # NFS3ERR_EXIST\n${NO_WCC}`));
  });

  it('MKDIR (§3.3.9)', () => {
    expect(
      decode(
        mkdir,
        hex(`${DIR_FH} ${NAME} 00000001 000001c0 00000000 00000000 00000000 00000000 00000000 # mode 0700`),
      ),
    ).toEqual({
      where: { dir: DIR_FH_BYTES, name: 'a.txt' },
      attrs: { mode: 0o700 },
    });
    expect(encode(mkdir, { status: 0, dirWcc: WCC, ok: { handle: FH_BYTES, attr: ATTR } })).toEqual(
      hex(`00000000 00000001 ${FH} 00000001 ${FATTR} ${WCC_HEX}`),
    );
  });

  it('SYMLINK (§3.3.10)', () => {
    expect(decode(symlink, hex(`${DIR_FH} ${NAME} ${SATTR_NONE} 00000004 2f746d70 # target "/tmp"`))).toEqual({
      where: { dir: DIR_FH_BYTES, name: 'a.txt' },
      attrs: {},
      target: '/tmp',
    });
    expect(encode(symlink, { status: 28 })).toEqual(hex(`0000001c # NFS3ERR_NOSPC\n${NO_WCC}`));
  });

  it('MKNOD (§3.3.11)', () => {
    expect(
      decode(mknod, hex(`${DIR_FH} ${NAME} 00000004 # NF3CHR\n ${SATTR_NONE} 00000001 00000003 # spec 1,3`)),
    ).toEqual({
      where: { dir: DIR_FH_BYTES, name: 'a.txt' },
      type: 4,
      attrs: {},
      rdev: { major: 1, minor: 3 },
    });
    expect(decode(mknod, hex(`${DIR_FH} ${NAME} 00000007 # NF3FIFO\n ${SATTR_NONE}`)).type).toBe(7);
    expect(decode(mknod, hex(`${DIR_FH} ${NAME} 00000001 # NF3REG: void`)).type).toBe(1);
    expect(garbage(mknod, hex(`${DIR_FH} ${NAME} 00000009 # not an ftype3`))).toBe(true);
    expect(encode(mknod, { status: 10007 })).toEqual(hex(`00002717 # NFS3ERR_BADTYPE\n${NO_WCC}`));
  });

  it('REMOVE (§3.3.12) and RMDIR (§3.3.13)', () => {
    expect(decode(remove, hex(`${DIR_FH} ${NAME}`))).toEqual({ dir: DIR_FH_BYTES, name: 'a.txt' });
    expect(decode(rmdir, hex(`${DIR_FH} ${NAME}`))).toEqual({ dir: DIR_FH_BYTES, name: 'a.txt' });
    expect(encode(remove, { status: 0, wcc: WCC })).toEqual(hex(`00000000 ${WCC_HEX}`));
    expect(encode(rmdir, { status: 66 })).toEqual(hex(`00000042 # NFS3ERR_NOTEMPTY\n${NO_WCC}`));
  });

  it('RENAME (§3.3.14)', () => {
    expect(decode(rename, hex(`${DIR_FH} ${NAME} ${DIR_FH} 00000001 62000000 # "b"`))).toEqual({
      from: { dir: DIR_FH_BYTES, name: 'a.txt' },
      to: { dir: DIR_FH_BYTES, name: 'b' },
    });
    expect(encode(rename, { status: 0, fromWcc: WCC, toWcc: undefined })).toEqual(hex(`00000000 ${WCC_HEX} ${NO_WCC}`));
    expect(encode(rename, { status: 18 })).toEqual(hex(`00000012 # NFS3ERR_XDEV\n${NO_WCC} ${NO_WCC}`));
  });

  it('LINK (§3.3.15)', () => {
    expect(decode(link, hex(`${FH} ${DIR_FH} ${NAME}`))).toEqual({
      file: FH_BYTES,
      link: { dir: DIR_FH_BYTES, name: 'a.txt' },
    });
    expect(encode(link, { status: 0, attr: ATTR, dirWcc: WCC })).toEqual(hex(`00000000 00000001 ${FATTR} ${WCC_HEX}`));
    expect(encode(link, { status: 31 })).toEqual(hex(`0000001f # NFS3ERR_MLINK\n00000000 ${NO_WCC}`));
  });

  it('READDIR (§3.3.16)', () => {
    expect(
      decode(
        readdir,
        hex(`${DIR_FH} 00000000 00000003 # cookie 3\n 0102030405060708 # cookieverf\n 00001000 # count 4096`),
      ),
    ).toEqual({
      dir: DIR_FH_BYTES,
      cookie: 3,
      cookieverf: Buffer.from('0102030405060708', 'hex'),
      count: 4096,
    });
    const entries = [
      { fileid: 1, name: '.', cookie: 1, handle: undefined, attr: undefined },
      { fileid: 5, name: 'a.txt', cookie: 3, handle: FH_BYTES, attr: ATTR },
    ];
    expect(encode(readdir, { status: 0, attr: undefined, ok: { verifier: VERF, entries, eof: true } })).toEqual(
      hex(`
        00000000                       # NFS3_OK
        00000000                       # dir_attributes absent
        b00710ad 0000beef              # cookieverf
        00000001                       # entry follows
        00000000 00000001              # fileid 1
        00000001 2e000000              # name "."
        00000000 00000001              # cookie 1
        00000001                       # entry follows
        00000000 00000005              # fileid 5
        ${NAME}
        00000000 00000003              # cookie 3
        00000000                       # no more entries
        00000001                       # eof
      `),
    );
    expect(encode(readdir, { status: 10003 })).toEqual(hex('00002713 # NFS3ERR_BAD_COOKIE\n00000000'));
  });

  it('READDIRPLUS (§3.3.17)', () => {
    expect(
      decode(
        readdirplus,
        hex(
          `${DIR_FH} 00000000 00000000 0000000000000000 # cookie 0, verf 0\n 00000200 # dircount 512\n 00001000 # maxcount 4096`,
        ),
      ),
    ).toEqual({ dir: DIR_FH_BYTES, cookie: 0, cookieverf: Buffer.alloc(8), dircount: 512, maxcount: 4096 });
    const entries = [{ fileid: 5, name: 'a.txt', cookie: 3, handle: FH_BYTES, attr: ATTR }];
    expect(encode(readdirplus, { status: 0, attr: ATTR, ok: { verifier: VERF, entries, eof: false } })).toEqual(
      hex(`
        00000000                       # NFS3_OK
        00000001 ${FATTR}              # dir_attributes
        b00710ad 0000beef              # cookieverf
        00000001                       # entry follows
        00000000 00000005              # fileid 5
        ${NAME}
        00000000 00000003              # cookie 3
        00000001 ${FATTR}              # name_attributes
        00000001 ${FH}                 # name_handle
        00000000                       # no more entries
        00000000                       # eof FALSE
      `),
    );
  });

  it('FSSTAT (§3.3.18)', () => {
    expect(decode(fsstat, hex(DIR_FH))).toEqual({ fh: DIR_FH_BYTES });
    const stat = {
      totalBytes: 2 ** 40,
      freeBytes: 2 ** 39,
      availBytes: 2 ** 38,
      totalFiles: 1000,
      freeFiles: 900,
      availFiles: 800,
    };
    expect(encode(fsstat, { status: 0, attr: undefined, ok: stat })).toEqual(
      hex(`
        00000000 00000000    # NFS3_OK, no attributes
        00000100 00000000    # tbytes 2^40
        00000080 00000000    # fbytes 2^39
        00000040 00000000    # abytes 2^38
        00000000 000003e8    # tfiles 1000
        00000000 00000384    # ffiles 900
        00000000 00000320    # afiles 800
        00000000             # invarsec 0
      `),
    );
  });

  it('FSINFO (§3.3.19)', () => {
    expect(decode(fsinfo, hex(DIR_FH))).toEqual({ fh: DIR_FH_BYTES });
    expect(encode(fsinfo, { status: 0, attr: undefined, ok: FSINFO })).toEqual(
      hex(`
        00000000 00000000    # NFS3_OK, no attributes
        00100000             # rtmax 1 MiB
        00100000             # rtpref 1 MiB
        00001000             # rtmult 4096
        00100000             # wtmax 1 MiB
        00100000             # wtpref 1 MiB
        00001000             # wtmult 4096
        00010000             # dtpref 64 KiB
        001fffff ffffffff    # maxfilesize 2^53-1
        00000000 00000001    # time_delta 1 ns
        0000001b             # LINK|SYMLINK|HOMOGENEOUS|CANSETTIME
      `),
    );
  });

  it('PATHCONF (§3.3.20)', () => {
    expect(decode(pathconf, hex(FH))).toEqual({ fh: FH_BYTES });
    expect(encode(pathconf, { status: 0, attr: undefined, ok: PATHCONF })).toEqual(
      hex(`
        00000000 00000000    # NFS3_OK, no attributes
        00007fff             # linkmax 32767
        000000ff             # name_max 255
        00000001             # no_trunc
        00000001             # chown_restricted
        00000000             # case_insensitive
        00000001             # case_preserving
      `),
    );
  });

  it('COMMIT (§3.3.21)', () => {
    expect(decode(commit, hex(`${FH} 00000000 00000000 00000000 # offset 0, count 0 (whole file)`))).toEqual({
      fh: FH_BYTES,
      offset: 0,
      count: 0,
    });
    expect(encode(commit, { status: 0, wcc: WCC, ok: { verifier: VERF } })).toEqual(
      hex(`00000000 ${WCC_HEX} b00710ad0000beef # writeverf3`),
    );
    expect(encode(commit, { status: 5 })).toEqual(hex(`00000005 # NFS3ERR_IO\n${NO_WCC}`));
  });

  it('rejects handles over 64 bytes as garbage', () => {
    expect(garbage(getattr, hex(`00000041 ${'00'.repeat(68)} # 65-byte handle`))).toBe(true);
  });
});
