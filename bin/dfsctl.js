#!/usr/bin/env node
// Runs the TypeScript sources directly (tsx); `dfsctl` is the management client.
// CommonJS, like every file in bin/ (bin/package.json).
void import('tsx/esm/api').then(({ register }) => {
  register();
  return import('../src/server/cli/dfsctl.ts');
});
