/** The shell: boot (restore session), login / first run gates, navigation, pages. */
import { useEffect, useState } from 'react';
import { Spinner } from './components/ui.tsx';
import { useOp, useSession, useTransport } from './lib/api.tsx';
import { navigate, useRoute } from './lib/router.ts';
import { AdaptersPage } from './pages/Adapters.tsx';
import { ClusterPage } from './pages/Cluster.tsx';
import { Dashboard } from './pages/Dashboard.tsx';
import { FirstRun, useSetupNeeded } from './pages/FirstRun.tsx';
import { ChangePasswordPage, LoginPage } from './pages/Login.tsx';
import { SettingsPage } from './pages/Settings.tsx';
import { SharesPage } from './pages/Shares.tsx';
import { StoresPage } from './pages/Stores.tsx';
import { UsersPage } from './pages/Users.tsx';
import { MyPasswordPage, MySharesPage } from './pages/MyShares.tsx';
import { roleAllows } from '../shared/api/index.ts';
import { ErrorBox } from './components/ui.tsx';

type Nav = readonly (readonly [page: string, label: string])[];
/** Operators and admins manage the server. */
const STAFF_NAV: Nav = [
  ['dashboard', 'Dashboard'],
  ['shares', 'Shares'],
  ['stores', 'Stores'],
  ['users', 'Users & Groups'],
  ['adapters', 'Adapters'],
  ['cluster', 'Cluster'],
  ['settings', 'Settings'],
];
/** A plain user sees what is theirs: their shares and how to reach them, their password. */
const USER_NAV: Nav = [
  ['mine', 'My shares'],
  ['password', 'My password'],
];

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
  const session = useSession();
  const { needed } = useSetupNeeded();
  if (needed === undefined) return <Spinner />;
  if (needed) return <FirstRun onDone={() => navigate('dashboard')} />;
  // Reopened from Settings: it can be left at any step.
  if (route.page === 'setup' && session?.user.role === 'admin')
    return <FirstRun onDone={() => navigate('dashboard')} onLeave={() => navigate('settings')} />;
  return <Shell />;
}

function Shell() {
  const t = useTransport();
  const session = useSession();
  const route = useRoute();
  const staff = session !== undefined && roleAllows(session.user.role, 'operator');
  const nav = staff ? STAFF_NAV : USER_NAV;
  const name = useOp('settings.get', { params: { key: 'server.name' } }, { enabled: staff });
  const alerts = useOp('alerts.list', {}, { enabled: staff });
  const [menuOpen, setMenuOpen] = useState(false);
  const warnings = (alerts.data ?? []).filter((a) => !a.resolved && a.level !== 'info').length;
  const page = nav.some(([p]) => p === route.page) ? route.page : (nav[0]?.[0] ?? 'dashboard');
  const nasName = typeof name.data?.value === 'string' ? name.data.value : 'DittoFS';
  useEffect(() => {
    const title = nav.find(([p]) => p === page)?.[1] ?? 'DittoFS';
    document.title = `${title} — ${nasName}`;
    setMenuOpen(false);
  }, [nav, page, nasName]);
  return (
    <div className="shell">
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <nav className="sidebar" aria-label="Main" data-open={menuOpen ? 'true' : undefined}>
        <div className="brand">
          <span className="logo" aria-hidden="true" />
          <span>{nasName}</span>
          <button
            type="button"
            className="menu-button"
            aria-expanded={menuOpen}
            aria-controls="main-nav"
            onClick={() => setMenuOpen((o) => !o)}
          >
            Menu
            {warnings > 0 && !menuOpen && <span className="count">{warnings}</span>}
          </button>
        </div>
        <ul id="main-nav">
          {nav.map(([p, label]) => (
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
        {page === 'cluster' && <ClusterPage />}
        {page === 'settings' && <SettingsPage route={route} />}
        {page === 'mine' && <MySharesPage />}
        {page === 'password' && <MyPasswordPage />}
      </main>
    </div>
  );
}
