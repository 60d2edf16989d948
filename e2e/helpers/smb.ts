/**
 * A dfs server with SMB on (loopback, ephemeral port) for the SMB end-to-end tests, and the
 * admin's address and credentials as the real clients (smbclient, smbtorture, impacket) take them.
 */
import { chmodSync, mkdirSync } from 'node:fs';
import { afterAll, beforeAll } from 'vitest';
import type { ApiClient } from '../../src/shared/api/client.ts';
import { LOOPBACK_WITH_SMB, startDfs, type DfsProcess } from './dfs.ts';

export function startSmbDfs(): Promise<DfsProcess> {
  return startDfs({ env: LOOPBACK_WITH_SMB });
}

/** One SMB server for the enclosing describe block: started before its tests, stopped after. */
export function smbServerForSuite(): () => DfsProcess {
  let dfs: DfsProcess | undefined;
  beforeAll(async () => {
    dfs = await startSmbDfs();
  }, 120_000);
  afterAll(async () => {
    await dfs?.stop();
  });
  return () => {
    if (!dfs) throw new Error('the SMB server did not start');
    return dfs;
  };
}

/** The SMB port of a server started by startSmbDfs. */
export function smbPort(dfs: DfsProcess): number {
  if (!dfs.smbPort) throw new Error('the ready line names no SMB port');
  return dfs.smbPort;
}

/** `//127.0.0.1/<share> -p <port> -U admin%<password>`, the arguments smbclient and smbtorture share. */
export function smbAdminArgs(dfs: DfsProcess, share = 'export'): string[] {
  return [`//127.0.0.1/${share}`, '-p', String(smbPort(dfs)), '-U', `admin%${dfs.adminPassword}`];
}

/**
 * Shares a new directory `dir` as `name`, open to admin only (read-write): a folder share as
 * the wizard makes one. The directory is 0777, as a new managed share's root is.
 */
export async function adminFolderShare(api: ApiClient, dir: string, name = '/folder'): Promise<void> {
  mkdirSync(dir);
  chmodSync(dir, 0o777);
  await api.call('shares.create', { body: { name, path: dir, defaultAccess: 'none' } });
  await api.call('shares.setPermission', {
    params: { name, principalType: 'user', principal: 'admin' },
    body: { access: 'write' },
  });
}
