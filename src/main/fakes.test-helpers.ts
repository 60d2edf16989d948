/** Test doubles for the Electron objects the main-process modules take as parameters. */
import { EventEmitter } from 'node:events';
import type { FromUtility, ToUtility } from '../shared/desktop.ts';
import type { PortLike, UtilityChild } from './server-host.ts';

/** One end of an in-memory MessageChannel (MessagePortMain-like: on('message', {data})). */
export class FakePort extends EventEmitter implements PortLike {
  other: FakePort | undefined;
  closed = false;
  started = false;
  readonly sent: unknown[] = [];
  postMessage(message: unknown): void {
    if (this.closed) throw new Error('port closed');
    this.sent.push(message);
    const o = this.other;
    if (o && !o.closed) queueMicrotask(() => o.emit('message', { data: message }));
  }
  start(): void {
    this.started = true;
  }
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.emit('close');
    if (this.other && !this.other.closed) this.other.close();
  }
}

export function fakeChannel(): { port1: FakePort; port2: FakePort } {
  const port1 = new FakePort();
  const port2 = new FakePort();
  port1.other = port2;
  port2.other = port1;
  return { port1, port2 };
}

/** A utility process that answers as the test says. */
export class FakeChild extends EventEmitter implements UtilityChild {
  static nextPid = 1000;
  readonly pid = FakeChild.nextPid++;
  readonly received: ToUtility[] = [];
  eventsPort: FakePort | undefined;
  killed = false;
  /** false: a stop request is only recorded (the test ends the drain with exit()). */
  exitOnStop = true;
  postMessage(message: ToUtility, transfer?: unknown[]): void {
    this.received.push(message);
    if (message.type === 'events') this.eventsPort = transfer?.[0] as FakePort;
    if (message.type === 'stop' && this.exitOnStop) queueMicrotask(() => this.exit(0));
  }
  send(m: FromUtility): void {
    this.emit('message', m);
  }
  exit(code: number): void {
    if (this.killed) return;
    this.killed = true;
    this.emit('exit', code);
  }
  kill(): boolean {
    queueMicrotask(() => this.exit(137));
    return true;
  }
}

type Listener = (...args: never[]) => unknown;

/** A quit-like event: records whether a listener held it. */
export function quitEvent(): { preventDefault(): void; prevented: boolean } {
  const e = {
    prevented: false,
    preventDefault() {
      e.prevented = true;
    },
  };
  return e;
}

/**
 * A fresh, minimal electron module for startApp (one per test: quitting is for good). The
 * tray menu, app events, power monitor and signals are recorded so a test can fire them.
 */
export function fakeElectron(opts: { loginItem?: { wasOpenedAtLogin?: boolean } } = {}) {
  const app = new EventEmitter();
  const power = new EventEmitter();
  const signals = new EventEmitter();
  const children: FakeChild[] = [];
  const menus: { label?: string; click?: () => void }[][] = [];
  const windows: { events: EventEmitter }[] = [];
  /** count: app.quit() calls; finished: quits no listener held (the app really ended). */
  const quits = { count: 0, finished: 0 };
  const loginCalls: unknown[] = [];
  const win = () => ({
    webContents: { on: () => undefined, setWindowOpenHandler: () => undefined },
    events: new EventEmitter(),
    on(event: string, l: Listener) {
      this.events.on(event, l as (...args: unknown[]) => void);
    },
    once: () => undefined,
    show: () => undefined,
    hide: () => undefined,
    focus: () => undefined,
    restore: () => undefined,
    isMinimized: () => false,
    isDestroyed: () => false,
    loadURL: () => Promise.resolve(),
    loadFile: () => Promise.resolve(),
  });
  const electron = {
    app: {
      isPackaged: true,
      requestSingleInstanceLock: () => true,
      on: (event: string, l: Listener) => app.on(event, l as (...args: unknown[]) => void),
      whenReady: () => Promise.resolve(),
      quit: () => {
        quits.count++;
        const before = quitEvent();
        app.emit('before-quit', before);
        if (before.prevented) return;
        const will = quitEvent();
        app.emit('will-quit', will);
        if (!will.prevented) quits.finished++;
      },
      exit: () => undefined,
      getLoginItemSettings: () => ({ openAtLogin: false, wasOpenedAtLogin: opts.loginItem?.wasOpenedAtLogin }),
      setLoginItemSettings: (s: unknown) => void loginCalls.push(s),
      dock: { hide: () => undefined, show: () => undefined },
    },
    BrowserWindow: class {
      constructor() {
        const w = win();
        windows.push(w);
        return w as unknown as object;
      }
    },
    Tray: class {
      setImage() {}
      setToolTip() {}
      setContextMenu(m: { label?: string; click?: () => void }[]) {
        menus.push(m);
      }
      on() {}
      destroy() {}
    },
    Menu: { buildFromTemplate: (items: unknown[]) => items },
    nativeImage: { createFromPath: (file: string) => ({ file }) },
    clipboard: { writeText: () => undefined },
    shell: { openExternal: () => Promise.resolve() },
    ipcMain: { handle: () => undefined, on: () => undefined, removeHandler: () => undefined },
    utilityProcess: {
      fork: () => {
        const c = new FakeChild();
        c.exitOnStop = false;
        children.push(c);
        return c;
      },
    },
    MessageChannelMain: class {
      port1: FakePort;
      port2: FakePort;
      constructor() {
        ({ port1: this.port1, port2: this.port2 } = fakeChannel());
      }
    },
    powerMonitor: { on: (event: string, l: Listener) => power.on(event, l as (...args: unknown[]) => void) },
    session: {
      defaultSession: {
        webRequest: { onHeadersReceived: () => undefined },
        setPermissionRequestHandler: () => undefined,
      },
    },
  };
  return { electron, app, power, signals, children, menus, windows, quits, loginCalls };
}
