/** The shell: boot (restore session), login / first run gates, navigation, pages. */
import { useEffect, useState } from 'react';
import { Spinner } from './components/ui.tsx';
import { useOp, useSession, useTransport } from './lib/api.tsx';
import { navigate, useRoute } from './lib/router.ts';
import { AdaptersPage } from './pages/Adapters.tsx';
import { Dashboard } from './pages/Dashboard.tsx';
import { FirstRun, useSetupNeeded } from './pages/FirstRun.tsx';
import { ChangePasswordPage, LoginPage } from './pages/Login.tsx';
import { SettingsPage } from './pages/Settings.tsx';
import { SharesPage } from './pages/Shares.tsx';
import { StoresPage } from './pages/Stores.tsx';
import { UsersPage } from './pages/Users.tsx';
import { ErrorBox } from './components/ui.tsx';

const NAV = [
  ['dashboard', 'Dashboard'],
  ['shares', 'Shares'],
  ['stores', 'Stores'],
  ['users', 'Users & Groups'],
  ['adapters', 'Adapters'],
  ['settings', 'Settings'],
] as const;

export function App() {
  const t = useTransport();
  const session = useSession();
  const [booting, setBooting] = useState(true);
  const [bootError, setBootError] = useState<unknown>();
  useEffect(() => {
    t.restore().then(
      () => setBooting(false),
      (err: unknown) => {
        setBootError(err);
        setBooting(false);
      },
    );
  }, [t]);
  if (booting) return <Spinner label="Connecting to the server…" />;
  if (bootError && !session)
    return (
      <main className="login">
        <div className="card login-card">
          <h1>DittoFS</h1>
          <ErrorBox error={bootError} title="The server could not be reached." />
          <button type="button" onClick={() => location.reload()}>
            Try again
          </button>
        </div>
      </main>
    );
  if (!session) return <LoginPage />;
  if (session.user.mustChangePassword && t.mode === 'http') return <ChangePasswordPage />;
  return <SignedIn />;
}

function SignedIn() {
  const route = useRoute();
  const { needed } = useSetupNeeded();
  if (needed === undefined) return <Spinner />;
  if (needed || route.page === 'setup') return <FirstRun onDone={() => navigate('dashboard')} />;
  return <Shell />;
}

function Shell() {
  const t = useTransport();
  const session = useSession();
  const route = useRoute();
  const name = useOp('settings.get', { params: { key: 'server.name' } });
  const alerts = useOp('alerts.list', {});
  const warnings = (alerts.data ?? []).filter((a) => !a.resolved && a.level !== 'info').length;
  const page = NAV.some(([p]) => p === route.page) ? route.page : 'dashboard';
  useEffect(() => {
    const title = NAV.find(([p]) => p === page)?.[1] ?? 'DittoFS';
    document.title = `${title} — ${typeof name.data?.value === 'string' ? name.data.value : 'DittoFS'}`;
  }, [page, name.data]);
  return (
    <div className="shell">
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <nav className="sidebar" aria-label="Main">
        <div className="brand">
          <span className="logo" aria-hidden="true" />
          <span>{typeof name.data?.value === 'string' ? name.data.value : 'DittoFS'}</span>
        </div>
        <ul>
          {NAV.map(([p, label]) => (
            <li key={p}>
              <a href={`#/${p}`} aria-current={page === p ? 'page' : undefined}>
                {label}
                {p === 'dashboard' && warnings > 0 && (
                  <span className="count" aria-label={`${warnings} warnings`}>
                    {warnings}
                  </span>
                )}
              </a>
            </li>
          ))}
        </ul>
        <div className="sidebar-footer">
          <span className="muted small">
            {session?.user.username} ({session?.user.role})
          </span>
          {t.mode === 'http' && (
            <button type="button" className="link" onClick={() => void t.logout()}>
              Sign out
            </button>
          )}
        </div>
      </nav>
      <main id="main" tabIndex={-1}>
        {page === 'dashboard' && <Dashboard />}
        {page === 'shares' && <SharesPage route={route} />}
        {page === 'stores' && <StoresPage />}
        {page === 'users' && <UsersPage />}
        {page === 'adapters' && <AdaptersPage />}
        {page === 'settings' && <SettingsPage route={route} />}
      </main>
    </div>
  );
}
