/**
 * The tray icon: one picture per server state (resources/tray/<state>.png, @2x picked up
 * by nativeImage), a tooltip with the state and throughput, and the menu of DESIGN.md:
 * open, start/stop server, copy connect address, start at login, quit.
 */
import path from 'node:path';
import type { LiveStatus, ServerState } from '../shared/desktop.ts';
import { formatRate } from '../shared/format.ts';
import type { ConnectChoices } from './connect-menu.ts';

export interface TrayLike {
  setImage(image: unknown): void;
  setToolTip(text: string): void;
  setContextMenu(menu: unknown): void;
  on(event: 'click', listener: () => void): unknown;
  destroy(): void;
}

export interface MenuItemSpec {
  label?: string;
  type?: 'normal' | 'separator' | 'checkbox';
  checked?: boolean;
  enabled?: boolean;
  click?: () => void;
  submenu?: MenuItemSpec[];
}

/** The Electron objects the tray needs (passed in so tests can mock them). */
export interface TrayDeps {
  createTray(image: unknown): TrayLike;
  createImage(file: string): unknown;
  buildMenu(items: MenuItemSpec[]): unknown;
  writeClipboard(text: string): void;
}

export interface TrayActions {
  open(): void;
  startServer(): void;
  stopServer(): void;
  quit(): void;
  getStartAtLogin(): boolean;
  setStartAtLogin(on: boolean): void;
  /** The connect lines of every share, once the server is up (see connect-menu.ts). */
  connectChoices(): ConnectChoices | undefined;
}

const STATE_LABEL: Record<ServerState, string> = {
  stopped: 'Stopped',
  starting: 'Starting…',
  serving: 'Serving',
  busy: 'Serving (busy)',
  degraded: 'Serving, with warnings',
  error: 'Error — restarting',
};

export function iconFile(iconDir: string, state: ServerState): string {
  return path.join(iconDir, 'tray', `${state}.png`);
}

export class TrayController {
  private readonly tray: TrayLike;
  private _state: ServerState = 'stopped';
  private status: LiveStatus | undefined;

  constructor(
    private readonly deps: TrayDeps,
    private readonly iconDir: string,
    private readonly actions: TrayActions,
  ) {
    this.tray = deps.createTray(deps.createImage(iconFile(iconDir, this._state)));
    this.tray.on('click', () => actions.open());
    this.refresh();
  }

  get state(): ServerState {
    return this._state;
  }

  setState(state: ServerState): void {
    if (state === this._state) return;
    this._state = state;
    this.tray.setImage(this.deps.createImage(iconFile(this.iconDir, state)));
    if (state !== 'serving' && state !== 'busy' && state !== 'degraded') this.status = undefined;
    this.refresh();
  }

  setStatus(status: LiveStatus): void {
    this.status = status;
    this.tray.setToolTip(this.tooltip());
  }

  tooltip(): string {
    let t = `DittoFS — ${STATE_LABEL[this._state]}`;
    if (this.status) t += `\n↓ ${formatRate(this.status.readBps)}  ↑ ${formatRate(this.status.writeBps)}`;
    return t;
  }

  /** Rebuilds the menu (state-dependent labels) and the tooltip. */
  refresh(): void {
    const up = this._state !== 'stopped' && this._state !== 'error';
    const choices = this.actions.connectChoices();
    const items: MenuItemSpec[] = [
      { label: 'Open DittoFS', click: () => this.actions.open() },
      { label: `Server: ${STATE_LABEL[this._state]}`, enabled: false },
      up
        ? { label: 'Stop server', click: () => this.actions.stopServer() }
        : { label: 'Start server', click: () => this.actions.startServer() },
      choices
        ? {
            label: `Copy connect address (${choices.host})`,
            submenu: choices.shares.map(({ share, lines }) => ({
              label: share,
              submenu: lines.map((l) => ({ label: l.label, click: () => this.deps.writeClipboard(l.value) })),
            })),
          }
        : { label: 'Copy connect address', enabled: false },
      { type: 'separator' },
      {
        label: 'Start at login',
        type: 'checkbox',
        checked: this.actions.getStartAtLogin(),
        click: () => {
          this.actions.setStartAtLogin(!this.actions.getStartAtLogin());
          this.refresh();
        },
      },
      { type: 'separator' },
      { label: 'Quit DittoFS', click: () => this.actions.quit() },
    ];
    this.tray.setContextMenu(this.deps.buildMenu(items));
    this.tray.setToolTip(this.tooltip());
  }

  destroy(): void {
    this.tray.destroy();
  }
}
