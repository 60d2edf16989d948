/** Sign-in (HTTP mode) and the forced password change after a generated password. */
import { useState } from 'react';
import { ChangePasswordRequest, LoginRequest } from '../../shared/api/index.ts';
import { ErrorBox, TextField } from '../components/ui.tsx';
import { useTransport } from '../lib/api.tsx';
import { check, type FieldErrors } from '../lib/forms.ts';

export function LoginPage() {
  const t = useTransport();
  const [username, setUsername] = useState('admin');
  const [password, setPassword] = useState('');
  const [errors, setErrors] = useState<FieldErrors>({});
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const submit = async () => {
    const v = check(LoginRequest, { username: username.trim(), password });
    setErrors(v.ok ? {} : v.errors);
    if (!v.ok) return;
    setBusy(true);
    setError(undefined);
    try {
      await t.login(v.value.username, v.value.password);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  return (
    <main className="login">
      <form
        className="card login-card"
        noValidate
        onSubmit={(e) => {
          e.preventDefault();
          void submit();
        }}
      >
        <h1>DittoFS</h1>
        <p className="muted">Sign in to manage this NAS.</p>
        <TextField
          label="User name"
          name="username"
          value={username}
          onChange={setUsername}
          error={errors['username']}
          autoComplete="username"
        />
        <TextField
          label="Password"
          name="password"
          type="password"
          value={password}
          onChange={setPassword}
          error={errors['password']}
          autoComplete="current-password"
          autoFocus
        />
        <ErrorBox error={error} title="Not signed in." />
        <button type="submit" className="primary wide" disabled={busy}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
        <p className="muted small">
          First time? The administrator password was printed once when the server started (or set with
          DITTOFS_ADMIN_INITIAL_PASSWORD).
        </p>
      </form>
    </main>
  );
}

export function ChangePasswordPage() {
  const t = useTransport();
  const [f, setF] = useState({ current: '', password: '', confirm: '' });
  const [errors, setErrors] = useState<FieldErrors>({});
  const [error, setError] = useState<unknown>();
  const submit = async () => {
    const v = check(ChangePasswordRequest, { currentPassword: f.current, newPassword: f.password });
    const e: FieldErrors = v.ok
      ? {}
      : { current: v.errors['currentPassword'] ?? '', password: v.errors['newPassword'] ?? '' };
    for (const k of Object.keys(e)) if (!e[k]) delete e[k];
    if (f.password !== f.confirm) e['confirm'] = 'The two passwords differ.';
    setErrors(e);
    if (!v.ok || Object.keys(e).length > 0) return;
    try {
      await t.call('auth.changePassword', { body: v.value });
      await t.reloadUser();
    } catch (err) {
      setError(err);
    }
  };
  return (
    <main className="login">
      <form
        className="card login-card"
        noValidate
        onSubmit={(e) => {
          e.preventDefault();
          void submit();
        }}
      >
        <h1>Choose your password</h1>
        <p>Your password was generated when the server was set up. Pick one only you know to continue.</p>
        <TextField
          label="Current password"
          type="password"
          value={f.current}
          onChange={(v) => setF({ ...f, current: v })}
          error={errors['current']}
          autoComplete="current-password"
        />
        <TextField
          label="New password"
          type="password"
          value={f.password}
          onChange={(v) => setF({ ...f, password: v })}
          error={errors['password']}
          autoComplete="new-password"
        />
        <TextField
          label="Repeat the new password"
          type="password"
          value={f.confirm}
          onChange={(v) => setF({ ...f, confirm: v })}
          error={errors['confirm']}
          autoComplete="new-password"
        />
        <ErrorBox error={error} title="Not changed." />
        <button type="submit" className="primary wide">
          Change password
        </button>
        <button type="button" className="link" onClick={() => void t.logout()}>
          Sign out
        </button>
      </form>
    </main>
  );
}
