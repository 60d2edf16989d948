/** File-system errors of a folder share as registry errors, each with a sentence for the log and the API. */
import { DittoError, type ErrorCode } from '../../shared/errors.ts';

const CODES: Record<string, ErrorCode> = {
  EEXIST: 'EXISTS',
  ENOENT: 'NOT_FOUND',
  ENOTDIR: 'NOT_DIRECTORY',
  EISDIR: 'IS_DIRECTORY',
  ENOTEMPTY: 'NOT_EMPTY',
  ENAMETOOLONG: 'NAME_TOO_LONG',
  EACCES: 'ACCESS_DENIED',
  EPERM: 'PERMISSION_DENIED',
  EBUSY: 'PERMISSION_DENIED',
  ENOSPC: 'NO_SPACE',
  EDQUOT: 'QUOTA_EXCEEDED',
  EXDEV: 'CROSS_DEVICE',
  EROFS: 'READ_ONLY',
  EMLINK: 'TOO_MANY_LINKS',
  EFBIG: 'FILE_TOO_LARGE',
  ENOTSUP: 'NOT_SUPPORTED',
  EOPNOTSUPP: 'NOT_SUPPORTED',
  EIO: 'IO',
  SQLITE_FULL: 'NO_SPACE',
};

/** Names or types the local file system refuses (a name invalid on it, a loop). */
const REFUSED = new Set(['EINVAL', 'EILSEQ', 'ELOOP']);

/**
 * `err` from a file-system call on `path` as a DittoError. ENOTEMPTY also comes as EEXIST
 * from rmdir/rename on some systems; `notEmpty` says the call was one of those.
 */
export function fsError(err: unknown, path: string, notEmpty = false): DittoError {
  if (err instanceof DittoError) return err;
  const code = (err as NodeJS.ErrnoException | undefined)?.code ?? '';
  const detail = `${path}: ${(err as Error | undefined)?.message ?? String(err)}`;
  if (REFUSED.has(code)) {
    return new DittoError('INVALID_ARGUMENT', `the folder's file system refuses this name or type (${detail})`);
  }
  if (notEmpty && code === 'EEXIST') return new DittoError('NOT_EMPTY', detail);
  return new DittoError(CODES[code] ?? 'IO', detail);
}
