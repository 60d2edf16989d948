// Creates racing on names that differ only in case (SMB names are case-insensitive, MS-FSA
// §2.1.5.1): two connections (python3-impacket threads, e2e/smb/case-race.py) create "nameN"
// and "NAMEN" at once, 25 rounds each with OPEN_IF and CREATE. Exactly one file is made a
// round: with OPEN_IF both opens get it, with CREATE the second is OBJECT_NAME_COLLISION.
// Before the check moved under the directory's lock, about a third of the rounds made two files.
// Then 25 rounds of a rename to "renN" racing a CREATE of "RENN": one wins, the other is
// OBJECT_NAME_COLLISION (without the check under the lock, 5 of 25 rounds made two names;
// Samba 4.17 made two in 2 of 25). A case-only rename keeps the new spelling, and a rename
// onto a name differing only in case from another file is OBJECT_NAME_COLLISION, or with
// ReplaceIfExists replaces it under the new spelling.
import { describe, expect, it } from 'vitest';
import { impacketCases } from '../helpers/impacket-cases.ts';
import { IMPACKET, unmet } from '../helpers/requirements.ts';
import { smbServerForSuite } from '../helpers/smb.ts';

describe.skipIf(unmet(IMPACKET) !== null)('case-insensitive create and rename races', () => {
  const dfs = smbServerForSuite();

  it('keep one entry per case-insensitive name', async () => {
    const { code, outcomes, context } = await impacketCases(dfs(), 'case-race.py');
    expect(code, context).toBe(0);
    expect(outcomes, context).toEqual({
      'OPEN_IF: opened + opened same file': '25',
      'OPEN_IF: names with more than one entry: 0': '1',
      'CREATE: opened + status:0xc0000035': '25',
      'CREATE: names with more than one entry: 0': '1',
      'RENAME: made + status:0xc0000035': '25',
      'RENAME: names with more than one entry: 0': '1',
      'case-only rename': 'CASE.TXT',
      'rename onto a case variant': 'status:0xc0000035',
      // MS-FSA §2.1.5.14.11: the replaced link goes and the new one has the name asked for (Samba
      // 4.17 here keeps the replaced file's spelling, "CASE.TXT").
      'replace onto a case variant': 'case.Txt',
    });
  }, 120_000);
});
