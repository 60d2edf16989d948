/** Settings: NAS name, alerts, guest access, start at login (desktop), password, first-run wizard. */
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { KNOWN_SETTINGS, UpdateGuestRequest } from '../../shared/api/index.ts';
import { FieldError } from '../components/FieldError.tsx';
import { Form } from '../components/Form.tsx';
import { OwnPasswordForm } from '../components/OwnPasswordForm.tsx';
import { StartupNote } from '../components/StartupNote.tsx';
import { AdminOnly, ErrorBox, TextField, Toggle } from '../components/ui.tsx';
import { useAllowed, useMutate, useOp, useTransport } from '../lib/api.tsx';
import { check, type FieldErrors } from '../lib/forms.ts';
import { navigate, type Route } from '../lib/router.ts';

export function SettingsPage({ route }: { route: Route }) {
  const focus = route.rest[0];
  useEffect(() => {
    if (focus)
      document.getElementById(`setting-${focus}`)?.querySelector<HTMLElement>('input, select, button')?.focus();
  }, [focus]);
  const manage = useAllowed('settings.set');
  return (
    <div className="page">
      <header className="page-header">
        <h1>Settings</h1>
      </header>
      {manage ? (
        <>
          <ServerSettings />
          <GuestSettings />
        </>
      ) : (
        <AdminOnly what="the server's name, alerts and guest access" />
      )}
      <DesktopSettings />
      <PasswordSettings />
      {manage && <SetupAgain />}
    </div>
  );
}

function SettingField({
  k,
  label,
  hint,
  numeric,
}: {
  k: keyof typeof KNOWN_SETTINGS;
  label: string;
  hint?: string;
  numeric?: boolean;
}) {
  const setting = useOp('settings.get', { params: { key: k } });
  const save = useMutate('settings.set', ['settings.get', 'settings.list', 'alerts.list']);
  const [value, setValue] = useState<string | undefined>();
  const [error, setError] = useState<string>();
  const shown = value ?? (setting.data ? String(setting.data.value ?? '') : '');
  const submit = () => {
    const parsed = numeric ? (shown.trim() === '' ? NaN : Number(shown)) : shown.trim();
    const v = check(KNOWN_SETTINGS[k], parsed);
    if (!v.ok) {
      setError(Object.values(v.errors)[0]);
      return;
    }
    setError(undefined);
    save.mutate({ params: { key: k }, body: { value: v.value } }, { onSuccess: () => setValue(undefined) });
  };
  return (
    <Form id={`setting-${k}`} className="setting-row" onSubmit={submit}>
      <TextField label={label} value={shown} onChange={setValue} error={error} hint={hint} />
      <button type="submit" disabled={save.isPending || value === undefined}>
        {save.isSuccess && value === undefined ? 'Saved' : 'Save'}
      </button>
      <ErrorBox error={save.error} title="Not saved." />
    </Form>
  );
}

function ServerSettings() {
  return (
    <section className="card" aria-labelledby="srv-h">
      <h2 id="srv-h">This NAS</h2>
      <SettingField
        k="server.name"
        label="Name"
        hint="Shown in this app and the tray. Other devices reach this computer by its address, not by this name: it is not announced on the network."
      />
      <SettingField
        k="alerts.diskAlmostFullPercent"
        label="Warn when the disk is this full (%)"
        numeric
        hint="A warning appears on the dashboard and in the tray."
      />
    </section>
  );
}

function GuestSettings() {
  const guest = useOp('guest.get', {});
  const update = useMutate('guest.update', ['guest.get', 'shares.permissions']);
  const [errors, setErrors] = useState<FieldErrors>({});
  if (!guest.data) return <ErrorBox error={guest.error} />;
  const change = (patch: Record<string, unknown>) => {
    const v = check(UpdateGuestRequest, patch);
    setErrors(v.ok ? {} : v.errors);
    if (v.ok) update.mutate({ body: v.value });
  };
  return (
    <section className="card" id="setting-guest" aria-labelledby="guest-h">
      <h2 id="guest-h">Guest access</h2>
      <Toggle
        checked={guest.data.enabled}
        onChange={(enabled) => change({ enabled })}
        label="Allow guests (SMB without a password) on shares that permit them"
      />
      <p className="muted small">
        Guests act as uid {guest.data.uid}, gid {guest.data.gid}. Each share decides what guests may do.
      </p>
      <FieldError message={errors['enabled']} announce={false} />
      <ErrorBox error={update.error} title="Not saved." />
    </section>
  );
}

function DesktopSettings() {
  const t = useTransport();
  const qc = useQueryClient();
  const desktop = t.desktop;
  const login = useQuery({
    queryKey: ['desktop.startAtLogin'],
    queryFn: () => desktop?.getStartAtLogin() ?? false,
    enabled: !!desktop,
  });
  const [error, setError] = useState<unknown>();
  return (
    <section className="card" id="setting-startAtLogin" aria-labelledby="desk-h">
      <h2 id="desk-h">Start at login</h2>
      {desktop ? (
        <Toggle
          checked={login.data ?? false}
          onChange={(on) =>
            void desktop.setStartAtLogin(on).then(
              () => qc.invalidateQueries({ queryKey: ['desktop.startAtLogin'] }),
              (e: unknown) => setError(e),
            )
          }
          label="Start DittoFS when I log in to this computer"
        />
      ) : (
        <StartupNote />
      )}
      <ErrorBox error={error} />
    </section>
  );
}

function PasswordSettings() {
  const t = useTransport();
  if (t.mode === 'ipc') return null;
  return (
    <section className="card" aria-labelledby="pw-h">
      <h2 id="pw-h">Your password</h2>
      <OwnPasswordForm />
    </section>
  );
}

function SetupAgain() {
  return (
    <section className="card" aria-labelledby="setup-h">
      <h2 id="setup-h">First-run wizard</h2>
      <p className="muted">
        Walk through the set-up steps again: name, where data lives, a share, connecting a device. You can leave it at
        any step.
      </p>
      <button type="button" onClick={() => navigate('setup')}>
        Open the first-run wizard
      </button>
    </section>
  );
}
