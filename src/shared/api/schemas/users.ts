/** Sign-in, users and groups. */
import { z } from 'zod';
import { GroupNameSchema, PasswordSchema, RoleSchema, IsoTime, UnixIdSchema, UsernameSchema } from './scalars.ts';

export const LoginRequest = z.strictObject({
  username: z.string().min(1, { error: 'expected a user name' }).max(64),
  password: z.string().min(1, { error: 'expected a password' }).max(256),
});
export const RefreshRequest = z.strictObject({ refreshToken: z.string().min(1).max(4096) });
export const ChangePasswordRequest = z.strictObject({
  currentPassword: z.string().min(1, { error: 'expected the current password' }).max(256),
  newPassword: PasswordSchema,
});

export const UserSchema = z.object({
  id: z.string(),
  username: z.string(),
  role: RoleSchema,
  uid: z.int(),
  gid: z.int(),
  enabled: z.boolean(),
  mustChangePassword: z.boolean(),
  passwordChangedAt: IsoTime,
  /** Whether an SMB (NT) password hash is set. */
  smbPassword: z.boolean(),
  displayName: z.string().optional(),
  email: z.string().optional(),
  /** Names of the groups the user belongs to. */
  groups: z.array(z.string()),
  createdAt: IsoTime,
  updatedAt: IsoTime,
});
export type UserDto = z.infer<typeof UserSchema>;

export const TokenPairSchema = z.object({
  tokenType: z.literal('Bearer'),
  accessToken: z.string(),
  /** Seconds until the access token expires. */
  expiresIn: z.int(),
  refreshToken: z.string(),
  refreshExpiresIn: z.int(),
  user: UserSchema,
});
export type TokenPair = z.infer<typeof TokenPairSchema>;

const DisplayName = z.string().max(128);
const Email = z.email({ error: 'expected an e-mail address' }).max(254);

export const CreateUserRequest = z.strictObject({
  username: UsernameSchema,
  password: PasswordSchema,
  role: RoleSchema.optional(),
  uid: UnixIdSchema.optional(),
  gid: UnixIdSchema.optional(),
  enabled: z.boolean().optional(),
  /** The user must pick a new password at first login. */
  mustChangePassword: z.boolean().optional(),
  displayName: DisplayName.optional(),
  email: Email.optional(),
  /** Groups to join (must exist). */
  groups: z.array(GroupNameSchema).max(256).optional(),
});
export const UpdateUserRequest = z.strictObject({
  role: RoleSchema.optional(),
  uid: UnixIdSchema.optional(),
  gid: UnixIdSchema.optional(),
  enabled: z.boolean().optional(),
  mustChangePassword: z.boolean().optional(),
  /** null clears. */
  displayName: DisplayName.nullable().optional(),
  email: Email.nullable().optional(),
});
export const SetPasswordRequest = z.strictObject({
  password: PasswordSchema,
  mustChangePassword: z.boolean().optional(),
});
export const UserParams = z.strictObject({ username: UsernameSchema });

export const GroupSchema = z.object({
  id: z.string(),
  name: z.string(),
  gid: z.int(),
  members: z.array(z.string()),
  createdAt: IsoTime,
});
export type GroupDto = z.infer<typeof GroupSchema>;
export const CreateGroupRequest = z.strictObject({
  name: GroupNameSchema,
  gid: UnixIdSchema.optional(),
  members: z.array(UsernameSchema).max(10_000).optional(),
});
export const UpdateGroupRequest = z.strictObject({ gid: UnixIdSchema.optional() });
export const GroupParams = z.strictObject({ name: GroupNameSchema });
export const GroupMemberParams = z.strictObject({ name: GroupNameSchema, username: UsernameSchema });
