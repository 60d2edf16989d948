import type { Logger } from 'pino';
import { isDittoError } from '../../shared/errors.ts';
import { ntHash } from '../auth/nthash.ts';
import { generatePassword, hashPassword } from '../auth/password.ts';
import type { ControlPlaneStore } from '../controlplane/store/store.ts';

export const ADMIN_USERNAME = 'admin';

export interface AdminBootstrap {
  /** Set only when the password was generated here; shown to the operator once. */
  generatedPassword: string | undefined;
}

/**
 * Identity sub-service, first part: makes sure an `admin` user exists. Its password comes
 * from `initialPassword` (DITTOFS_ADMIN_INITIAL_PASSWORD) or is generated; a generated
 * password must be changed at first login.
 */
export async function ensureAdmin(
  store: ControlPlaneStore,
  initialPassword: string | undefined,
  logger: Logger,
): Promise<AdminBootstrap> {
  try {
    await store.getUser(ADMIN_USERNAME);
    return { generatedPassword: undefined };
  } catch (err) {
    if (!isDittoError(err, 'NOT_FOUND')) throw err;
  }
  const generated = initialPassword ? undefined : generatePassword();
  const password = initialPassword ?? (generated as string);
  await store.createUser({
    username: ADMIN_USERNAME,
    passwordHash: await hashPassword(password),
    ntHash: ntHash(password),
    role: 'admin',
    mustChangePassword: generated !== undefined,
    displayName: 'Administrator',
  });
  logger.info({ user: ADMIN_USERNAME, generated: generated !== undefined }, 'admin user created');
  return { generatedPassword: generated };
}
