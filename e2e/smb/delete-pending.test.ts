// Delete-pending as the state of the file, not of one open (MS-FSA §2.1.5.14.3, §2.1.5.4),
// driven by python3-impacket over two connections (e2e/smb/delete-pending.py): disposition
// set through one open and cleared through another, delete-on-close taking effect as its open
// closes, DELETE_PENDING for new opens, the last close deleting, and the refusals (no DELETE
// access, READONLY, a directory with entries). The expected outcomes are what Samba 4.17
// answers on this machine.
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
  'disposition without DELETE access': 'status:0xc0000022',
  'disposition on a READONLY file': 'status:0xc0000121',
  'delete-on-close of a READONLY file': 'status:0xc0000121',
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
