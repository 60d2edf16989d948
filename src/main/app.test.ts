// The whole main process with `electron` mocked: index.ts wires app, tray, window, server
// host and IPC together; the tray follows the server's state; a crashed utility process
// is restarted; a second launch focuses the window; closing hides it.
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { FakeChild, fakeChannel } from './fakes.test-helpers.ts';

const fake = vi.hoisted(() => {
  type Listener = (...args: unknown[]) => unknown;
  const on = (map: Map<string, Listener[]>) => (event: string, l: Listener) => {
    map.set(event, [...(map.get(event) ?? []), l]);
  };
  const appListeners = new Map<string, Listener[]>();
  const state = {
    appListeners,
    children: [] as unknown[],
    forks: [] as { modulePath: string; options: Record<string, unknown> }[],
    trays: [] as { images: string[]; menus: unknown[]; tooltips: string[] }[],
    windows: [] as {
      options: Record<string, unknown>;
      listeners: Map<string, Listener[]>;
      shown: number;
      hidden: number;
      focused: number;
      loaded?: string;
      openHandler?: (d: { url: string }) => unknown;
      contentsListeners: Map<string, Listener[]>;
    }[],
    handlers: new Map<string, Listener>(),
    opened: [] as string[],
    notifications: [] as string[],
    clipboard: [] as string[],
    quit: 0,
    makeChild: undefined as undefined | (() => unknown),
    makeChannel: undefined as undefined | (() => unknown),
  };
  const emit = (map: Map<string, Listener[]>, event: string, ...args: unknown[]) => {
    for (const l of map.get(event) ?? []) l(...args);
  };
  const electron = {
    app: {
      isPackaged: false,
      requestSingleInstanceLock: () => true,
      on: on(appListeners),
      whenReady: () => Promise.resolve(),
      quit: () => void state.quit++,
      exit: () => undefined,
      getLoginItemSettings: () => ({ openAtLogin: false }),
      setLoginItemSettings: () => undefined,
    },
    BrowserWindow: class {
      webContents: unknown;
      private readonly rec: (typeof state.windows)[number];
      constructor(options: Record<string, unknown>) {
        const rec: (typeof state.windows)[number] = {
          options,
          listeners: new Map(),
          shown: 0,
          hidden: 0,
          focused: 0,
          contentsListeners: new Map(),
        };
        this.rec = rec;
        state.windows.push(rec);
        this.webContents = {
          on: on(rec.contentsListeners),
          setWindowOpenHandler: (h: (d: { url: string }) => unknown) => {
            rec.openHandler = h;
          },
        };
      }
      on(event: string, l: Listener) {
        on(this.rec.listeners)(event, l);
        return this;
      }
      once(event: string, l: Listener) {
        return this.on(event, l);
      }
      show() {
        this.rec.shown++;
      }
      hide() {
        this.rec.hidden++;
      }
      focus() {
        this.rec.focused++;
      }
      restore() {}
      isMinimized() {
        return false;
      }
      isDestroyed() {
        return false;
      }
      loadURL(u: string) {
        this.rec.loaded = u;
        return Promise.resolve();
      }
      loadFile(f: string) {
        this.rec.loaded = f;
        return Promise.resolve();
      }
    },
    Tray: class {
      private readonly rec = { images: [] as string[], menus: [] as unknown[], tooltips: [] as string[] };
      constructor(image: { file: string }) {
        this.rec.images.push(image.file);
        state.trays.push(this.rec);
      }
      setImage(image: { file: string }) {
        this.rec.images.push(image.file);
      }
      setToolTip(t: string) {
        this.rec.tooltips.push(t);
      }
      setContextMenu(m: unknown) {
        this.rec.menus.push(m);
      }
      on() {}
      destroy() {}
    },
    Menu: { buildFromTemplate: (items: unknown[]) => items },
    nativeImage: { createFromPath: (file: string) => ({ file }) },
    clipboard: { writeText: (text: string) => void state.clipboard.push(text) },
    shell: { openExternal: (u: string) => void state.opened.push(u) },
    ipcMain: {
      handle: (c: string, l: Listener) => void state.handlers.set(c, l),
      on: (c: string, l: Listener) => void state.handlers.set(c, l),
      removeHandler: () => undefined,
      removeAllListeners: () => undefined,
    },
    utilityProcess: {
      fork: (modulePath: string, _args: string[], options: Record<string, unknown>) => {
        state.forks.push({ modulePath, options });
        const c = state.makeChild!();
        state.children.push(c);
        return c;
      },
    },
    MessageChannelMain: class {
      port1: unknown;
      port2: unknown;
      constructor() {
        const ch = state.makeChannel!() as { port1: unknown; port2: unknown };
        this.port1 = ch.port1;
        this.port2 = ch.port2;
      }
    },
    Notification: Object.assign(
      class {
        constructor(private readonly o: { title: string; body: string }) {}
        show() {
          state.notifications.push(`${this.o.title}: ${this.o.body}`);
        }
      },
      { isSupported: () => true },
    ),
    powerMonitor: { on: () => undefined },
    session: {
      defaultSession: {
        webRequest: { onHeadersReceived: () => undefined },
        setPermissionRequestHandler: () => undefined,
      },
    },
  };
  return { state, electron, emit };
});

