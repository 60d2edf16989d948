/**
 * Where "start at login" is decided when this page is not the desktop app: said from what
 * the server knows about who started it (stats.launcher), never assumed.
 */
import { useOp } from '../lib/api.tsx';

export function StartupNote() {
  const stats = useOp('stats.get', {});
  const launcher = stats.data?.launcher;
  if (launcher === undefined) return null;
  return (
    <p className="muted" data-testid="startup-note">
      {launcher === 'service' &&
        'This server runs as a service, so its system starts it. In the desktop app, you could choose to start it when you log in.'}
      {launcher === 'desktop' &&
        'This server runs in the DittoFS desktop app on its computer: "Start at login" is set in the app\'s own window.'}
      {launcher === 'manual' &&
        'This server was started by hand (dfs start) and stops when that process ends. To have it start with the computer, run it as a service (systemd, launchd) or use the desktop app, which can start at login.'}
    </p>
  );
}
