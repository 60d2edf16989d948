// Delete-pending as the state of the file, not of one open (MS-FSA §2.1.5.14.3, §2.1.5.4),
// driven by python3-impacket over two connections (e2e/smb/delete-pending.py): disposition
// set through one open and cleared through another, delete-on-close taking effect as its open
// closes, DELETE_PENDING for new opens, the last close deleting, and the refusals (no DELETE
// access, READONLY, a directory with entries), and FileDispositionInformationEx's flags. The
// expected outcomes are what Samba 4.17 answers on this machine, except the 'ex' cases.
import { describe, expect, it } from 'vitest';
import { impacketCases } from '../helpers/impacket-cases.ts';
import { IMPACKET, unmet } from '../helpers/requirements.ts';
import { smbServerForSuite } from '../helpers/smb.ts';

const EXPECTED: Record<string, string> = {
  'set disposition': 'ok',
  'standard info of the setting open': 'pending:1 links:0',
  "standard info of another connection's open": 'pending:1 links:0',
  'new open while pending': 'status:0xc0000056',
  'create of a pending name': 'status:0xc0000035',
  'clear disposition through another open': 'ok',
  'standard info after clearing': 'pending:0 links:1',
  'cleared: file kept after the last close': 'exists',
  "after the setting open closed, others' close pending": 'status:0xc0000056',
  'last close deletes': 'gone',
  'standard info of a delete-on-close open': 'pending:0 links:1',
  'delete-on-close open closed, another open left': 'pending:1 links:0',
  'new open after delete-on-close closed': 'status:0xc0000056',
  'delete-on-close: last close deletes': 'gone',
  // FileDispositionInformationEx (MS-FSCC §2.4.11.2; no Samba reference here).
  'ex ON_CLOSE|DELETE': 'ok',
  'ex ON_CLOSE|DELETE: standard info while open': 'pending:0 links:1',
  'ex ON_CLOSE|DELETE closed, another open left': 'pending:1 links:0',
  'ex ON_CLOSE|DELETE: last close deletes': 'gone',
  'ex ON_CLOSE clears delete-on-close': 'ok',
  'ex ON_CLOSE cleared: file kept': 'exists',
  'ex DELETE': 'ok',
  'ex DELETE: standard info': 'pending:1 links:0',
  'ex DO_NOT_DELETE clears it': 'ok',
  'ex DO_NOT_DELETE: file kept': 'exists',
  'ex DELETE|POSIX_SEMANTICS': 'ok',
  'ex POSIX: another open reads after the deleting open closed': 'posix',
  // Windows frees the name as the POSIX open closes; dfs keeps it delete-pending to the last close.
  'ex POSIX: new open of the name': 'status:0xc0000056',
  'ex POSIX: last close deletes': 'gone',
  'disposition without DELETE access': 'status:0xc0000022',
  'disposition on a READONLY file': 'status:0xc0000121',
  'delete-on-close of a READONLY file': 'status:0xc0000121',
  'ex DELETE on a READONLY file': 'status:0xc0000121',
  'ex ON_CLOSE|DELETE on a READONLY file': 'status:0xc0000121',
  'ex DELETE|IGNORE_READONLY_ATTRIBUTE on a READONLY file': 'ok',
  'ex IGNORE_READONLY_ATTRIBUTE: close deletes': 'gone',
  'disposition on a directory with entries': 'status:0xc0000101',
};

describe.skipIf(unmet(IMPACKET) !== null)('delete-pending', () => {
  const dfs = smbServerForSuite();

  it("is the file's state, as Samba keeps it", async () => {
    const { code, outcomes, context } = await impacketCases(dfs(), 'delete-pending.py');
    expect(code, context).toBe(0);
    expect(outcomes, context).toEqual(EXPECTED);
  }, 120_000);
});
