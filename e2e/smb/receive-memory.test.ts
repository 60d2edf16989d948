// Partially received SMB messages draw on one memory budget for all connections, as NFS
// records do (src/server/protocols/smb/receive-flow.ts): a connection that sends the length
// prefix of an 8 MiB message and 1 MiB of it, then stalls, holds its reservation (seen in
// dittofs_record_memory_bytes{adapter="smb"}) while smbclient on another connection lists,
// writes and reads back a 4 MiB file.
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { SMBCLIENT, unmet } from '../helpers/requirements.ts';
import { smbAdminArgs, smbPort, smbServerForSuite } from '../helpers/smb.ts';
import { makeTmpDir, removeTmpDir } from '../helpers/tmp.ts';
import { run, tail } from '../nfs/target.ts';

const MiB = 1024 * 1024;
const sha256 = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

describe.skipIf(unmet(SMBCLIENT) !== null)('SMB partial-message memory', () => {
  const dfs = smbServerForSuite();
  const work = makeTmpDir('dittofs-smb-memory-');
  afterAll(() => removeTmpDir(work));

  async function heldBytes(): Promise<number> {
    const text = await (await fetch(`http://127.0.0.1:${dfs().metricsPort}/metrics`)).text();
    const m = /^dittofs_record_memory_bytes\{adapter="smb"\} (\d+)$/m.exec(text);
    return m ? Number(m[1]) : -1;
  }

  it('is held by a stalled message while smbclient is served', async () => {
    const staller = connect(smbPort(dfs()), '127.0.0.1');
    staller.on('error', () => undefined);
    let stallerClosed = false;
    staller.on('close', () => (stallerClosed = true));
    try {
      const prefix = Buffer.alloc(4);
      prefix.writeUInt32BE(8 * MiB);
      staller.write(Buffer.concat([prefix, Buffer.alloc(MiB)]));
      for (let i = 0; i < 100 && (await heldBytes()) !== 8 * MiB; i++) await new Promise((r) => setTimeout(r, 100));
      expect(await heldBytes()).toBe(8 * MiB);

      const data = randomBytes(4 * MiB);
      writeFileSync(path.join(work, 'up.bin'), data);
      const { code, output } = await run(
        'smbclient',
        [...smbAdminArgs(dfs()), '-c', 'put up.bin memory.bin; ls memory.bin; get memory.bin down.bin; del memory.bin'],
        120_000,
        { cwd: work },
      );
      const context = `${output}\n--- dfs log (tail) ---\n${tail(dfs().logs())}`;
      expect(code, context).toBe(0);
      expect(sha256(readFileSync(path.join(work, 'down.bin'))), context).toBe(sha256(data));
      // The stalled message still holds its reservation (its 60 s record timeout has not passed).
      expect(stallerClosed).toBe(false);
      expect(await heldBytes()).toBe(8 * MiB);
    } finally {
      staller.destroy();
    }
  }, 120_000);
});
