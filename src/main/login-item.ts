/**
 * Start at login, hidden (tray only). macOS and Windows have it in Electron
 * (app.setLoginItemSettings); on Linux it is an XDG autostart entry
 * (~/.config/autostart/dittofs.desktop) with --hidden.
 *
 * macOS 13 and up registers the app itself as the login item (SMAppService, Electron's
 * type 'mainAppService'), which passes no arguments and ignores openAsHidden: the app
 * learns it was started at login from getLoginItemSettings().wasOpenedAtLogin and starts
 * hidden then. openAsHidden still covers macOS 12 and older. Windows gets --hidden as an
 * argument of its Run key (and must be asked with the same args).
 */
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export interface LoginItemApp {
  getLoginItemSettings(options?: { type?: 'mainAppService'; args?: string[] }): {
    openAtLogin: boolean;
    /** macOS: started by the login item. */
    wasOpenedAtLogin?: boolean;
    /** macOS 13+: not-registered, enabled, requires-approval or not-found. */
    status?: string;
  };
  setLoginItemSettings(settings: {
    openAtLogin: boolean;
    openAsHidden?: boolean;
    type?: 'mainAppService';
    args?: string[];
  }): void;
}

export interface LoginItem {
  get(): boolean;
  set(on: boolean): void;
  /** Whether this run was started at login (then the app starts hidden, in the tray). */
  openedAtLogin(argv: readonly string[]): boolean;
}

export const HIDDEN_ARG = '--hidden';

export function createLoginItem(opts: {
  platform: NodeJS.Platform;
  app: LoginItemApp;
  /** The command to start the app (process.env.APPIMAGE or process.execPath). */
  exec: string;
  /** $XDG_CONFIG_HOME or ~/.config. */
  configHome: string;
}): LoginItem {
  const byArg = (argv: readonly string[]) => argv.includes(HIDDEN_ARG);
  if (opts.platform === 'darwin') {
    const { app } = opts;
    return {
      get: () => {
        const s = app.getLoginItemSettings({ type: 'mainAppService' });
        // 'requires-approval': registered, waiting for the user in System Settings > Login Items.
        return s.openAtLogin || s.status === 'enabled' || s.status === 'requires-approval';
      },
      set: (on) => app.setLoginItemSettings({ openAtLogin: on, type: 'mainAppService', openAsHidden: true }),
      openedAtLogin: (argv) => byArg(argv) || app.getLoginItemSettings().wasOpenedAtLogin === true,
    };
  }
  if (opts.platform === 'win32') {
    const { app } = opts;
    return {
      get: () => app.getLoginItemSettings({ args: [HIDDEN_ARG] }).openAtLogin,
      set: (on) => app.setLoginItemSettings({ openAtLogin: on, args: [HIDDEN_ARG] }),
      openedAtLogin: byArg,
    };
  }
  const file = path.join(opts.configHome, 'autostart', 'dittofs.desktop');
  return {
    openedAtLogin: byArg,
    get: () => existsSync(file),
    set: (on) => {
      if (!on) {
        rmSync(file, { force: true });
        return;
      }
      mkdirSync(path.dirname(file), { recursive: true });
      const exec = /[\s"]/.test(opts.exec) ? `"${opts.exec.replace(/"/g, '\\"')}"` : opts.exec;
      writeFileSync(
        file,
        [
          '[Desktop Entry]',
          'Type=Application',
          'Name=DittoFS',
          'Comment=Personal NAS (NFS, SMB)',
          `Exec=${exec} ${HIDDEN_ARG}`,
          'X-GNOME-Autostart-enabled=true',
          '',
        ].join('\n'),
      );
    },
  };
}
