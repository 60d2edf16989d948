/**
 * The API's "test connection" of payload store options (stores.payload.test): REDACTED
 * secrets are replaced by the saved ones of the named store, then the options are probed in
 * stages (payload/stores/s3/probe.ts), and a block index in PostgreSQL is queried
 * (postgres/probe.ts). Nothing is saved and nothing is logged.
 */
import { REDACTED } from '../../shared/api/schemas.ts';
import type { StoreTestDto, StoreTestStageDto, TestPayloadStoreInput } from '../../shared/api/store-test.ts';
import { DittoError } from '../../shared/errors.ts';
import type { ControlPlaneStore } from '../controlplane/store/store.ts';
import { parseS3Config, type S3StoreConfig } from '../payload/stores/s3/config.ts';
import { PROBE_DEADLINE_MS, probeS3 } from '../payload/stores/s3/probe.ts';
import { probePostgres } from '../postgres/probe.ts';
import { isRedacted, keepRedacted } from './store-admin.ts';

const hidesSecret = (config: Record<string, unknown>): boolean =>
  Object.values(config).some(
    (v) => isRedacted(v) || (v !== null && typeof v === 'object' && hidesSecret(v as Record<string, unknown>)),
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
  const s3 = parseS3Config(config);
  const { blockIndex } = s3;
  if (blockIndex === undefined) return probeS3(s3);
  // Both at once: the test takes as long as the slower of the two, not their sum.
  const [result, index] = await Promise.all([probeS3(s3), probeBlockIndex(blockIndex)]);
  return {
    ok: result.ok && index.status === 'ok',
    stages: [...result.stages, index],
    ms: Math.max(result.ms, index.ms),
  };
}

async function probeBlockIndex(config: NonNullable<S3StoreConfig['blockIndex']>): Promise<StoreTestStageDto> {
  const t0 = performance.now();
  const verdict = await probePostgres(config, PROBE_DEADLINE_MS).then(
    (message) => ({ status: 'ok' as const, message }),
    (err: unknown) => ({ status: 'failed' as const, message: (err as Error).message }),
  );
  return { stage: 'blockIndex', ...verdict, ms: Math.round(performance.now() - t0) };
}
