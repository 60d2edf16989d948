import type { Logger } from 'pino';
import { effectiveAccess, type AccessDecision } from '../../shared/api/access.ts';
import type { EffectiveAccess, GroupDto, PermissionEntry, ShareAccess, UserDto } from '../../shared/api/schemas.ts';
import { DittoError, isDittoError } from '../../shared/errors.ts';
import { hashPassword } from '../auth/password.ts';
import { ntHash } from '../auth/nthash.ts';
import type { GuestConfig, Group, NewUser, PrincipalType, Share, User, UserPatch } from '../controlplane/models.ts';
import type { ControlPlaneStore } from '../controlplane/store/store.ts';
import type { AccessIndex } from './access.ts';

/** A new user as callers give it: the password in clear (hashed here) and initial groups. */
export type CreateUserInput = Omit<NewUser, 'passwordHash' | 'ntHash'> & { password: string; groups?: string[] };

export type UpdateUserInput = Omit<UserPatch, 'passwordHash' | 'ntHash'>;

export interface SharePermissionsView {
  share: string;
  entries: PermissionEntry[];
  effective: EffectiveAccess[];
}

const same = (a: string, b: string): boolean => a.toLowerCase() === b.toLowerCase();

/** Applies a change of identities or grants to the live sessions (ends what is no longer allowed). */
export type AccessChangedHook = () => Promise<unknown>;

/**
 * Users, groups, share permissions and the guest account: every change persisted in the
 * control plane, with the rules a NAS needs (passwords hashed, the NT hash kept for SMB, the
 * last admin kept, uids unique, effective access computed the one way
 * src/shared/api/access.ts defines), and applied to the live access tables the protocols use
 * and to the live sessions (a disabled user's, guests' once turned off) before the call returns.
 */
export class UsersService {
  constructor(
    private readonly store: ControlPlaneStore,
    private readonly access: AccessIndex,
    private readonly logger: Logger,
    private readonly onAccessChanged: AccessChangedHook,
  ) {}

  // --- users ---------------------------------------------------------------------------

  async list(): Promise<UserDto[]> {
    const [users, groups] = await Promise.all([this.store.listUsers(), this.store.listGroups()]);
    return users.map((u) => this.toDto(u, groups));
  }

  async get(username: string): Promise<UserDto> {
    const user = await this.store.getUser(username);
    return this.toDto(user, await this.store.listUserGroups(user.username));
  }

  async dto(user: User): Promise<UserDto> {
    return this.toDto(user, await this.store.listUserGroups(user.username));
  }

  async create(input: CreateUserInput): Promise<UserDto> {
    for (const g of input.groups ?? []) await this.store.getGroup(g).catch(notFound(`no group "${g}"`));
    if (input.uid !== undefined) await this.assertUidFree(input.uid, input.username);
    const record: NewUser = {
      username: input.username,
      passwordHash: await hashPassword(input.password),
      ntHash: ntHash(input.password),
      role: input.role ?? 'user',
      uid: input.uid,
      gid: input.gid,
      enabled: input.enabled,
      mustChangePassword: input.mustChangePassword,
      displayName: input.displayName,
      email: input.email,
    };
    const user = await this.store.createUser(record);
    for (const g of input.groups ?? []) await this.store.addGroupMember(g, user.username);
    await this.applyAccess();
    this.logger.info({ user: user.username, role: user.role }, 'user created');
    return this.get(user.username);
  }

  async update(username: string, patch: UpdateUserInput): Promise<UserDto> {
    const before = await this.store.getUser(username);
    const losesAdmin =
      before.role === 'admin' &&
      before.enabled &&
      ((patch.role !== undefined && patch.role !== 'admin') || patch.enabled === false);
    if (losesAdmin) await this.assertNotLastAdmin(before.username, 'demote or disable');
    if (patch.uid !== undefined) await this.assertUidFree(patch.uid, before.username);
    const user = await this.store.updateUser(before.username, patch);
    await this.applyAccess();
    this.logger.info({ user: user.username, fields: Object.keys(patch) }, 'user updated');
    return this.get(user.username);
  }

