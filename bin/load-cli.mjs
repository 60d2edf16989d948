// Loads a CLI's module: the compiled one (out/server/<name>.mjs, rebuilt first when a source
// is newer: scripts/build-server.mjs), or with DITTOFS_FROM_SOURCE=1 the TypeScript source
// through tsx (debugging).
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export async function loadCli(name) {
  if (process.env.DITTOFS_FROM_SOURCE === '1') {
    const { register } = await import('tsx/esm/api');
    register();
    return import(pathToFileURL(path.join(ROOT, 'src', 'server', 'cli', `${name}.ts`)).href);
  }
  const build = await import('../scripts/build-server.mjs');
  await build.ensureServerBuilt();
  return import(pathToFileURL(build.outputOf(name)).href);
}
