/**
 * Request and response schemas of the management API (zod 4). The single definition used
 * by the HTTP server (validation, OpenAPI), the Electron IPC transport, dfsctl and the
 * renderer (forms validate with the same rules before sending). Platform-free.
 *
 * Conventions: request bodies and queries are strict (an unknown key is a validation error,
 * so a typo never passes silently); responses are plain objects (unknown keys are stripped
 * when the server parses its own output, so internal fields such as password hashes never
 * leave it). Times are ISO-8601 strings.
 */
import { z } from 'zod';
import { passwordProblem } from '../password-strength.ts';
import { issueInWords } from './messages.ts';
import { shareNameProblem } from './share-names.ts';

// Every message a schema does not word itself, in words (see messages.ts).
z.config({ customError: issueInWords });

// ---------------------------------------------------------------------------------------
// Scalars
// ---------------------------------------------------------------------------------------

export const ROLES = ['admin', 'operator', 'user'] as const;
export const RoleSchema = z.enum(ROLES, { error: `expected one of ${ROLES.join(', ')}` });
export type Role = z.infer<typeof RoleSchema>;

const NAME_HINT = '1-32 letters, digits, "_", "." or "-", starting with a letter or "_"';
export const UsernameSchema = z.string().regex(/^[A-Za-z_][A-Za-z0-9_.-]{0,31}$/, { error: `expected ${NAME_HINT}` });
export const GroupNameSchema = z.string().regex(/^[A-Za-z_][A-Za-z0-9_.-]{0,31}$/, { error: `expected ${NAME_HINT}` });

export const PASSWORD_MIN = 8;
/** A new password: long enough, and not one a password cracker tries first (password-strength.ts). */
export const PasswordSchema = z
  .string()
  .min(PASSWORD_MIN, { error: `use at least ${PASSWORD_MIN} characters` })
  .max(256, { error: 'use at most 256 characters' })
  .check((ctx) => {
    if (ctx.value.length < PASSWORD_MIN) return;
    const reason = passwordProblem(ctx.value);
    if (reason) ctx.issues.push({ code: 'custom', message: reason, input: ctx.value });
  });

/** "/export", "/My photos": see share-names.ts for the rules and why. */
export const ShareNameSchema = z.string().check((ctx) => {
  const reason = shareNameProblem(ctx.value);
  if (reason) ctx.issues.push({ code: 'custom', message: reason, input: ctx.value });
});
/** In a URL path the leading "/" may be left out: /shares/export is the share "/export". */
export const ShareNameParam = z
  .string()
  .transform((s) => (s.startsWith('/') ? s : `/${s}`))
  .pipe(ShareNameSchema);

export const StoreNameSchema = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/, { error: 'expected 1-64 letters, digits, "_", "." or "-"' });

const UNIX_ID = 'expected a whole number between 0 and 4294967294';
export const UnixIdSchema = z.int({ error: UNIX_ID }).min(0, { error: UNIX_ID }).max(4294967294, { error: UNIX_ID });
export const PORT_RANGE = 'expected a port between 1 and 65535 (or 0 for any free port)';
export const PortSchema = z.int({ error: PORT_RANGE }).min(0, { error: PORT_RANGE }).max(65535, { error: PORT_RANGE });
export const CidrSchema = z.union([z.cidrv4(), z.cidrv6(), z.ipv4(), z.ipv6()], {
  error: 'expected an address or network such as 192.168.1.0/24',
});
export const HostSchema = z.union([z.ipv4(), z.ipv6(), z.literal('localhost')], {
  error: 'expected an IP address such as 127.0.0.1 or 0.0.0.0',
});

