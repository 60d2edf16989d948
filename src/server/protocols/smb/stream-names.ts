/**
 * Stream names in CREATE paths (MS-FSCC §2.1.5.1, MS-FSA §2.1.5.1): the last component may be
 * `file:stream`, `file:stream:$DATA` or `file::$DATA` (the file itself). `$DATA` is the only
 * stream type a file here has (in any case); a stream name holds no `\`, `/` or NUL and is at
 * most 255 characters, otherwise anything (Office's `\x05SummaryInformation` has a control
 * character). Anything else after a colon is OBJECT_NAME_INVALID, as on Windows.
 */
import { Status } from './constants.ts';
import { SmbStatusError } from './handler.ts';

export interface StreamPath {
  /** The path of the file (or directory) the stream belongs to. */
  path: string;
  /** The named stream; undefined for the file itself (no colon, or `::$DATA`). */
  stream: string | undefined;
  /** The file's unnamed data stream was named (`::$DATA`): a directory has none. */
  unnamedData: boolean;
}

const MAX_STREAM_NAME = 255;

export function splitStreamName(path: string): StreamPath {
  const lastStart = path.lastIndexOf('\\') + 1;
  const colon = path.indexOf(':', lastStart);
  if (colon < 0) return { path, stream: undefined, unnamedData: false };
  const [name = '', type, ...more] = path.slice(colon + 1).split(':');
  const invalid =
    more.length > 0 ||
    (type !== undefined && type.toUpperCase() !== '$DATA') ||
    (name === '' && type === undefined) ||
    name.length > MAX_STREAM_NAME ||
    /[/\\\0]/.test(name);
  if (invalid) throw new SmbStatusError(Status.OBJECT_NAME_INVALID);
  return { path: path.slice(0, colon), stream: name === '' ? undefined : name, unnamedData: name === '' };
}
