/** Protocol adapters and server settings. */
import { z } from 'zod';
import { AdapterStateSchema, AdapterTypeSchema, HostSchema, PortSchema, IsoTime, UnixIdSchema } from './scalars.ts';

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
export const SettingSchema = z.object({ key: z.string(), value: z.unknown(), updatedAt: IsoTime.optional() });
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
