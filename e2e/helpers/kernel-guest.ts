// Where the kernel-client harness (../shared/tools/kernel-client) is, and why its guest
// cannot run here, for the NFS and SMB kernel-client tests alike.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from './dfs.ts';
import { KERNEL_CLIENT_GUEST, unmet } from './requirements.ts';

export function findRunGuest(): string | undefined {
  const candidates = [
    process.env.DITTOFS_KERNEL_CLIENT_DIR && path.join(process.env.DITTOFS_KERNEL_CLIENT_DIR, 'run-guest.sh'),
    path.resolve(REPO_ROOT, '..', 'shared', 'tools', 'kernel-client', 'run-guest.sh'),
    '/work/shared/tools/kernel-client/run-guest.sh',
  ];
  return candidates.find((c): c is string => !!c && existsSync(c));
}

/** Why the guest cannot run on this machine, or null when it can. */
export function whyNoGuest(): string | null {
  if (process.platform !== 'linux') return 'not Linux';
  if (!findRunGuest()) return 'run-guest.sh not found (expected ../shared/tools/kernel-client/ next to the repo)';
  return unmet(KERNEL_CLIENT_GUEST);
}
