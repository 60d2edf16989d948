/**
 * MS-SMB2 §3.3.5.18 QUERY_DIRECTORY: a directory's entries matching a pattern, in the
 * requested information class, as many as fit the output buffer. The listing is taken at
 * the first call (or on RESTART_SCANS / REOPEN / a new pattern) and handed out in pieces;
 * '.' and '..' come first; an entry removed since the listing was taken is left out when its
 * turn comes (smbtorture dir.fixed). NO_MORE_FILES at the end, NO_SUCH_FILE when nothing
 * matched.
 */
import { HEADER_SIZE, Status } from '../constants.ts';
import { openOf, outputBuffer, SmbStatusError, type SmbHandler } from '../handler.ts';
import { DIR_INFO_CLASSES, encodeDirEntry } from '../info/dir-info.ts';
import { LeReader } from '../reader.ts';
import type { DirScan } from '../state.ts';
import { wildcardMatcher } from '../wildcard.ts';
import { LeWriter } from '../writer.ts';

const Flag = { RESTART_SCANS: 0x1, RETURN_SINGLE_ENTRY: 0x2, INDEX_SPECIFIED: 0x4, REOPEN: 0x10 } as const;
const PAGE = 1024;

export const queryDirectory: SmbHandler = {
  name: 'QUERY_DIRECTORY',
  needsSession: true,
  needsTree: true,
  async run(ctx) {
    const r = new LeReader(ctx.msg, HEADER_SIZE);
    if (r.u16() !== 33) throw new SmbStatusError(Status.INVALID_PARAMETER);
    const cls = r.u8();
    const flags = r.u8();
    r.u32();
    const open = openOf(ctx, r.u64(), r.u64());
    const pattern = r.at(r.u16(), r.u16());
    const outputLength = r.u32();
    if (!r.ok || pattern.length % 2 !== 0) throw new SmbStatusError(Status.INVALID_PARAMETER);
    if (!DIR_INFO_CLASSES.has(cls)) throw new SmbStatusError(Status.INVALID_INFO_CLASS);
    if (!open.isDirectory) throw new SmbStatusError(Status.INVALID_PARAMETER);
    const session = ctx.session;
    if (!session) throw new SmbStatusError(Status.USER_SESSION_DELETED);
    const md = ctx.server.runtime.metadata;
    const text = pattern.toString('utf16le') || '*';
    const fresh =
      !open.scan || flags & (Flag.RESTART_SCANS | Flag.REOPEN) || (pattern.length > 0 && text !== open.scan.pattern);
    if (fresh) {
      const matches = wildcardMatcher(text);
      const dirAttr = await md.getAttr(session.auth, open.handle);
      const scan: DirScan = { pattern: text, pending: [] };
      for (const dot of ['.', '..'])
        if (matches(dot)) scan.pending?.push({ name: dot, attr: dirAttr, handle: undefined });
      let cookie = 0;
      let verifier: Buffer | undefined;
      for (;;) {
        const page = await md.readDir(session.auth, open.handle, cookie, verifier, PAGE);
        for (const e of page.entries)
          if (matches(e.name)) scan.pending?.push({ name: e.name, attr: e.attr, handle: e.handle });
        if (page.eof || page.entries.length === 0) break;
        cookie = (page.entries[page.entries.length - 1] as { cookie: number }).cookie;
        verifier = page.verifier;
      }
      if (scan.pending?.length === 0) {
        open.scan = { pattern: text, pending: [] };
        throw new SmbStatusError(Status.NO_SUCH_FILE);
      }
      open.scan = scan;
    }
    const pending = open.scan?.pending ?? [];
    if (pending.length === 0) throw new SmbStatusError(Status.NO_MORE_FILES);
    const out = new LeWriter(Math.min(outputLength, 64 * 1024));
    let last = -1;
    while (pending.length > 0) {
      const next = pending[0]!;
      if (!fresh && next.handle !== undefined) {
        // Listed by an earlier call: skip it if removed since, else show it as it is now.
        const now = await md.lookup(session.auth, open.handle, next.name).catch(() => undefined);
        if (!now) {
          pending.shift();
          continue;
        }
        next.attr = now.attr;
      }
      const entry = encodeDirEntry(cls, next.name, next.attr);
      const start = (out.length + 7) & ~7;
      if (start + entry.length > outputLength) break;
      out.align(8);
      if (last >= 0) out.setU32(last, start - last);
      last = start;
      out.bytes(entry);
      pending.shift();
      if (flags & Flag.RETURN_SINGLE_ENTRY) break;
    }
    if (last < 0) throw new SmbStatusError(pending.length === 0 ? Status.NO_MORE_FILES : Status.BUFFER_TOO_SMALL);
    return outputBuffer(Status.SUCCESS, Buffer.from(out.finish()));
  },
};
