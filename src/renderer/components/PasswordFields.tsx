/** Choosing a password: the current one (when asked for), the new one, and the new one again. */
import { TextField } from './ui.tsx';

/** The error under the repeated password when it differs from the first. */
export const PASSWORDS_DIFFER = 'The two passwords differ.';

export interface PasswordDraft {
  current?: string;
  password: string;
  confirm: string;
}

export function PasswordFields(props: {
  value: PasswordDraft;
  onChange: (patch: Partial<PasswordDraft>) => void;
  errors: { current?: string | undefined; password?: string | undefined; confirm?: string | undefined };
  /** Asks for the current password first (changing one's own password over HTTP). */
  withCurrent?: boolean;
  labels?: { password: string; confirm: string };
  names?: { password: string; confirm: string };
  /** Shown under the new password. */
  hint?: string;
}) {
  const { value, onChange, errors } = props;
  const labels = props.labels ?? { password: 'New password', confirm: 'Repeat the new password' };
  return (
    <>
      {props.withCurrent && (
        <TextField
          label="Current password"
          type="password"
          value={value.current ?? ''}
          onChange={(v) => onChange({ current: v })}
          error={errors.current}
          autoComplete="current-password"
        />
      )}
      <TextField
        label={labels.password}
        name={props.names?.password}
        type="password"
        value={value.password}
        onChange={(v) => onChange({ password: v })}
        error={errors.password}
        autoComplete="new-password"
        hint={props.hint}
      />
      <TextField
        label={labels.confirm}
        name={props.names?.confirm}
        type="password"
        value={value.confirm}
        onChange={(v) => onChange({ confirm: v })}
        error={errors.confirm}
        autoComplete="new-password"
      />
    </>
  );
}
