/**
 * MS-FSA §2.1.4.4 name matching for QUERY_DIRECTORY patterns: `*` and `?`, and the DOS
 * wildcards `<` (DOS_STAR), `>` (DOS_QM) and `"` (DOS_DOT), approximated as `*`, `?` and
 * `.`; case-insensitive like every SMB name comparison here.
 */
export function wildcardMatcher(pattern: string): (name: string) => boolean {
  if (pattern === '' || pattern === '*' || pattern === '*.*' || pattern === '<.*') return () => true;
  if (!/[*?<>"]/.test(pattern)) {
    const wanted = pattern.toLowerCase();
    return (name) => name.toLowerCase() === wanted;
  }
  let re = '';
  for (const ch of pattern) {
    if (ch === '*' || ch === '<') re += '.*';
    else if (ch === '?' || ch === '>') re += '.?';
    else if (ch === '"') re += '\\.?';
    else re += ch.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  const compiled = new RegExp(`^${re}$`, 'is');
  return (name) => compiled.test(name);
}
