/**
 * MS-SMB2 §3.3.5.15.5 FSCTL_SRV_REQUEST_RESUME_KEY: a 24-byte key naming an open, for a later
 * FSCTL_SRV_COPYCHUNK(_WRITE) to name its source by (§2.2.32.3: key, ContextLength 0 and 4
 * unused bytes, 32 in all). The key is the open's FileId and a tag, an HMAC over the FileId
 * and session under a secret of this process: nothing is stored, the key lives exactly as
 * long as its open, and only the session that asked for it can use it.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { Status } from '../constants.ts';
import { SmbStatusError, type SmbContext } from '../handler.ts';
import type { Open } from '../state.ts';
import { LeWriter } from '../writer.ts';
import type { OpenFsctl } from './fsctl.ts';

export const RESUME_KEY_SIZE = 24;
const RESPONSE_SIZE = 32;
const SECRET = randomBytes(32);

function tag(volatile: bigint, persistent: bigint, sessionId: bigint): Buffer {
  const ids = new LeWriter(24).u64(volatile).u64(persistent).u64(sessionId).finish();
  return createHmac('sha256', SECRET).update(ids).digest().subarray(0, 8);
}

export function resumeKeyOf(open: Open): Buffer {
  const w = new LeWriter(RESUME_KEY_SIZE).u64(open.volatileId).u64(open.persistentId);
  return w.bytes(tag(open.volatileId, open.persistentId, open.sessionId)).finish();
}

/** §3.3.5.15.6: the open a resume key names, in this session; OBJECT_NAME_NOT_FOUND if none. */
export function openOfResumeKey(ctx: SmbContext, key: Buffer): Open {
  const open = key.length === RESUME_KEY_SIZE ? ctx.conn.opens.get(key.readBigUInt64LE(0)) : undefined;
  if (
    !open ||
    open.sessionId !== ctx.session?.id ||
    open.persistentId !== key.readBigUInt64LE(8) ||
    !timingSafeEqual(key.subarray(16), tag(open.volatileId, open.persistentId, open.sessionId))
  )
    throw new SmbStatusError(Status.OBJECT_NAME_NOT_FOUND);
  return open;
}

export const requestResumeKey: OpenFsctl = {
  name: 'SRV_REQUEST_RESUME_KEY',
  target: 'file',
  async run({ maxOutput }, open) {
    if (maxOutput < RESPONSE_SIZE) throw new SmbStatusError(Status.INVALID_PARAMETER);
    const output = new LeWriter(RESPONSE_SIZE).bytes(resumeKeyOf(open)).u32(0).u32(0).finish();
    return { status: Status.SUCCESS, output };
  },
};
