/** Choosing a password: the current one (when asked for), the new one with its strength, and the new one again. */
import { useId } from 'react';
import { MIN_SCORE, passwordStrength } from '../../shared/password-strength.ts';
import { sentence } from '../lib/forms.ts';
import { TextField } from './ui.tsx';

/** The error under the repeated password when it differs from the first. */
export const PASSWORDS_DIFFER = 'The two passwords differ.';

export interface PasswordDraft {
  current?: string;
  password: string;
  confirm: string;
}

/** How hard the new password is to guess, as the server will judge it (same library, same bar). */
export function StrengthMeter({ password, userInputs }: { password: string; userInputs?: string[] }) {
  const id = useId();
  if (password === '') return null;
  const s = passwordStrength(password, userInputs);
  return (
    <div className={`strength strength-${s.score}`} data-testid="password-strength">
      <meter id={id} min={0} max={4} low={MIN_SCORE} high={3} optimum={4} value={s.score} />
      <label htmlFor={id} className="small">
        Strength: {s.label}
        {s.reason ? ` — ${sentence(s.reason)}` : ''}
      </label>
    </div>
  );
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
  /** Names that make a password easy to guess (the user's own). */
  userInputs?: string[];
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
        hint={props.hint ?? 'At least 8 characters; a few unrelated words make a strong one.'}
      />
      <StrengthMeter password={value.password} userInputs={props.userInputs} />
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