  async delete(username: string): Promise<void> {
    const user = await this.store.getUser(username);
    if (user.role === 'admin' && user.enabled) await this.assertNotLastAdmin(user.username, 'delete');
    await this.store.deleteUser(user.username);
    await this.applyAccess();
    this.logger.info({ user: user.username }, 'user deleted');
  }

  /** Sets a password; earlier tokens of the user stop working (passwordChangedAt moves). */
  async setPassword(username: string, password: string, mustChangePassword = false): Promise<User> {
    const user = await this.store.updateUser(username, {
      passwordHash: await hashPassword(password),
      ntHash: ntHash(password),
      mustChangePassword,
    });
    this.logger.info({ user: user.username }, 'password set');
    return user;
  }

  // --- the guest account (unauthenticated SMB sessions) ---------------------------------

  guest(): Promise<GuestConfig> {
    return this.store.getGuest();
  }

  /** Turning guests off ends the live guest and anonymous sessions. */
  async updateGuest(patch: Partial<GuestConfig>): Promise<GuestConfig> {
    const guest = await this.store.updateGuest(patch);
    await this.onAccessChanged();
    this.logger.info({ guest }, 'guest access updated');
    return guest;
  }

  /** After a change: the access tables first (the sessions are checked against them), then the live sessions. */
  private async applyAccess(): Promise<void> {
    await this.access.rebuild();
    await this.onAccessChanged();
  }

  private async assertNotLastAdmin(username: string, what: string): Promise<void> {
    const admins = (await this.store.listUsers()).filter(
      (u) => u.role === 'admin' && u.enabled && !same(u.username, username),
    );
    if (admins.length === 0) throw new DittoError('CONFLICT', `cannot ${what} the last enabled admin`);
  }

  /** NFS knows a user by uid alone, so two users may not share one. */
  private async assertUidFree(uid: number, username: string): Promise<void> {
    const holder = (await this.store.listUsers()).find((u) => u.uid === uid && !same(u.username, username));
    if (holder) {
      throw new DittoError(
        'CONFLICT',
        `uid ${uid} is already used by ${holder.username}: each user needs a uid of their own`,
      );
    }
  }

  toDto(user: User, groups: Group[]): UserDto {
    return {
      id: user.id,
      username: user.username,
      role: user.role,
      uid: user.uid,
      gid: user.gid,
      enabled: user.enabled,
      mustChangePassword: user.mustChangePassword,
      passwordChangedAt: user.passwordChangedAt,
      smbPassword: user.ntHash !== undefined,
      ...(user.displayName !== undefined && { displayName: user.displayName }),
      ...(user.email !== undefined && { email: user.email }),
      groups: groups.filter((g) => g.members.some((m) => same(m, user.username))).map((g) => g.name),
      createdAt: user.createdAt,
      updatedAt: user.updatedAt,
    };
  }

  // --- groups --------------------------------------------------------------------------

  listGroups(): Promise<GroupDto[]> {
    return this.store.listGroups();
  }

  getGroup(name: string): Promise<GroupDto> {
    return this.store.getGroup(name);
  }

  async createGroup(input: { name: string; gid?: number; members?: string[] }): Promise<GroupDto> {
    for (const m of input.members ?? []) await this.store.getUser(m).catch(notFound(`no user "${m}"`));
    const group = await this.store.createGroup(input);
    await this.applyAccess();
    this.logger.info({ group: group.name }, 'group created');
    return group;
  }

  async updateGroup(name: string, patch: { gid?: number }): Promise<GroupDto> {
    return this.store.updateGroup(name, patch);
  }

  async deleteGroup(name: string): Promise<void> {
    await this.store.deleteGroup(name);
    await this.applyAccess();
    this.logger.info({ group: name }, 'group deleted');
  }

