/** Shares, their folders and permissions, and the signed-in user's own shares. */
import { z } from 'zod';
import {
  CidrSchema,
  GroupNameSchema,
  PrincipalTypeSchema,
  ShareAccessSchema,
  ShareNameParam,
  ShareNameSchema,
  SquashSchema,
  StoreNameSchema,
  IsoTime,
  UnixIdSchema,
  UsernameSchema,
} from './scalars.ts';

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
  measuredAt: IsoTime,
  /** A newer measurement is running, or due within seconds after a change (ask again in a moment). */
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
  createdAt: IsoTime,
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
