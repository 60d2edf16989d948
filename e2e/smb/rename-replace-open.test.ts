// A rename with ReplaceIfExists onto a file that is open (MS-FSCC §2.4.42: ACCESS_DENIED when
// the target is open), driven by python3-impacket over two connections
// (e2e/smb/rename-replace-open.py): the target held open by the other connection or by the
// renaming one, for data or for attributes only, named in its own spelling or another (SMB names
// are case-insensitive). dfs refuses every one of them, as Windows. Samba 4.17 here refuses only
// when the renaming connection holds the target open, and otherwise replaces it ("ok", listing
// "A.TXT", the holder still reading "old" from the unlinked file; noted beside each case).
import { describe, expect, it } from 'vitest';
import { impacketCases } from '../helpers/impacket-cases.ts';
import { IMPACKET, unmet } from '../helpers/requirements.ts';
import { smbServerForSuite } from '../helpers/smb.ts';

const REFUSED = { outcome: 'status:0xc0000022', listing: 'A.TXT,b.txt' };

describe.skipIf(unmet(IMPACKET) !== null)('rename replacing an open file', () => {
  const dfs = smbServerForSuite();

  it('is ACCESS_DENIED while the target has any open, as Windows', async () => {
    const { code, outcomes, context } = await impacketCases(dfs(), 'rename-replace-open.py');
    expect(code, context).toBe(0);
    expect(outcomes, context).toEqual({
      // Samba 4.17: ok, A.TXT, old.
      'onto a file another connection holds open': REFUSED.outcome,
      'onto a file another connection holds open: listing': REFUSED.listing,
      'onto a file another connection holds open: the holder reads': 'old',
      // Samba 4.17: ok, A.TXT, old.
      'onto it in another spelling': REFUSED.outcome,
      'onto it in another spelling: listing': REFUSED.listing,
      'onto it in another spelling: the holder reads': 'old',
      'onto it without ReplaceIfExists': 'status:0xc0000035',
      'onto it without ReplaceIfExists: listing': REFUSED.listing,
      'onto it without ReplaceIfExists: the holder reads': 'old',
      // Samba 4.17: ok, A.TXT.
      'onto a file open for attributes only': REFUSED.outcome,
      'onto a file open for attributes only: listing': REFUSED.listing,
      // As Samba 4.17 from here on.
      'onto a file this connection holds open': REFUSED.outcome,
      'onto a file this connection holds open: listing': REFUSED.listing,
      'onto a file this connection holds open: the holder reads': 'old',
      'onto one this connection holds for attributes only': REFUSED.outcome,
      'onto one this connection holds for attributes only: listing': REFUSED.listing,
      'onto a file no one holds open': 'ok',
      // MS-FSA §2.1.5.14.11: the new link has the name asked for (Samba keeps "A.TXT").
      'onto a file no one holds open: listing': 'a.txt',
      'the renamed open reads': 'new',
    });
  }, 120_000);
});