export const SquashSchema = z.enum(['none', 'root_to_guest', 'all_to_guest']);
export const ShareAccessSchema = z.enum(['none', 'read', 'write']);
export type ShareAccess = z.infer<typeof ShareAccessSchema>;
export const PrincipalTypeSchema = z.enum(['user', 'group']);
export const METADATA_STORE_TYPES = ['memory', 'sqlite', 'postgres'] as const;
export const PAYLOAD_STORE_TYPES = ['memory', 'fs', 's3'] as const;
export const MetadataStoreTypeSchema = z.enum(METADATA_STORE_TYPES);
export const PayloadStoreTypeSchema = z.enum(PAYLOAD_STORE_TYPES);
export const AdapterTypeSchema = z.enum(['nfs', 'smb']);
export const AdapterStateSchema = z.enum(['stopped', 'starting', 'running', 'stopping', 'error', 'unavailable']);
export const MountProtocolSchema = z.enum(['nfs3', 'nfs4', 'smb']);
export const AlertLevelSchema = z.enum(['info', 'warning', 'error', 'critical']);

const Time = z.string().describe('ISO-8601 time');

/** Requests without input still reject unknown query parameters. */
export const EmptyQuery = z.strictObject({});
/** 204 responses. */
export const NoContent = z.void();

// ---------------------------------------------------------------------------------------
// Errors (RFC 9457 problem details)
// ---------------------------------------------------------------------------------------

export const ProblemSchema = z.object({
  type: z.string(),
  title: z.string(),
  status: z.int(),
  detail: z.string(),
  /** Stable code from the error registry (src/shared/errors.ts). */
  code: z.string(),
  /** Validation failures: the offending fields (never their values). */
  errors: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
});
export type Problem = z.infer<typeof ProblemSchema>;

// ---------------------------------------------------------------------------------------
// Auth
// ---------------------------------------------------------------------------------------

export const LoginRequest = z.strictObject({
  username: z.string().min(1, { error: 'expected a user name' }).max(64),
  password: z.string().min(1, { error: 'expected a password' }).max(256),
});
export const RefreshRequest = z.strictObject({ refreshToken: z.string().min(1).max(4096) });
export const ChangePasswordRequest = z.strictObject({
  currentPassword: z.string().min(1, { error: 'expected the current password' }).max(256),
  newPassword: PasswordSchema,
});

// ---------------------------------------------------------------------------------------
// Users and groups
// ---------------------------------------------------------------------------------------

