// Every way the desktop app ends drains the server first: the tray's Quit, Cmd+Q / app.quit()
// (before-quit), a quit that only reaches will-quit (Windows logout), system shutdown
// (powerMonitor), Windows' session-end, SIGTERM / SIGINT (a Linux session ending). The app really quits only once
// the utility process has stopped, or after the deadline, when it is killed.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { QUIT_DEADLINE_MS, startApp, type ElectronLike } from './app.ts';
import { fakeElectron, quitEvent } from './fakes.test-helpers.ts';

async function launch(opts: Parameters<typeof fakeElectron>[0] = {}, platform: NodeJS.Platform = 'linux') {
  const f = fakeElectron(opts);
  await startApp({
    electron: f.electron as unknown as ElectronLike,
    paths: { mainDir: '/app/out/main', resourcesDir: '/app/resources' },
    operations: ['shares.list'],
    env: { HOME: '/home/test' },
    argv: ['electron', '.'],
    platform,
    signals: f.signals,
  });
  const server = f.children[0]!;
  server.send({ type: 'ready', info: { hostname: 'nas', nfsPort: 12049 } });
  const stopAsked = () => server.received.some((m) => m.type === 'stop');
  return { ...f, server, stopAsked };
}

describe('quitting the desktop app drains the server first', () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  const paths: [string, (f: Awaited<ReturnType<typeof launch>>) => { prevented?: boolean }][] = [
    [
      'Cmd+Q / app.quit() (before-quit)',
      (f) => {
        const e = quitEvent();
        f.app.emit('before-quit', e);
        return e;
      },
    ],
    [
      'a quit that reaches only will-quit',
      (f) => {
        const e = quitEvent();
        f.app.emit('will-quit', e);
        return e;
      },
    ],
    [
      'system shutdown (powerMonitor)',
      (f) => {
        const e = quitEvent();
        f.power.emit('shutdown', e);
        return e;
      },
    ],
    ['Windows logout / shutdown (session-end)', (f) => (f.windows[0]?.events.emit('session-end'), {})],
    ['SIGTERM (logout on Linux)', (f) => (f.signals.emit('SIGTERM'), {})],
    ['SIGINT', (f) => (f.signals.emit('SIGINT'), {})],
    [
      "the tray's Quit",
      (f) => {
        const quit = f.menus.at(-1)?.find((m) => m.label === 'Quit DittoFS');
        quit?.click?.();
        return {};
      },
    ],
  ];

  for (const [name, trigger] of paths) {
    it(`${name}: waits for the server's graceful stop, then quits`, async () => {
      const f = await launch();
      const e = trigger(f);
      if ('prevented' in e) expect(e.prevented, 'the quit is held').toBe(true);
      await vi.advanceTimersByTimeAsync(0);
      expect(f.stopAsked()).toBe(true);
      await vi.advanceTimersByTimeAsync(QUIT_DEADLINE_MS / 2);
      expect(f.quits.finished, 'not before the server stopped').toBe(0);
      f.server.exit(0);
      await vi.advanceTimersByTimeAsync(0);
      expect(f.quits.finished).toBe(1);
      expect(f.children, 'a stopped server is not restarted').toHaveLength(1);
    });
  }

  it('a server that does not stop in time is killed at the deadline, and the app quits', async () => {
    const f = await launch();
    f.electron.app.quit();
    await vi.advanceTimersByTimeAsync(QUIT_DEADLINE_MS - 1);
    expect(f.quits.finished).toBe(0);
    await vi.advanceTimersByTimeAsync(1);
    expect(f.quits.finished).toBe(1);
  });

  it('a second quit while draining waits for the same drain', async () => {
    const f = await launch();
    f.electron.app.quit();
    f.electron.app.quit();
    await vi.advanceTimersByTimeAsync(0);
    expect(f.server.received.filter((m) => m.type === 'stop')).toHaveLength(1);
    f.server.exit(0);
    await vi.advanceTimersByTimeAsync(0);
    expect(f.quits.finished).toBe(1);
  });
});

describe('start at login', () => {
  it('macOS 13+: registers the app itself (mainAppService) and starts hidden when opened at login', async () => {
    const f = await launch({ loginItem: { wasOpenedAtLogin: true } }, 'darwin');
    expect(f.windows).toHaveLength(0);
    const toggle = f.menus.at(-1)?.find((m) => m.label === 'Start at login');
    toggle?.click?.();
    expect(f.loginCalls.at(-1)).toMatchObject({ openAtLogin: true, type: 'mainAppService' });
  });

  it('opens its window when started by hand', async () => {
    const f = await launch({ loginItem: { wasOpenedAtLogin: false } }, 'darwin');
    expect(f.windows).toHaveLength(1);
  });
});
