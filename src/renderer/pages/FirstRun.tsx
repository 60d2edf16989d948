/**
 * First run (UX.md): admin password → NAS name → first share (the share wizard: which
 * folder, name, access) → connect another device → start at login. Reopenable from Settings.
 */
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import {
  ApiError,
  ChangePasswordRequest,
  KNOWN_SETTINGS,
  SetPasswordRequest,
  type ShareDto,
} from '../../shared/api/index.ts';
import { Form } from '../components/Form.tsx';
import { PASSWORDS_DIFFER, PasswordFields } from '../components/PasswordFields.tsx';
import { StartupNote } from '../components/StartupNote.tsx';
import { StepList } from '../components/StepList.tsx';
import { ErrorBox, TextField, Toggle } from '../components/ui.tsx';
import { useOp, useSession, useTransport } from '../lib/api.tsx';
import { useAsyncAction } from '../lib/async-action.ts';
import { check, type FieldErrors } from '../lib/forms.ts';
import { ShareConnect } from './Connect.tsx';
import { ShareWizard } from './ShareWizard.tsx';

/** Setting that records the wizard was completed (any JSON setting key is allowed). */
export const SETUP_KEY = 'ui.setupCompleted';

const STEPS = ['Password', 'Name', 'Share', 'Connect', 'Login'] as const;

/** Whether the first-run wizard should show (admins only, until completed). */
export function useSetupNeeded(): { needed: boolean | undefined } {
  const t = useTransport();
  const session = useSession();
  const admin = session?.user.role === 'admin';
  const q = useQuery({
    queryKey: ['setup', session?.user.username],
    enabled: admin,
    queryFn: async () => {
      try {
        const s = await t.call('settings.get', { params: { key: SETUP_KEY } });
        return s.value !== true;
      } catch (err) {
        if (err instanceof ApiError && err.status === 404) return true;
        throw err;
      }
    },
  });
  if (!session) return { needed: undefined };
  if (!admin) return { needed: false };
  return { needed: q.isError ? false : q.data };
}

/** Whether the user already chose their password (after a generated one): the wizard then does not ask again. */
function passwordChosen(user: { createdAt: string; passwordChangedAt: string } | undefined): boolean {
  return user !== undefined && Date.parse(user.passwordChangedAt) > Date.parse(user.createdAt);
}

export function FirstRun({ onDone, onLeave }: { onDone: () => void; onLeave?: () => void }) {
  const t = useTransport();
  const qc = useQueryClient();
  const session = useSession();
  const [step, setStep] = useState(() => (passwordChosen(session?.user) ? 1 : 0));
  const [share, setShare] = useState<ShareDto>();
  const [error, setError] = useState<unknown>();
  const finish = async () => {
    try {
      await t.call('settings.set', { params: { key: SETUP_KEY }, body: { value: true } });
      await qc.invalidateQueries({ queryKey: ['setup'] });
      onDone();
    } catch (err) {
      setError(err);
    }
  };
  const next = () => setStep((s) => s + 1);
  const name = STEPS[step] ?? 'Password';
  return (
    <div className="first-run" data-testid="first-run">
      <div className="first-run-card card">
        <div className="first-run-head">
          <h1>Welcome to DittoFS</h1>
          {onLeave && (
            <button type="button" className="link" onClick={onLeave}>
              Leave the wizard
            </button>
          )}
        </div>
        <p className="muted">A few questions and your NAS is ready. You can change every answer later in Settings.</p>
        <StepList label="Set-up steps" steps={STEPS} current={step} />
        {name === 'Password' && <PasswordStep username={session?.user.username ?? 'admin'} onNext={next} />}
        {name === 'Name' && <NameStep onNext={next} />}
        {name === 'Share' && (
          <div>
            <h2>Your first share</h2>
            <ShareWizard
              embedded
              onFinish={(s) => {
                setShare(s);
                next();
              }}
              onCancel={next}
            />
          </div>
        )}
        {name === 'Connect' && <ConnectStep share={share} onNext={next} />}
        {name === 'Login' && <LoginStep onFinish={() => void finish()} />}
        <ErrorBox error={error} />
      </div>
    </div>
  );
}

function StepNav({
  onNext,
  busy,
  label = 'Next',
  onSkip,
}: {
  onNext?: () => void;
  busy?: boolean;
  label?: string;
  onSkip?: () => void;
}) {
  return (
    <div className="wizard-nav">
      {onSkip && (
        <button type="button" onClick={onSkip}>
          Skip
        </button>
      )}
      <button type={onNext ? 'button' : 'submit'} className="primary" disabled={busy} onClick={onNext}>
        {label}
      </button>
    </div>
  );
}

