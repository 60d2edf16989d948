/**
 * Electron main entry (bundled by electron-vite to out/main/index.js). Everything lives in
 * app.ts, which takes the electron module as a parameter; this file only hands it over.
 */
import * as electron from 'electron';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { OPERATION_IDS } from '../shared/api/operations.ts';
import { startApp, type ElectronLike } from './app.ts';

const mainDir = path.dirname(fileURLToPath(import.meta.url));
const resourcesDir = electron.app.isPackaged
  ? path.join(process.resourcesPath, 'resources')
  : path.join(mainDir, '..', '..', 'resources');

startApp({
  electron: electron as unknown as ElectronLike,
  paths: { mainDir, resourcesDir },
  // auth.* token operations make no sense over IPC (the desktop user is the local admin).
  operations: OPERATION_IDS.filter(
    (op) => !['auth.login', 'auth.refresh', 'auth.logout', 'auth.changePassword'].includes(op),
  ),
}).catch((err: unknown) => {
  console.error('[dittofs] the app failed to start', err);
  electron.app.exit(1);
});
