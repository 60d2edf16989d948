// Runs before `npm start`: builds the web UI once (out/renderer) so a fresh clone serves it
// at http://127.0.0.1:8080/. `npm run build:app` rebuilds it after changes.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

if (!existsSync(new URL('../out/renderer/index.html', import.meta.url))) {
  console.error('dfs: building the web UI once (npm run build:app)...');
  const res = spawnSync('npx', ['electron-vite', 'build'], { stdio: ['ignore', 'ignore', 'inherit'] });
  if (res.status !== 0) console.error('dfs: the web UI build failed; the server still starts, without the UI');
}
