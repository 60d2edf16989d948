/**
 * The API's "test connection" of payload store options (stores.payload.test): REDACTED
 * secrets are replaced by the saved ones of the named store, then the options are probed in
 * stages (payload/stores/s3/probe.ts). Nothing is saved and nothing is logged.
 */
import { REDACTED } from '../../shared/api/schemas.ts';
import type { StoreTestDto, TestPayloadStoreInput } from '../../shared/api/store-test.ts';
import { DittoError } from '../../shared/errors.ts';
import type { ControlPlaneStore } from '../controlplane/store/store.ts';
import { parseS3Config } from '../payload/stores/s3/config.ts';
import { probeS3 } from '../payload/stores/s3/probe.ts';
import { keepRedacted } from './store-admin.ts';

const hidesSecret = (config: Record<string, unknown>): boolean =>
  Object.values(config).some(
    (v) => v === REDACTED || (v !== null && typeof v === 'object' && hidesSecret(v as Record<string, unknown>)),
  );

export async function testPayloadStore(store: ControlPlaneStore, input: TestPayloadStoreInput): Promise<StoreTestDto> {
  if (input.type !== 's3') {
    throw new DittoError(
      'VALIDATION',
      `Only S3 stores are tested this way; a ${input.type} store is opened to check it when it is created.`,
    );
  }
  let config = input.config ?? {};
  if (hidesSecret(config) && input.name !== undefined) {
    config = keepRedacted(config, (await store.getPayloadStore(input.name)).config);
  }
  if (hidesSecret(config)) {
    throw new DittoError(
      'VALIDATION',
      `A secret is hidden (${REDACTED}): name the saved store it belongs to, or type the secret again.`,
    );
  }
  return probeS3(parseS3Config(config));
}