  async addMember(group: string, username: string): Promise<GroupDto> {
    await this.store.getGroup(group);
    await this.store.getUser(username).catch(notFound(`no user "${username}"`));
    const updated = await this.store.addGroupMember(group, username);
    await this.applyAccess();
    return updated;
  }

  async removeMember(group: string, username: string): Promise<GroupDto> {
    await this.store.getGroup(group);
    await this.store.getUser(username).catch(notFound(`no user "${username}"`));
    const updated = await this.store.removeGroupMember(group, username);
    await this.applyAccess();
    return updated;
  }

  // --- share permissions ---------------------------------------------------------------

  async permissions(shareName: string): Promise<SharePermissionsView> {
    const share = await this.store.getShare(shareName);
    const [entries, users, groups] = await Promise.all([
      this.store.listSharePermissions(share.name),
      this.store.listUsers(),
      this.store.listGroups(),
    ]);
    const plain: PermissionEntry[] = entries.map((e) => ({
      principalType: e.principalType,
      principal: e.principal,
      access: e.access,
    }));
    const effective = users.map((u) => {
      const d = this.decide(share, u, groups, plain);
      return { username: u.username, ...d };
    });
    return { share: share.name, entries: plain, effective };
  }

  async setPermission(
    shareName: string,
    principalType: PrincipalType,
    principal: string,
    access: ShareAccess,
  ): Promise<SharePermissionsView> {
    const share = await this.store.getShare(shareName);
    if (principalType === 'user') await this.store.getUser(principal).catch(notFound(`no user "${principal}"`));
    else await this.store.getGroup(principal).catch(notFound(`no group "${principal}"`));
    await this.store.setSharePermission({ share: share.name, principalType, principal, access });
    await this.applyAccess();
    this.logger.info({ share: share.name, principalType, principal, access }, 'share permission set');
    return this.permissions(share.name);
  }

  async deletePermission(
    shareName: string,
    principalType: PrincipalType,
    principal: string,
  ): Promise<SharePermissionsView> {
    const share = await this.store.getShare(shareName);
    const entries = await this.store.listSharePermissions(share.name);
    if (!entries.some((e) => e.principalType === principalType && same(e.principal, principal))) {
      throw new DittoError('NOT_FOUND', `share ${share.name} has no entry for ${principalType} "${principal}"`);
    }
    await this.store.deleteSharePermission(share.name, principalType, principal);
    await this.applyAccess();
    return this.permissions(share.name);
  }

  /** What a user may do on a share (SMB tree connect, the permission grid). */
  async effectiveAccess(shareName: string, username: string): Promise<AccessDecision> {
    const [share, user, groups, entries] = await Promise.all([
      this.store.getShare(shareName),
      this.store.getUser(username),
      this.store.listGroups(),
      this.store.listSharePermissions(shareName),
    ]);
    return this.decide(share, user, groups, entries);
  }

  /** The enabled shares a user may use, with what they may do on each (their own page). */
  async sharesOf(user: User): Promise<(AccessDecision & { share: Share })[]> {
    const [shares, groups] = await Promise.all([this.store.listShares(), this.store.listGroups()]);
    const out: (AccessDecision & { share: Share })[] = [];
    for (const share of shares.filter((s) => s.enabled)) {
      const d = this.decide(share, user, groups, await this.store.listSharePermissions(share.name));
      if (d.access !== 'none') out.push({ share, ...d });
    }
    return out;
  }

  private decide(share: Share, user: User, groups: Group[], entries: PermissionEntry[]): AccessDecision {
    const mine = groups.filter((g) => g.members.some((m) => same(m, user.username))).map((g) => g.name);
    return effectiveAccess(share, { username: user.username, enabled: user.enabled, groups: mine }, entries);
  }
}

/** Rewrites a NOT_FOUND from a referenced record into a clearer one. */
function notFound(detail: string): (err: unknown) => never {
  return (err: unknown) => {
    if (isDittoError(err, 'NOT_FOUND')) throw new DittoError('NOT_FOUND', detail);
    throw err;
  };
}
