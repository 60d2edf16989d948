/**
 * Users as the SMB adapter authenticates them: by name (case-insensitive, as Windows
 * treats account names), with the NT hash the control plane keeps and the gids of the
 * user's groups, so an SMB session acts with the same uid and gids as NFS callers.
 */
import type { ControlPlaneStore } from '../controlplane/store/store.ts';
import type { GuestIdentity, IdentityLookup, ProtocolUser } from './types.ts';

export class StoreIdentities implements IdentityLookup {
  constructor(private readonly store: ControlPlaneStore) {}

  async byName(username: string): Promise<ProtocolUser | undefined> {
    const wanted = username.toLowerCase();
    const user = (await this.store.listUsers()).find((u) => u.username.toLowerCase() === wanted);
    if (!user) return undefined;
    const groups = (await this.store.listGroups()).filter((g) =>
      g.members.some((m) => m.toLowerCase() === user.username.toLowerCase()),
    );
    return {
      username: user.username,
      uid: user.uid,
      gid: user.gid,
      gids: groups.map((g) => g.gid),
      ntHash: user.ntHash ? Buffer.from(user.ntHash, 'hex') : undefined,
      enabled: user.enabled,
    };
  }

  async guest(): Promise<GuestIdentity> {
    const { enabled, uid, gid } = await this.store.getGuest();
    return { enabled, uid, gid };
  }
}
