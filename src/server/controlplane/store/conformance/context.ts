/** What every case file of the control-plane store conformance suite works with. */
import { expect } from 'vitest';
import type { ErrorCode } from '../../../../shared/errors.ts';
import type { ControlPlaneStore } from '../store.ts';

export interface ConformanceContext {
  /** The store under test: a new one for each test, and after each reopen(). */
  readonly store: ControlPlaneStore;
  /** Closes the store and opens it again on the same data. */
  reopen(): Promise<ControlPlaneStore>;
  /** Creates one metadata store 'meta' and one payload store 'blocks'. */
  withStores(): Promise<void>;
}

export async function expectError(promise: Promise<unknown>, code: ErrorCode): Promise<void> {
  await expect(promise).rejects.toMatchObject({ name: 'DittoError', code });
}
