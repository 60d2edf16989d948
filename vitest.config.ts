import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // Compiles the server once (out/server) before the tests spawn `dfs` from it.
    globalSetup: ['e2e/helpers/build-server.global.ts'],
    projects: [
      { extends: true, test: { name: 'all', include: ['src/**/*.test.ts', 'e2e/**/*.test.ts'] } },
      // The MetadataService tests once more on a folder store (src/server/metadata/testing.ts).
      {
        extends: true,
        test: {
          name: 'metadata-on-folder',
          include: ['src/server/metadata/service-*.test.ts'],
          exclude: ['src/server/metadata/service-sqlite.test.ts'],
          env: { DITTOFS_TEST_METADATA_STORE: 'folder' },
        },
      },
    ],
  },
});
