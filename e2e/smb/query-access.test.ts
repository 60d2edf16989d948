// QUERY_INFO checks the open's access per information class (MS-SMB2 §3.3.5.20, MS-FSA
// §2.1.5.11), driven by python3-impacket (e2e/smb/query-access.py): basic, all, network-open
// and attribute-tag need FILE_READ_ATTRIBUTES, a security descriptor READ_CONTROL, standard
// nothing. The expected outcomes are what Samba 4.17 answers on this machine.
import { describe, expect, it } from 'vitest';
import { impacketCases } from '../helpers/impacket-cases.ts';
import { IMPACKET, unmet } from '../helpers/requirements.ts';
import { smbServerForSuite } from '../helpers/smb.ts';

const DENIED = 'status:0xc0000022';
const EXPECTED: Record<string, string> = {
  'basic without READ_ATTRIBUTES': DENIED,
  'all without READ_ATTRIBUTES': DENIED,
  'network-open without READ_ATTRIBUTES': DENIED,
  'attribute-tag without READ_ATTRIBUTES': DENIED,
  'standard without READ_ATTRIBUTES': 'ok',
  'basic with READ_ATTRIBUTES': 'ok',
  'all with READ_ATTRIBUTES': 'ok',
  'security without READ_CONTROL': DENIED,
  'security with READ_CONTROL': 'ok',
};

describe.skipIf(unmet(IMPACKET) !== null)('QUERY_INFO access checks', () => {
  const dfs = smbServerForSuite();

  it('refuses the classes the open lacks access for, as Samba does', async () => {
    const { code, outcomes, context } = await impacketCases(dfs(), 'query-access.py');
    expect(code, context).toBe(0);
    expect(outcomes, context).toEqual(EXPECTED);
  }, 120_000);
});
