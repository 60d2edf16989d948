/**
 * Start at login. macOS and Windows have it in Electron (app.setLoginItemSettings); on
 * Linux it is an XDG autostart entry (~/.config/autostart/dittofs.desktop).
 */
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export interface LoginItemApp {
  getLoginItemSettings(): { openAtLogin: boolean };
  setLoginItemSettings(settings: { openAtLogin: boolean; openAsHidden?: boolean; args?: string[] }): void;
}

export interface LoginItem {
  get(): boolean;
  set(on: boolean): void;
}

export function createLoginItem(opts: {
  platform: NodeJS.Platform;
  app: LoginItemApp;
  /** The command to start the app (process.env.APPIMAGE or process.execPath). */
  exec: string;
  /** $XDG_CONFIG_HOME or ~/.config. */
  configHome: string;
}): LoginItem {
  if (opts.platform !== 'linux') {
    return {
      get: () => opts.app.getLoginItemSettings().openAtLogin,
      set: (on) => opts.app.setLoginItemSettings({ openAtLogin: on, openAsHidden: true, args: ['--hidden'] }),
    };
  }
  const file = path.join(opts.configHome, 'autostart', 'dittofs.desktop');
  return {
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
          `Exec=${exec} --hidden`,
          'X-GNOME-Autostart-enabled=true',
          '',
        ].join('\n'),
      );
    },
  };
}
