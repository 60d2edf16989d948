/** RFC 7530 §16.17 OPENATTR: named attributes are not supported (the named_attr attribute is false). */
import { Nfs4Status } from '../constants.ts';
import { Nfs4Error } from '../errors.ts';
import { noBody, type Nfs4Op } from '../handler.ts';

export const openattr: Nfs4Op<boolean, undefined> = {
  name: 'OPENATTR',
  decode: (r) => r.bool(),
  run: () => Promise.reject(new Nfs4Error(Nfs4Status.NOTSUPP)),
  encode: noBody,
};