function PasswordStep({ username, onNext }: { username: string; onNext: () => void }) {
  const t = useTransport();
  const [f, setF] = useState({ current: '', password: '', confirm: '' });
  const [errors, setErrors] = useState<FieldErrors>({});
  const change = useAsyncAction();
  const submit = async () => {
    const e: FieldErrors = {};
    let body: { currentPassword: string; newPassword: string } | { password: string } | undefined;
    if (t.mode === 'http') {
      const v = check(ChangePasswordRequest, { currentPassword: f.current, newPassword: f.password });
      if (!v.ok) Object.assign(e, { current: v.errors['currentPassword'], password: v.errors['newPassword'] });
      else body = v.value;
    } else {
      const v = check(SetPasswordRequest, { password: f.password });
      if (!v.ok) e['password'] = v.errors['password'] ?? 'Invalid password.';
      else body = v.value;
    }
    if (f.password !== f.confirm) e['confirm'] = PASSWORDS_DIFFER;
    for (const k of Object.keys(e)) if (e[k] === undefined) delete e[k];
    setErrors(e);
    if (Object.keys(e).length > 0 || !body) return;
    const request = body; // a const: the closure below keeps its narrowed type
    await change.run(async () => {
      if ('currentPassword' in request) await t.call('auth.changePassword', { body: request });
      else await t.call('users.setPassword', { params: { username }, body: request });
      onNext();
    });
  };
  return (
    <Form onSubmit={submit}>
      <h2>Administrator password</h2>
      <p>
        You manage this NAS as <strong>{username}</strong>. Choose a password only you know; it also opens the shares
        from other devices.
      </p>
      <PasswordFields
        withCurrent={t.mode === 'http'}
        value={f}
        onChange={(p) => setF({ ...f, ...p })}
        errors={errors}
        names={{ password: 'new-password', confirm: 'confirm-password' }}
        hint="At least 8 characters."
      />
      <ErrorBox error={change.error} title="The password was not changed." />
      <StepNav busy={change.busy} onSkip={onNext} label="Set password" />
    </Form>
  );
}

function NameStep({ onNext }: { onNext: () => void }) {
  const t = useTransport();
  const current = useOp('settings.get', { params: { key: 'server.name' } });
  const [name, setName] = useState<string>();
  const [err, setErr] = useState<string>();
  const [error, setError] = useState<unknown>();
  const shown = name ?? (typeof current.data?.value === 'string' ? current.data.value : 'DittoFS');
  const submit = async () => {
    const v = check(KNOWN_SETTINGS['server.name'], shown.trim());
    if (!v.ok) {
      setErr(Object.values(v.errors)[0]);
      return;
    }
    setErr(undefined);
    try {
      await t.call('settings.set', { params: { key: 'server.name' }, body: { value: v.value } });
      onNext();
    } catch (e) {
      setError(e);
    }
  };
  return (
    <Form onSubmit={submit}>
      <h2>Name your NAS</h2>
      <TextField
        label="NAS name"
        name="nas-name"
        value={shown}
        onChange={setName}
        error={err}
        hint="Shown in this app and the tray. Other devices reach this computer by its address, not by this name: it is not announced on the network."
        autoFocus
      />
      <ErrorBox error={error} title="Not saved." />
      <StepNav />
    </Form>
  );
}

function ConnectStep({ share, onNext }: { share: ShareDto | undefined; onNext: () => void }) {
  const shares = useOp('shares.list', {});
  const target = share ?? shares.data?.[0];
  return (
    <div>
      <h2>Connect another device</h2>
      {!target && <p>You have no share yet: create one later under Shares.</p>}
      {target && (
        <>
          <p>
            On your other computer or phone, open <strong>{target.name}</strong> with one of these:
          </p>
          <ShareConnect share={target} />
        </>
      )}
      <StepNav onNext={onNext} />
    </div>
  );
}

function LoginStep({ onFinish }: { onFinish: () => void }) {
  const t = useTransport();
  const [on, setOn] = useState(true);
  const [error, setError] = useState<unknown>();
  const done = async () => {
    try {
      if (t.desktop) await t.desktop.setStartAtLogin(on);
      onFinish();
    } catch (e) {
      setError(e);
    }
  };
  return (
    <div>
      <h2>Start at login</h2>
      {t.desktop ? (
        <Toggle checked={on} onChange={setOn} label="Start DittoFS when I log in, so my shares are always there" />
      ) : (
        <StartupNote />
      )}
      <ErrorBox error={error} />
      <StepNav onNext={() => void done()} label="Finish" />
    </div>
  );
}
