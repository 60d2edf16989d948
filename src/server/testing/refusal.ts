/** Test support: the DittoError a store's open refuses with (a store that opens is closed, then fails the test). */
import { isDittoError, type DittoError } from '../../shared/errors.ts';

export async function refusal(op: Promise<{ close(): Promise<void> }>): Promise<DittoError> {
  const err = await op.then(
    async (s) => {
      await s.close();
      return undefined;
    },
    (e: unknown) => e,
  );
  if (!isDittoError(err)) throw new Error(`expected a DittoError, got ${String(err)}`);
  return err;
}
