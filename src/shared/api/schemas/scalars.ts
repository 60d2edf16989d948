/** Scalars shared by every schema, and RFC 9457 problem details. */
import { z } from 'zod';
import { passwordProblem } from '../../password-strength.ts';
import { issueInWords } from '../messages.ts';
import { shareNameProblem } from '../share-names.ts';

// Every message a schema does not word itself, in words (see messages.ts).
z.config({ customError: issueInWords });

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

export const IsoTime = z.string().describe('ISO-8601 time');

/** Requests without input still reject unknown query parameters. */
export const EmptyQuery = z.strictObject({});
/** 204 responses. */
export const NoContent = z.void();

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
