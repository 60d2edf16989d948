// The sparse flag (MS-FSCC §2.3 FSCTL_SET_SPARSE, §2.6 FILE_ATTRIBUTE_SPARSE_FILE) is the
// file's, kept with its DOS attributes in the metadata store: set through one connection,
// another sees it in QUERY_INFO, QUERY_DIRECTORY and FSCTL_QUERY_ALLOCATED_RANGES, and it
// outlives a restart of the server. Driven by python3-impacket (e2e/smb/sparse-flag.py).
import { afterAll, describe, expect, it } from 'vitest';
import { LOOPBACK_WITH_SMB, startDfs, type DfsProcess } from '../helpers/dfs.ts';
import { impacketCases } from '../helpers/impacket-cases.ts';
import { IMPACKET, unmet } from '../helpers/requirements.ts';
import { makeTmpDir, removeTmpDir } from '../helpers/tmp.ts';

// A fixed password, so admin signs in again after the restart on the same data dir.
const ENV = { ...LOOPBACK_WITH_SMB, DITTOFS_ADMIN_INITIAL_PASSWORD: 'e2e-sparse-flag-admin' };

describe.skipIf(unmet(IMPACKET) !== null)('the sparse flag', () => {
  const data = makeTmpDir('dittofs-sparse-data-');
  let dfs: DfsProcess | undefined;
  afterAll(async () => {
    await dfs?.stop();
    removeTmpDir(data);
  });

  async function phase(name: string, expected: Record<string, string>): Promise<void> {
    const { code, outcomes, context } = await impacketCases(dfs!, 'sparse-flag.py', [name]);
    expect(code, context).toBe(0);
    expect(outcomes, context).toEqual(expected);
  }

  it('is seen by every connection and kept across a restart', async () => {
    dfs = await startDfs({ dataDir: data, env: ENV });
    await phase('set', {
      'new file': 'attrs:0x020',
      'set sparse on the first connection': 'ok',
      'attributes on the second connection': 'attrs:0x220',
      'listed on the second connection': 'attrs:0x220',
      // The zero middle block is a hole once the file is sparse.
      'allocated ranges on the second connection': 'ranges:2',
    });
    await dfs.stop();
    dfs = await startDfs({ dataDir: data, env: ENV });
    await phase('restarted', {
      'attributes after a restart': 'attrs:0x220',
      'allocated ranges after a restart': 'ranges:2',
      'clear sparse on the first connection': 'ok',
      'attributes once cleared': 'attrs:0x020',
      'allocated ranges once cleared': 'ranges:1',
    });
  }, 180_000);
});
