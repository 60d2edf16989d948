// Creates racing on names that differ only in case (SMB names are case-insensitive, MS-FSA
// §2.1.5.1): two connections (python3-impacket threads, e2e/smb/case-race.py) create "nameN"
// and "NAMEN" at once, 25 rounds each with OPEN_IF and CREATE. Exactly one file is made a
// round: with OPEN_IF both opens get it, with CREATE the second is OBJECT_NAME_COLLISION.
// Before the check moved under the directory's lock, about a third of the rounds made two files.
import { describe, expect, it } from 'vitest';
import { impacketCases } from '../helpers/impacket-cases.ts';
import { IMPACKET, unmet } from '../helpers/requirements.ts';
import { smbServerForSuite } from '../helpers/smb.ts';

describe.skipIf(unmet(IMPACKET) !== null)('case-insensitive create races', () => {
  const dfs = smbServerForSuite();

  it('make one file per name', async () => {
    const { code, outcomes, context } = await impacketCases(dfs(), 'case-race.py');
    expect(code, context).toBe(0);
    expect(outcomes, context).toEqual({
      'OPEN_IF: opened + opened same file': '25',
      'OPEN_IF: names with more than one entry: 0': '1',
      'CREATE: opened + status:0xc0000035': '25',
      'CREATE: names with more than one entry: 0': '1',
    });
  }, 120_000);
});