vi.mock('electron', () => fake.electron);

const { state, emit } = fake;
const trayIcons = () => state.trays[0]!.images.map((f) => path.basename(f));
const child = (i: number) => state.children[i] as FakeChild;

describe('the desktop main process (electron mocked)', () => {
  beforeAll(async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    state.makeChild = () => new FakeChild();
    state.makeChannel = fakeChannel;
    await import('./index.ts');
    // startApp awaits app.whenReady(): let it run on.
    await vi.advanceTimersByTimeAsync(0);
  });

  afterAll(() => {
    vi.useRealTimers();
  });

  it('opens one secure window and forks the server utility process', () => {
    expect(state.windows).toHaveLength(1);
    const prefs = state.windows[0]!.options['webPreferences'] as Record<string, unknown>;
    expect(prefs).toMatchObject({ contextIsolation: true, sandbox: true, nodeIntegration: false, webSecurity: true });
    expect(String(prefs['preload'])).toMatch(/preload[/\\]index\.cjs$/);
    expect(state.forks).toHaveLength(1);
    expect(state.forks[0]!.modulePath).toMatch(/utility\.js$/);
    expect(state.handlers.has('dfs:call')).toBe(true);
  });

  it('the tray icon follows the server state', async () => {
    expect(trayIcons()).toEqual(['stopped.png', 'starting.png']);
    child(0).send({ type: 'ready', info: { hostname: 'nas', nfsPort: 12049, smbPort: 12445 } });
    expect(trayIcons().at(-1)).toBe('serving.png');
    child(0).send({ type: 'status', status: { readBps: 1e6, writeBps: 0, opsPerSec: 10, warnings: 0 } });
    expect(trayIcons().at(-1)).toBe('busy.png');
    expect(state.trays[0]!.tooltips.at(-1)).toMatch(/1(\.0)? MB\/s/);
    child(0).send({ type: 'status', status: { readBps: 0, writeBps: 0, opsPerSec: 0, warnings: 1 } });
    expect(trayIcons().at(-1)).toBe('degraded.png');
    const menu = state.trays[0]!.menus.at(-1) as { label?: string }[];
    expect(menu.map((m) => m.label)).toEqual(
      expect.arrayContaining(['Open DittoFS', 'Stop server', 'Copy connect address', 'Start at login', 'Quit DittoFS']),
    );
  });

  it("the tray copies a share's connect lines with this computer's address and the real ports", async () => {
    // On ready the app asked the server how to connect (the same routes as the web UI).
    const calls = child(0).received.filter((m) => m.type === 'call') as { id: number; op: string }[];
    const answer: Record<string, unknown> = {
      'connect.info': {
        hostname: 'nas',
        addresses: [{ host: '192.168.1.20', kind: 'ipv4', note: 'eth0 (192.168.1.0/24)' }],
        nfs: { port: 12049, mountPort: 12050, localOnly: false },
        smb: null,
      },
      'shares.list': [
        { name: '/photos', enabled: true, protocols: { nfs: true, smb: true } },
        { name: '/off', enabled: false, protocols: { nfs: true, smb: true } },
      ],
    };
    expect(calls.map((c) => c.op).sort()).toEqual(['connect.info', 'shares.list']);
    for (const c of calls) child(0).send({ type: 'reply', id: c.id, result: answer[c.op] });
    await vi.advanceTimersByTimeAsync(0);
    type Item = { label?: string; click?: () => void; submenu?: Item[] };
    const menu = state.trays[0]!.menus.at(-1) as Item[];
    const copy = menu.find((m) => m.label?.startsWith('Copy connect address'))!;
    expect(copy.label).toBe('Copy connect address (192.168.1.20)');
    // Only enabled shares; only NFS lines (no SMB adapter runs).
    expect(copy.submenu!.map((s) => s.label)).toEqual(['/photos']);
    const lines = copy.submenu![0]!.submenu!;
    expect(lines.map((l) => l.label)).toEqual([
      'Linux (terminal)',
      'Linux, mounted at every start (a line for /etc/fstab)',
      'macOS (Terminal)',
      'macOS Finder (Go › Connect to Server)',
    ]);
    lines[0]!.click!();
    expect(state.clipboard.at(-1)).toBe(
      'sudo mkdir -p /mnt/photos && sudo mount -t nfs -o nfsvers=3,tcp,port=12049,mountport=12050,mountproto=tcp,nolock 192.168.1.20:/photos /mnt/photos',
    );
  });

  it('restarts a crashed utility process, showing the error meanwhile', async () => {
    child(0).exit(1);
    expect(trayIcons().at(-1)).toBe('error.png');
    await vi.advanceTimersByTimeAsync(1000);
    expect(state.forks).toHaveLength(2);
    expect(trayIcons().at(-1)).toBe('starting.png');
    child(1).send({ type: 'ready', info: { hostname: 'nas' } });
    expect(trayIcons().at(-1)).toBe('serving.png');
  });

  it('IPC calls reach the new utility process', async () => {
    const call = state.handlers.get('dfs:call')!;
    const fileUrl = new URL(`file://${String(state.windows[0]!.loaded)}`).href;
    const p = call({ senderFrame: { url: fileUrl, parent: null } }, 'shares.list', {}) as Promise<unknown>;
    const msg = child(1)
      .received.filter((m) => m.type === 'call')
      .at(-1) as { id: number; op: string };
    expect(msg.op).toBe('shares.list');
    child(1).send({ type: 'reply', id: msg.id, result: ['ok'] });
    expect(await p).toEqual({ ok: true, result: ['ok'] });
    expect(
      await call({ senderFrame: { url: 'https://evil.example/', parent: null } }, 'shares.list', {}),
    ).toMatchObject({ ok: false });
    // Token operations are not part of the desktop bridge.
    expect(await call({ senderFrame: { url: fileUrl, parent: null } }, 'auth.login', {})).toMatchObject({
      ok: false,
      error: { status: 404 },
    });
  });

  it('notifies a first-time client and a warning, once', async () => {
    const port = child(1).eventsPort!;
    const mount = { clientAddr: '192.168.1.20', share: '/photos', protocol: 'nfs3' };
    port.postMessage({ topic: 'mount', data: { type: 'mount', mount } });
    port.postMessage({ topic: 'mount', data: { type: 'mount', mount: { ...mount, share: '/music' } } });
    port.postMessage({
      topic: 'alert',
      data: { type: 'alert', alert: { level: 'warning', message: 'Disk almost full', resolved: false } },
    });
    port.postMessage({
      topic: 'alert',
      data: { type: 'alert', alert: { level: 'info', message: 'fyi', resolved: false } },
    });
    await vi.advanceTimersByTimeAsync(0);
    expect(state.notifications).toEqual([
      'New device connected: 192.168.1.20 opened /photos over NFS.',
      'DittoFS warning: Disk almost full',
    ]);
  });

  it('closing the window hides it; a second launch shows and focuses it', () => {
    const w = state.windows[0]!;
    let prevented = false;
    emit(w.listeners, 'close', { preventDefault: () => (prevented = true) });
    expect(prevented).toBe(true);
    expect(w.hidden).toBe(1);
    const focusedBefore = w.focused;
    emit(state.appListeners, 'second-instance');
    expect(w.focused).toBe(focusedBefore + 1);
    expect(state.windows).toHaveLength(1);
  });

  it('denies navigation and new windows; opens allow-listed links outside', () => {
    const w = state.windows[0]!;
    let prevented = false;
    emit(w.contentsListeners, 'will-navigate', { preventDefault: () => (prevented = true) }, 'https://evil.example/');
    expect(prevented).toBe(true);
    expect(w.openHandler!({ url: 'https://github.com/' })).toEqual({ action: 'deny' });
    expect(w.openHandler!({ url: 'file:///etc/passwd' })).toEqual({ action: 'deny' });
    expect(state.opened).toEqual(['https://github.com/']);
  });
});
