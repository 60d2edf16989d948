/**
 * Share access by uid, for the protocols' hot path. Each share's grants are resolved for
 * every control-plane user into a table uid → access, plus what everyone else gets; the
 * tables are rebuilt from the control plane whenever users, groups, grants or shares
 * change, so an NFS call costs one Map lookup and never a store query. The rules are the
 * ones of src/shared/api/access.ts, used by the API's permission grid too.
 *
 * An NFS caller is known by its (squashed) AUTH_SYS uid only: the gids a client sends do
 * not select control-plane groups, whose gids are allocated from 1000 like a Linux
 * client's first user's own group and would match by accident.
 */
import { effectiveAccess, othersAccess } from '../../shared/api/access.ts';
import type { Group, Share, SharePermission, User } from '../controlplane/models.ts';
import type { ControlPlaneStore } from '../controlplane/store/store.ts';
import type { Cred } from '../metadata/identity.ts';
import type { ShareAccess } from '../metadata/types.ts';

export interface AccessTable {
  /** Every user's effective access, by uid. */
  readonly byUid: ReadonlyMap<number, ShareAccess>;
  /** Any other caller: a uid no user has, a squashed root (the anonymous uid). */
  readonly others: ShareAccess;
}

export type AccessResolver = (caller: Cred) => ShareAccess;

const NO_ACCESS: AccessTable = { byUid: new Map(), others: 'none' };

/** One share's table, from the control-plane records. */
export function accessTable(
  share: Share,
  users: readonly User[],
  groups: readonly Group[],
  entries: readonly SharePermission[],
): AccessTable {
  const groupsOf = new Map<string, string[]>();
  for (const g of groups) {
    for (const m of g.members) {
      const key = m.toLowerCase();
      groupsOf.set(key, [...(groupsOf.get(key) ?? []), g.name]);
    }
  }
  const byUid = new Map<number, ShareAccess>();
  for (const u of users) {
    const subject = { username: u.username, enabled: u.enabled, groups: groupsOf.get(u.username.toLowerCase()) ?? [] };
    byUid.set(u.uid, effectiveAccess(share, subject, entries).access);
  }
  return { byUid, others: othersAccess(share).access };
}

/** A share's current table; resolvers hold the slot, so a rebuild reaches them. */
interface Slot {
  table: AccessTable;
}

export class AccessIndex {
  private readonly slots = new Map<string, Slot>();
  /** The load that has not started yet: callers arriving now share it. */
  private queued: Promise<void> | undefined;
  private last: Promise<void> = Promise.resolve();
  private names: ReadonlyMap<number, string> = new Map();

  constructor(private readonly store: ControlPlaneStore) {}

  /**
   * What the share's grants let a caller do: the function MetadataService and MOUNT call
   * on every request (one Map lookup). No access until the first rebuild has seen the share.
   */
  resolver(share: string): AccessResolver {
    const slot = this.slot(share);
    return (caller) => slot.table.byUid.get(caller.uid) ?? slot.table.others;
  }

  /** The user name of a uid, as of the last rebuild (the dashboard shows names, not NFS uids). */
  userName(uid: number): string | undefined {
    return this.names.get(uid);
  }

  /** A deleted share's resolver (and a new share of that name, until the next rebuild) grants nothing. */
  forget(share: string): void {
    this.slot(share).table = NO_ACCESS;
  }

  /**
   * Reloads every share's table from the control plane, after a change there. The load
   * starts after any running one, so it sees every change made before the call.
   */
  rebuild(): Promise<void> {
    if (this.queued === undefined) {
      const next = this.last.then(() => {
        this.queued = undefined;
        return this.load();
      });
      this.queued = next;
      this.last = next.catch(() => undefined);
    }
    return this.queued;
  }

  private async load(): Promise<void> {
    const [shares, users, groups] = await Promise.all([
      this.store.listShares(),
      this.store.listUsers(),
      this.store.listGroups(),
    ]);
    const entries = await Promise.all(shares.map((s) => this.store.listSharePermissions(s.name)));
    this.names = new Map(users.map((u) => [u.uid, u.username]));
    shares.forEach((share, i) => {
      this.slot(share.name).table = accessTable(share, users, groups, entries[i] ?? []);
    });
  }

  private slot(share: string): Slot {
    let slot = this.slots.get(share);
    if (slot === undefined) {
      slot = { table: NO_ACCESS };
      this.slots.set(share, slot);
    }
    return slot;
  }
}
