/**
 * MS-FSCC §2.3.7 FSCTL_CREATE_OR_GET_OBJECT_ID, answered with §2.1.3.1 FILE_OBJECTID_BUFFER:
 * ObjectId (the file id, stable for the file's life and unique in the share), BirthVolumeId,
 * BirthObjectId (the ObjectId: ids are never moved) and DomainId (none).
 */
import { Status } from '../constants.ts';
import { LeWriter } from '../writer.ts';
import type { OpenFsctl } from './fsctl.ts';

export const createOrGetObjectId: OpenFsctl = {
  name: 'CREATE_OR_GET_OBJECT_ID',
  target: 'file',
  async run(_req, open) {
    const id = new LeWriter(16).u64(open.fileid).u64(0).finish();
    const output = new LeWriter(64).bytes(id).zeros(16).bytes(id).zeros(16).finish();
    return { status: Status.SUCCESS, output };
  },
};
