/**
 * Changing your own password (HTTP sign-in): the current one, a new one the server accepts
 * (same schema, same strength bar), and the new one again. Used by the forced change after
 * a generated password, Settings, and a plain user's own page.
 */
import { useState, type ReactNode } from 'react';
import { ChangePasswordRequest } from '../../shared/api/index.ts';
import { useSession, useTransport } from '../lib/api.tsx';
import { check, explain, type FieldErrors } from '../lib/forms.ts';
import { Form } from './Form.tsx';
import { PASSWORDS_DIFFER, PasswordFields } from './PasswordFields.tsx';
import { ErrorBox } from './ui.tsx';

const EMPTY = { current: '', password: '', confirm: '' };

export function OwnPasswordForm(props: {
  className?: string;
  /** Above the fields (a heading, a sentence). */
  intro?: ReactNode;
  submitLabel?: string;
  /** After the change (the session already holds the new tokens). */
  onDone?: () => void | Promise<void>;
  /** Below the submit button. */
  extra?: ReactNode;
}) {
  const t = useTransport();
  const session = useSession();
  const [f, setF] = useState(EMPTY);
  const [errors, setErrors] = useState<FieldErrors>({});
  const [error, setError] = useState<unknown>();
  const [done, setDone] = useState(false);
  const [busy, setBusy] = useState(false);
  const submit = async () => {
    const v = check(ChangePasswordRequest, { currentPassword: f.current, newPassword: f.password });
    const e: FieldErrors = v.ok ? {} : { ...v.errors };
    if (f.password !== f.confirm) e['confirm'] = PASSWORDS_DIFFER;
    setErrors(e);
    setDone(false);
    setError(undefined);
    if (!v.ok || Object.keys(e).length > 0) return;
    setBusy(true);
    try {
      await t.call('auth.changePassword', { body: v.value });
      setF(EMPTY);
      setDone(true);
      await props.onDone?.();
    } catch (err) {
      setError(err);
      setErrors(explain(err).fields);
    } finally {
      setBusy(false);
    }
  };
  return (
    <Form className={props.className} onSubmit={submit}>
      {props.intro}
      <PasswordFields
        withCurrent
        value={f}
        onChange={(p) => setF({ ...f, ...p })}
        errors={{ current: errors['currentPassword'], password: errors['newPassword'], confirm: errors['confirm'] }}
        userInputs={session ? [session.user.username] : []}
      />
      <ErrorBox error={error} title="Not changed." />
      <button type="submit" className="primary" disabled={busy}>
        {props.submitLabel ?? 'Change password'}
      </button>
      {done && !props.onDone && (
        <p role="status" className="small">
          Password changed; your other sessions were signed out.
        </p>
      )}
      {props.extra}
    </Form>
  );
}
