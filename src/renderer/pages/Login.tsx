/** Sign-in (HTTP mode) and the forced password change after a generated password. */
import { useState } from 'react';
import { LoginRequest } from '../../shared/api/index.ts';
import { Form } from '../components/Form.tsx';
import { OwnPasswordForm } from '../components/OwnPasswordForm.tsx';
import { ErrorBox, TextField } from '../components/ui.tsx';
import { useTransport } from '../lib/api.tsx';
import { useAsyncAction } from '../lib/async-action.ts';
import { check, type FieldErrors } from '../lib/forms.ts';

export function LoginPage() {
  const t = useTransport();
  const [username, setUsername] = useState('admin');
  const [password, setPassword] = useState('');
  const [errors, setErrors] = useState<FieldErrors>({});
  const signIn = useAsyncAction();
  const submit = async () => {
    const v = check(LoginRequest, { username: username.trim(), password });
    setErrors(v.ok ? {} : v.errors);
    if (!v.ok) return;
    await signIn.run(() => t.login(v.value.username, v.value.password));
  };
  return (
    <main className="login">
      <Form className="card login-card" onSubmit={submit}>
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
        <ErrorBox error={signIn.error} title="Not signed in." />
        <button type="submit" className="primary wide" disabled={signIn.busy}>
          {signIn.busy ? 'Signing in…' : 'Sign in'}
        </button>
        <p className="muted small">
          First time? The administrator password was printed once when the server started (or set with
          DITTOFS_ADMIN_INITIAL_PASSWORD).
        </p>
      </Form>
    </main>
  );
}

export function ChangePasswordPage() {
  const t = useTransport();
  return (
    <main className="login">
      <OwnPasswordForm
        className="card login-card"
        intro={
          <>
            <h1>Choose your password</h1>
            <p>Your password was generated when the server was set up. Pick one only you know to continue.</p>
          </>
        }
        onDone={() => t.reloadUser()}
        extra={
          <button type="button" className="link" onClick={() => void t.logout()}>
            Sign out
          </button>
        }
      />
    </main>
  );
}
