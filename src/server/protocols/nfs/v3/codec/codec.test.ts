import { describe, expect, it } from 'vitest';
import { hex } from '../../../testing/hex.ts';
import { ATTR, FATTR } from '../../../testing/nfs-fixtures.ts';
import { XdrReader } from '../../../xdr/reader.ts';
import { XdrWriter } from '../../../xdr/writer.ts';
import { decodeSattr3 } from './args.ts';
import { encodeFattr3, encodePostOpAttr, encodePostOpFh, encodeWcc } from './attrs.ts';

function encoded(f: (w: XdrWriter) => void): Buffer {
  const w = new XdrWriter(256);
  f(w);
  return w.finish();
}

describe('attribute encoders', () => {
  it('fattr3', () => {
    expect(encoded((w) => encodeFattr3(w, ATTR, 1))).toEqual(hex(FATTR));
  });

  it('post_op_attr present and absent', () => {
    expect(encoded((w) => encodePostOpAttr(w, ATTR, 1))).toEqual(hex(`00000001 # attributes follow\n${FATTR}`));
    expect(encoded((w) => encodePostOpAttr(w, undefined, 1))).toEqual(hex('00000000 # no attributes'));
  });

  it('wcc_data', () => {
    const before = { size: 3, mtime: { sec: 1, nsec: 2 }, ctime: { sec: 3, nsec: 4 } };
    expect(encoded((w) => encodeWcc(w, { before, after: ATTR }, 1))).toEqual(
      hex(`
        00000001             # pre_op_attr follows
        00000000 00000003    # size 3
        00000001 00000002    # mtime 1.2
        00000003 00000004    # ctime 3.4
        00000001             # post_op_attr follows
        ${FATTR}
      `),
    );
    expect(encoded((w) => encodeWcc(w, undefined, 1))).toEqual(hex('00000000 00000000 # no pre, no post'));
  });

  it('post_op_fh3', () => {
    expect(encoded((w) => encodePostOpFh(w, Buffer.from('abcdef', 'hex')))).toEqual(hex('00000001 00000003 abcdef00'));
    expect(encoded((w) => encodePostOpFh(w, undefined))).toEqual(hex('00000000'));
  });
});

describe('sattr3', () => {
  it('decodes only the attributes to set', () => {
    const r = new XdrReader(
      hex(`
        00000001 000081ed    # set_mode TRUE, 0100755 (type bits dropped)
        00000001 00000000    # set_uid TRUE, 0
        00000000             # set_gid FALSE
        00000001 00000000 00001000  # set_size TRUE, 4096
        00000001             # set_atime SET_TO_SERVER_TIME
        00000002 00000064 00000001  # set_mtime SET_TO_CLIENT_TIME 100.1
      `),
    );
    expect(decodeSattr3(r)).toEqual({ mode: 0o755, uid: 0, size: 4096, atime: 'server', mtime: { sec: 100, nsec: 1 } });
    expect(r.ok && r.remaining === 0).toBe(true);
  });

  it('decodes an empty sattr3 to no attributes and rejects a bad time_how', () => {
    expect(decodeSattr3(new XdrReader(hex('00000000 00000000 00000000 00000000 00000000 00000000')))).toEqual({});
    const bad = new XdrReader(hex('00000000 00000000 00000000 00000000 00000003 00000000 # set_atime 3'));
    decodeSattr3(bad);
    expect(bad.fault).toBe('range');
  });
});
