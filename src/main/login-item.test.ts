import { describe, expect, it } from 'vitest';
import { createLoginItem, type LoginItemApp } from './login-item.ts';

function fakeApp(settings: ReturnType<LoginItemApp['getLoginItemSettings']>) {
  const calls: { get: unknown[]; set: unknown[] } = { get: [], set: [] };
  const app: LoginItemApp = {
    getLoginItemSettings: (o) => (calls.get.push(o), settings),
    setLoginItemSettings: (s) => void calls.set.push(s),
  };
  return { app, calls };
}

describe('start at login', () => {
  it('macOS: the app itself is the login item (mainAppService); opened at login means hidden', () => {
    const { app, calls } = fakeApp({ openAtLogin: false, status: 'requires-approval', wasOpenedAtLogin: true });
    const item = createLoginItem({ platform: 'darwin', app, exec: '/x', configHome: '/c' });
    item.set(true);
    expect(calls.set).toEqual([{ openAtLogin: true, type: 'mainAppService', openAsHidden: true }]);
    // Registered but waiting for the user's approval in System Settings still counts as on.
    expect(item.get()).toBe(true);
    expect(calls.get[0]).toEqual({ type: 'mainAppService' });
    expect(item.openedAtLogin([])).toBe(true);
  });

  it('Windows: --hidden rides on the Run key, and is asked for with the same args', () => {
    const { app, calls } = fakeApp({ openAtLogin: true });
    const item = createLoginItem({ platform: 'win32', app, exec: 'C:\\x.exe', configHome: '' });
    item.set(true);
    expect(calls.set).toEqual([{ openAtLogin: true, args: ['--hidden'] }]);
    expect(item.get()).toBe(true);
    expect(calls.get[0]).toEqual({ args: ['--hidden'] });
    expect(item.openedAtLogin(['x.exe', '--hidden'])).toBe(true);
    expect(item.openedAtLogin(['x.exe'])).toBe(false);
  });
});
