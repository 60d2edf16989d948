// DOS attributes over SMB (MS-FSCC §2.6, MS-FSA §2.1.5.1.2.1, §2.1.5.14.2), driven by
// python3-impacket (e2e/smb/dos-attributes.py): CREATE's FileAttributes, SET_INFO
// FileBasicInformation, QUERY_INFO and QUERY_DIRECTORY, ARCHIVE on create and write, and the
// opens a READONLY, HIDDEN or SYSTEM file refuses. The expected outcomes are what Samba 4.17
// answers on this machine (store dos attributes, its default).
import { describe, expect, it } from 'vitest';
import { impacketCases } from '../helpers/impacket-cases.ts';
import { IMPACKET, unmet } from '../helpers/requirements.ts';
import { smbServerForSuite } from '../helpers/smb.ts';

const EXPECTED: Record<string, string> = {
  'new file with NORMAL is ARCHIVE': 'attrs:0x20',
  'new file with HIDDEN|SYSTEM keeps them': 'attrs:0x26',
  'HIDDEN|SYSTEM file in a listing': 'attrs:0x26',
  'set READONLY': 'attrs:0x01',
  'open READONLY file for write': 'status:0xc0000022',
  'open READONLY file delete-on-close': 'status:0xc0000121',
  'set NORMAL clears everything': 'attrs:0x80',
  'zero leaves attributes': 'attrs:0x26',
  'set HIDDEN|ARCHIVE, listed': 'attrs:0x22',
  'write sets ARCHIVE': 'attrs:0x20',
  'overwrite HIDDEN|SYSTEM file without them': 'status:0xc0000022',
  'overwrite HIDDEN|SYSTEM file with them': 'attrs:0x26',
  'new READONLY file': 'attrs:0x21',
  'new directory with HIDDEN': 'attrs:0x12',
  'directory set SYSTEM': 'attrs:0x14',
  'directory set NORMAL': 'attrs:0x10',
};

describe.skipIf(unmet(IMPACKET) !== null)('DOS attributes', () => {
  const dfs = smbServerForSuite();

  it('are kept, shown and enforced as Samba does', async () => {
    const { code, outcomes, context } = await impacketCases(dfs(), 'dos-attributes.py');
    expect(code, context).toBe(0);
    expect(outcomes, context).toEqual(EXPECTED);
  }, 120_000);
});