export const UserSchema = z.object({
  id: z.string(),
  username: z.string(),
  role: RoleSchema,
  uid: z.int(),
  gid: z.int(),
  enabled: z.boolean(),
  mustChangePassword: z.boolean(),
  passwordChangedAt: Time,
  /** Whether an SMB (NT) password hash is set. */
  smbPassword: z.boolean(),
  displayName: z.string().optional(),
  email: z.string().optional(),
  /** Names of the groups the user belongs to. */
  groups: z.array(z.string()),
  createdAt: Time,
  updatedAt: Time,
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
  createdAt: Time,
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

// ---------------------------------------------------------------------------------------
// Shares and permissions
// ---------------------------------------------------------------------------------------

export const SmbShareOptionsSchema = z.object({
  browsable: z.boolean(),
  encrypt: z.boolean(),
  hostsAllow: z.array(z.string()),
  hostsDeny: z.array(z.string()),
});
/**
 * When COMMIT / FILE_SYNC / SMB FLUSH reply on a managed share: 'local' once the write log is
 * durable on this computer; 'remote' once the data is in the payload store itself (an S3
 * store: uploaded to the bucket), so it survives losing this computer.
 */
export const DurabilitySchema = z.enum(['local', 'remote']);
export type Durability = z.infer<typeof DurabilitySchema>;
export const SHARE_KINDS = ['managed', 'folder'] as const;
export const ShareKindSchema = z.enum(SHARE_KINDS);
/** An absolute path of this computer (the server's): "/home/me/Photos", "C:\\Users\\me\\Photos". */
export const FolderPathSchema = z
  .string()
  .min(1, { error: 'expected the full path of a folder' })
  .max(4096, { error: 'expected at most 4096 characters' })
  .refine((p) => p.startsWith('/') || /^[A-Za-z]:[\\/]/.test(p), {
    error: 'expected a full path, such as /home/me/Photos',
  });

/** What a share holds: its regular files' sizes. */
export const ShareUsageSchema = z.object({
  bytes: z.number(),
  files: z.int(),
  /** false: the walk stopped at its entry limit, so the share holds at least this much. */
  complete: z.boolean(),
  measuredAt: Time,
  /** A newer measurement is running (ask again in a moment). */
  measuring: z.boolean(),
});
export type ShareUsageDto = z.infer<typeof ShareUsageSchema>;
export const ShareSchema = z.object({
  id: z.int(),
  name: z.string(),
  /** 'folder': an existing folder of the server served in place; 'managed': a metadata store + a payload store. */
  kind: ShareKindSchema,
  /** Folder shares: the folder served; '' for a managed share. */
  path: z.string(),
  /** '' for a folder share. */
  metadataStore: z.string(),
  /** '' for a folder share. */
  payloadStore: z.string(),
  enabled: z.boolean(),
  readOnly: z.boolean(),
  squash: SquashSchema,
  anonUid: z.int(),
  anonGid: z.int(),
  allowedNetworks: z.array(z.string()),
  protocols: z.object({ nfs: z.boolean(), smb: z.boolean() }),
  smb: SmbShareOptionsSchema,
  /** What unauthenticated (guest) SMB sessions may do. */
  guestAccess: ShareAccessSchema,
  /** What everyone else may do: users without an entry of their own or of a group, and NFS uids no user has. */
  defaultAccess: ShareAccessSchema,
  /** Managed shares; a folder share's writes are durable in its folder ('local'). */
  durability: DurabilitySchema,
  description: z.string(),
  createdAt: Time,
  /** Live: mounts / sessions on the share right now. */
  activeMounts: z.int(),
  /** Size used, measured in the background (null until the first measurement is done). */
  usage: ShareUsageSchema.nullable(),
});
export type ShareDto = z.infer<typeof ShareSchema>;

const shareOptions = {
  enabled: z.boolean().optional(),
  readOnly: z.boolean().optional(),
  squash: SquashSchema.optional(),
  anonUid: UnixIdSchema.optional(),
  anonGid: UnixIdSchema.optional(),
  /** NFS: networks allowed to mount; empty allows every client. */
  allowedNetworks: z.array(CidrSchema).max(256).optional(),
  protocols: z.strictObject({ nfs: z.boolean().optional(), smb: z.boolean().optional() }).optional(),
  smb: z
    .strictObject({
      browsable: z.boolean().optional(),
      encrypt: z.boolean().optional(),
      hostsAllow: z.array(CidrSchema).max(256).optional(),
      hostsDeny: z.array(CidrSchema).max(256).optional(),
    })
    .optional(),
  guestAccess: ShareAccessSchema.optional(),
  /** Everyone without an entry (users, and NFS uids no user has); 'write' when a share is created without it. */
  defaultAccess: ShareAccessSchema.optional(),
  durability: DurabilitySchema.optional(),
  description: z.string().max(1024).optional(),
};
/** Share a folder inside (or around) another share's folder: set only after the user confirmed it. */
const allowNested = z.boolean().optional();

/**
 * A folder share: `path` (kind 'folder' may be left out), no stores; `createFolder` makes a
 * missing folder (set it only after asking the user). A managed share: both stores.
 */
export const CreateShareRequest = z
  .strictObject({
    name: ShareNameSchema,
    kind: ShareKindSchema.optional(),
    path: FolderPathSchema.optional(),
    createFolder: z.boolean().optional(),
    allowNested,
    metadataStore: StoreNameSchema.optional(),
    payloadStore: StoreNameSchema.optional(),
    ...shareOptions,
  })
  .superRefine((b, ctx) => {
    const folder = (b.kind ?? (b.path !== undefined ? 'folder' : 'managed')) === 'folder';
    const issue = (path: string, message: string) => ctx.addIssue({ code: 'custom', path: [path], message });
    if (folder) {
      if (b.path === undefined) issue('path', 'a folder share needs the full path of its folder');
      if (b.metadataStore !== undefined) issue('metadataStore', 'a folder share keeps its files in its folder');
      if (b.payloadStore !== undefined) issue('payloadStore', 'a folder share keeps its files in its folder');
      return;
    }
    if (b.metadataStore === undefined) issue('metadataStore', 'a managed share needs a metadata store');
    if (b.payloadStore === undefined) issue('payloadStore', 'a managed share needs a payload store');
    for (const key of ['path', 'createFolder', 'allowNested'] as const) {
      if (b[key] !== undefined) issue(key, 'only for a folder share');
    }
  });
export const UpdateShareRequest = z.strictObject({
  metadataStore: StoreNameSchema.optional(),
  payloadStore: StoreNameSchema.optional(),
  /** Folder shares: serve another folder. */
  path: FolderPathSchema.optional(),
  allowNested,
  ...shareOptions,
});

export const FolderCheckQuery = z.strictObject({ path: z.string().min(1).max(4096) });
/** What sharing a folder would mean: the share wizard asks this before creating a folder share. */
export const FolderCheckSchema = z.object({
  path: z.string(),
  /** With symbolic links resolved. */
  realPath: z.string(),
  exists: z.boolean(),
  isDirectory: z.boolean(),
  /** By the server's user: dfs can list and read it. */
  readable: z.boolean(),
  /** By the server's user: clients can create files in it. */
  writable: z.boolean(),
  insideDataDir: z.boolean(),
  containsDataDir: z.boolean(),
  /** Shares already serving this very folder (it may be shared again under another name). */
  sharedAs: z.array(z.string()),
  /** Shares whose folder contains this one / lies inside it: sharing needs allowNested. */
  nestedIn: z.array(z.string()),
  contains: z.array(z.string()),
  /** The folder's owner, e.g. for squashing every client to it (anonUid/anonGid). */
  owner: z.object({ uid: z.int(), gid: z.int() }).nullable(),
  /** Why the folder cannot be shared (a sentence for the user); null if it can. */
  problem: z.string().nullable(),
});
export type FolderCheckDto = z.infer<typeof FolderCheckSchema>;
export const ShareParams = z.strictObject({ name: ShareNameParam });

export const PermissionEntrySchema = z.object({
  principalType: PrincipalTypeSchema,
  principal: z.string(),
  /** 'none' is an explicit deny. */
  access: ShareAccessSchema,
});
export type PermissionEntry = z.infer<typeof PermissionEntrySchema>;
export const EffectiveAccessSchema = z.object({
  username: z.string(),
  access: ShareAccessSchema,
  /** Why: 'user' (own entry), 'group:<name>', 'default' (the share's default access), 'guest' (its guest access), 'disabled'. */
  source: z.string(),
  /** The share is read-only, so write was lowered to read. */
  readOnlyShare: z.boolean(),
});
export type EffectiveAccess = z.infer<typeof EffectiveAccessSchema>;
export const SharePermissionsSchema = z.object({
  share: z.string(),
  entries: z.array(PermissionEntrySchema),
  /** The access every user ends up with. */
  effective: z.array(EffectiveAccessSchema),
});
export const PermissionParams = z.strictObject({
  name: ShareNameParam,
  principalType: PrincipalTypeSchema,
  principal: z.union([UsernameSchema, GroupNameSchema]),
});
export const SetPermissionRequest = z.strictObject({ access: ShareAccessSchema });

/** A share as its user sees it: what they may do there, not how it is configured. */
export const MyShareSchema = z.object({
  name: z.string(),
  description: z.string(),
  access: ShareAccessSchema,
  /** Why: 'user', 'group:<name>', 'default' or 'guest' (see EffectiveAccessSchema). */
  source: z.string(),
  readOnlyShare: z.boolean(),
  protocols: z.object({ nfs: z.boolean(), smb: z.boolean() }),
});
export type MyShareDto = z.infer<typeof MyShareSchema>;
/** The signed-in user's own page: the shares they may use (how to connect is connect.info). */
export const MySharesSchema = z.object({
  shares: z.array(MyShareSchema),
});
export type MySharesDto = z.infer<typeof MySharesSchema>;

// ---------------------------------------------------------------------------------------
// Stores
// ---------------------------------------------------------------------------------------

/** Backend options (path, bucket, DSN, ...). Secret values come back as REDACTED. */
export const StoreConfigValues = z.record(z.string().max(64), z.unknown());
export const REDACTED = '********';

export const MetadataStoreSchema = z.object({
  name: z.string(),
  type: MetadataStoreTypeSchema,
  config: StoreConfigValues,
  /** Shares that use it (it cannot be deleted while any does). */
  usedBy: z.array(z.string()),
  createdAt: Time,
  updatedAt: Time,
});
export const PayloadStoreSchema = MetadataStoreSchema.extend({ type: PayloadStoreTypeSchema });
export type MetadataStoreDto = z.infer<typeof MetadataStoreSchema>;
export type PayloadStoreDto = z.infer<typeof PayloadStoreSchema>;

export const CreateMetadataStoreRequest = z.strictObject({
  name: StoreNameSchema,
  type: MetadataStoreTypeSchema,
  config: StoreConfigValues.optional(),
});
export const CreatePayloadStoreRequest = z.strictObject({
  name: StoreNameSchema,
  type: PayloadStoreTypeSchema,
  config: StoreConfigValues.optional(),
});
export const UpdateStoreRequest = z.strictObject({ config: StoreConfigValues });
export const StoreParams = z.strictObject({ name: StoreNameSchema });

export const StoreHealthSchema = z.object({
  name: z.string(),
  kind: z.enum(['metadata', 'payload']),
  type: z.string(),
  healthy: z.boolean(),
  error: z.string().optional(),
  latencyMs: z.number(),
  /** Metadata stores: files; payload stores: blocks. */
  objects: z.number().optional(),
  /** Payload stores: bytes stored. */
  bytes: z.number().optional(),
  /** Metadata stores: the medium holding the store. */
  space: z.object({ totalBytes: z.number(), freeBytes: z.number(), availBytes: z.number() }).optional(),
  /** Durable payload stores: their write log and the files whose bytes wait to be carved into blocks. */
  writeLog: z.object({ bytes: z.number(), capBytes: z.number(), carveBacklogFiles: z.int() }).optional(),
});
export type StoreHealth = z.infer<typeof StoreHealthSchema>;

// ---------------------------------------------------------------------------------------
// Adapters
// ---------------------------------------------------------------------------------------

export const AdapterSchema = z.object({
  type: AdapterTypeSchema,
  enabled: z.boolean(),
  /** Configured port (0 = any free port). */
  port: z.int(),
  bind: z.string(),
  settings: z.record(z.string(), z.unknown()),
  state: AdapterStateSchema,
  /** The port actually bound while running. */
  boundPort: z.int().nullable(),
  error: z.string().nullable(),
  /** Fields an environment variable sets at every server start: a change here lasts until the next start. */
  overrides: z.array(z.object({ field: z.enum(['enabled', 'port', 'bind']), env: z.string() })),
});
export type AdapterDto = z.infer<typeof AdapterSchema>;
export const UpdateAdapterRequest = z.strictObject({
  enabled: z.boolean().optional(),
  port: PortSchema.optional(),
  bind: HostSchema.optional(),
  settings: z.record(z.string().max(64), z.unknown()).optional(),
});
export const AdapterParams = z.strictObject({ type: AdapterTypeSchema });

// ---------------------------------------------------------------------------------------
// Settings
// ---------------------------------------------------------------------------------------

/** Keys the server knows; values are checked by these schemas. Other keys hold any JSON. */
export const KNOWN_SETTINGS = {
  /** The NAS name shown to users and clients. */
  'server.name': z
    .string()
    .trim()
    .min(1, { error: 'enter a name for this NAS' })
    .max(63, { error: 'use at most 63 characters' }),
  /** Raise a warning alert when the data directory's disk is at least this full. */
  'alerts.diskAlmostFullPercent': z
    .number({ error: 'enter a percentage between 1 and 100' })
    .min(1, { error: 'enter a percentage between 1 and 100' })
    .max(100, { error: 'enter a percentage between 1 and 100' }),
} as const;
export const SETTING_DEFAULTS: { [K in keyof typeof KNOWN_SETTINGS]: z.infer<(typeof KNOWN_SETTINGS)[K]> } = {
  'server.name': 'DittoFS',
  'alerts.diskAlmostFullPercent': 90,
};
export const SettingKeySchema = z
  .string()
  .regex(/^[a-z][A-Za-z0-9_.-]{0,127}$/, { error: 'expected a key such as server.name' });
export const SettingSchema = z.object({ key: z.string(), value: z.unknown(), updatedAt: Time.optional() });
export const SettingParams = z.strictObject({ key: SettingKeySchema });
export const SetSettingRequest = z.strictObject({ value: z.json() });

export const GuestSchema = z.object({ enabled: z.boolean(), uid: z.int(), gid: z.int() });
export const UpdateGuestRequest = z.strictObject({
  enabled: z.boolean().optional(),
  uid: UnixIdSchema.optional(),
  gid: UnixIdSchema.optional(),
});

/** A network this computer is on (for a share's allowed networks). */
export const NetworkSchema = z.object({
  /** The network, e.g. 192.168.1.0/24. */
  cidr: z.string(),
  interface: z.string(),
  /** Loopback: this computer only. */
  internal: z.boolean(),
});
export type NetworkDto = z.infer<typeof NetworkSchema>;

/** An address other devices may use to reach this computer; the first one offered is the best guess. */
export const ConnectAddressSchema = z.object({
  host: z.string(),
  /** 'name': the computer's name (`<hostname>.local` needs mDNS/Bonjour on the other device). */
  kind: z.enum(['ipv4', 'ipv6', 'name']),
  /** Where it comes from, in words: "eth0 (192.168.1.0/24)", "this computer's name on the local network". */
  note: z.string(),
});
export type ConnectAddressDto = z.infer<typeof ConnectAddressSchema>;
/** How other devices connect: this computer's addresses and the protocol adapters running now, with their real ports. */
export const ConnectInfoSchema = z.object({
  hostname: z.string(),
  /** Best first; never loopback or link-local. Empty when the computer is on no network. */
  addresses: z.array(ConnectAddressSchema),
  /**
   * NFS (null when not running); `mountPort` is where MOUNT answers (the NFS port unless set
   * apart); `locking`: NFSv3 clients can lock (NLM), because the portmapper answers on port 111.
   */
  nfs: z.object({ port: z.int(), mountPort: z.int(), localOnly: z.boolean(), locking: z.boolean() }).nullable(),
  /** SMB (null when not running). */
  smb: z.object({ port: z.int(), localOnly: z.boolean() }).nullable(),
});
export type ConnectInfoDto = z.infer<typeof ConnectInfoSchema>;

// ---------------------------------------------------------------------------------------
// Mounts, clients, stats, alerts
// ---------------------------------------------------------------------------------------

export const MountSchema = z.object({
  id: z.string(),
  protocol: MountProtocolSchema,
  clientAddr: z.string(),
  share: z.string(),
  /** The user's name; for an NFS uid no user has, "uid <n>". */
  user: z.string(),
  /** NFS AUTH_SYS: the uid the client sent. */
  uid: z.int().nullable(),
  /** NFS: the protocol version mounted with ("3", "4.0", "4.1", "4.2"). */
  version: z.string().optional(),
  since: Time,
  /** The last request on this mount (the MOUNT call itself at first). */
  lastActive: Time,
  /**
   * 'connected': a live connection, or a request in the last few minutes. 'mounted': only
   * the MOUNT record is left (NFSv3 clients such as libnfs never unmount, and NFS may be down).
   */
  state: z.enum(['connected', 'mounted']),
  /** Live TCP connections of this client that used this share. */
  connections: z.int(),
  bytesRead: z.number(),
  bytesWritten: z.number(),
  ops: z.number(),
  /** Files the client has open on the share (NFSv4 opens, SMB opens). */
  opens: z.int(),
  /** Byte-range locks the client holds on the share (NFSv4, NLM, SMB). */
  locks: z.int(),
  /** SMB: the dialect and protection of the client's live connection to the share. */
  security: z.object({ dialect: z.string(), signed: z.boolean(), encrypted: z.boolean() }).optional(),
});
export type MountDto = z.infer<typeof MountSchema>;
export const MountParams = z.strictObject({ id: z.string().min(1).max(64) });

export const ClientSchema = z.object({
  address: z.string(),
  protocols: z.array(MountProtocolSchema),
  shares: z.array(z.string()),
  users: z.array(z.string()),
  mounts: z.int(),
  since: Time,
  bytesRead: z.number(),
  bytesWritten: z.number(),
  ops: z.number(),
});
export type ClientDto = z.infer<typeof ClientSchema>;
export const ClientParams = z.strictObject({ address: z.string().min(1).max(128) });
export const DisconnectResultSchema = z.object({ disconnected: z.int() });

export const ThroughputSchema = z.object({ bytesRead: z.number(), bytesWritten: z.number(), ops: z.number() });
export const ThroughputSampleSchema = z.object({
  time: Time,
  total: ThroughputSchema,
  byShare: z.record(z.string(), ThroughputSchema),
  byClient: z.record(z.string(), ThroughputSchema),
});
export type ThroughputSampleDto = z.infer<typeof ThroughputSampleSchema>;

export const AlertSchema = z.object({
  id: z.string(),
  level: AlertLevelSchema,
  /** Stable per cause ("disk.almost-full", "adapter.nfs"): one alert per cause at a time. */
  cause: z.string(),
  message: z.string(),
  time: Time,
  /** The setting or page that fixes it, e.g. "settings/alerts.diskAlmostFullPercent". */
  link: z.string().optional(),
  resolved: z.boolean(),
});
export type AlertDto = z.infer<typeof AlertSchema>;
export const AlertParams = z.strictObject({ id: z.string().min(1).max(64) });

/** Who started the server: a service manager (systemd, launchd), the desktop app, or a person by hand. */
export const LauncherSchema = z.enum(['service', 'desktop', 'manual']);
export type Launcher = z.infer<typeof LauncherSchema>;
export const StatsSchema = z.object({
  version: z.string(),
  launcher: LauncherSchema,
  startedAt: Time,
  uptimeSeconds: z.number(),
  /** Since start. */
  totals: ThroughputSchema,
  /** The last one-second window. */
  throughput: ThroughputSampleSchema.nullable(),
  mounts: z.int(),
  clients: z.int(),
  shares: z.object({ total: z.int(), enabled: z.int() }),
  users: z.int(),
  adapters: z.array(z.object({ type: AdapterTypeSchema, state: AdapterStateSchema, boundPort: z.int().nullable() })),
  alerts: z.object({ active: z.int(), warnings: z.int() }),
  dataDir: z
    .object({ path: z.string(), totalBytes: z.number(), freeBytes: z.number(), availBytes: z.number() })
    .nullable(),
  /** The memory slices in front of every write log: bytes held, of them not yet carved (dirty), and the bound. */
  writeCache: z.object({ bytes: z.number(), dirtyBytes: z.number(), capBytes: z.number() }),
});
export type StatsDto = z.infer<typeof StatsSchema>;

export const HealthSchema = z.object({
  /** unavailable: a database it depends on cannot be reached (the checks say which). */
  status: z.enum(['ok', 'ready', 'starting', 'unavailable']),
  checks: z.record(z.string(), z.string()).optional(),
});
