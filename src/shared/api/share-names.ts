/**
 * Share names, and why these rules. A share is named like an export path ("/export",
 * "/Family photos", "/média/été"): NFS clients mount that path and SMB clients see it as
 * the share name. Both protocols carry UTF-8, so letters of any script and spaces are
 * allowed, as on every NAS. SMB share names are at most 80 characters and exclude
 * " \ / [ ] : | < > + = ; , * ? (MS-SRVS 2.2.4.22 and Windows' own rules), so the whole
 * name keeps to 80 characters and no part uses those characters; "/" only separates parts.
 */

export const SHARE_NAME_MAX = 80;
export const SHARE_NAME_MAX_PARTS = 8;
/** Characters an SMB share name cannot hold (besides "/", the path separator here). */
export const SHARE_NAME_FORBIDDEN = '"\\[]:|<>+=;,*?';

const FORBIDDEN_WORDS = `${SHARE_NAME_FORBIDDEN.slice(0, -1).split('').join(' ')} and ${SHARE_NAME_FORBIDDEN.slice(-1)}`;

/** What is wrong with a share name, in words; undefined when it is fine. */
export function shareNameProblem(name: string): string | undefined {
  if (name.trim() === '' || name === '/') return 'enter a name such as /photos';
  if (!name.startsWith('/')) return 'a share name starts with "/", such as /photos';
  const chars = [...name].length;
  if (chars > SHARE_NAME_MAX)
    return `use at most ${SHARE_NAME_MAX} characters (this name has ${chars}): longer names do not fit SMB`;
  const bad = [...new Set([...name].filter((c) => SHARE_NAME_FORBIDDEN.includes(c)))];
  if (bad.length > 0)
    return `a share name cannot contain ${bad.map((c) => `"${c}"`).join(' or ')} (SMB share names exclude ${FORBIDDEN_WORDS})`;
  // Control characters (tabs, new lines) cannot be typed by a client either.
  if (/\p{Cc}/u.test(name)) return 'a share name cannot contain tabs, new lines or other control characters';
  const parts = name.slice(1).split('/');
  if (parts.some((p) => p === '')) return 'a share name cannot contain "//" or end with "/"';
  if (parts.some((p) => p === '.' || p === '..')) return 'a share name cannot have "." or ".." as a part';
  if (parts.some((p) => p.trim() !== p)) return 'a part of a share name cannot start or end with a space';
  if (parts.length > SHARE_NAME_MAX_PARTS) return `a share name has at most ${SHARE_NAME_MAX_PARTS} parts`;
  return undefined;
}
