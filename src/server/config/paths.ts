import path from 'node:path';
import envPaths from 'env-paths';

/** Platform directories (XDG on Linux); read at call time so XDG_* changes are seen. */
const dirs = () => envPaths('dittofs', { suffix: '' });

/** Where `dfs` looks for its config file when none is given. */
export function defaultConfigPath(): string {
  return path.join(dirs().config, 'config.yaml');
}

/** Default home of the control-plane database and the embedded stores. */
export function defaultDataDir(): string {
  return dirs().data;
}
