/**
 * The share wizard (UX.md): where the files live → name → protocols → who may access →
 * advanced (collapsed) → done, with copyable addresses. Every step validates with the
 * shared schemas before anything is sent; the server's answer is shown in words.
 */
import { useQueryClient } from '@tanstack/react-query';
import { useMemo, useState, type ReactNode } from 'react';
import {
  CidrSchema,
  CreatePayloadStoreRequest,
  CreateShareRequest,
  ShareNameSchema,
  StoreNameSchema,
  presetGrants,
  type AccessPreset,
  type PermissionEntry,
  type ShareAccess,
  type ShareDto,
} from '../../shared/api/index.ts';
import { DataTable } from '../components/DataTable.tsx';
import { FieldError } from '../components/FieldError.tsx';
import { Form } from '../components/Form.tsx';
import { StepList } from '../components/StepList.tsx';
import { ErrorBox, SelectField, TextField, Toggle } from '../components/ui.tsx';
import { useOp, useSession, useTransport } from '../lib/api.tsx';
import { check, explain, type FieldErrors } from '../lib/forms.ts';
import { ShareConnect } from './Connect.tsx';
import { NFS_TRUSTS_CLIENTS } from './Users.tsx';

type Where =
  | { kind: 'store'; payloadStore: string }
  | { kind: 'folder'; path: string }
  | { kind: 's3'; bucket: string; region: string; endpoint: string; accessKeyId: string; secretAccessKey: string };
type Grid = Record<string, ShareAccess | 'inherit'>; // key: "user:alice" / "group:staff"

const STEPS = ['Where', 'Name', 'Protocols', 'Access', 'Advanced', 'Done'] as const;

/** What root on an NFS client may do: the choices of the wizard and of the share editor. */
export const SQUASH_OPTIONS = [
  { value: 'root_to_guest', label: 'Act as guest (recommended)' },
  { value: 'all_to_guest', label: 'Everyone acts as guest' },
  { value: 'none', label: 'Keep root (no squash)' },
] as const;

export interface WizardState {
  where: Where;
  name: string;
  nameTouched: boolean;
  nfs: boolean;
  smb: boolean;
  preset: AccessPreset;
  grid: Grid;
  allowedNetworks: string;
  squash: 'root_to_guest' | 'all_to_guest' | 'none';
  browsable: boolean;
  encrypt: boolean;
  hostsAllow: string;
  hostsDeny: string;
}

const splitList = (s: string) =>
  s
    .split(/[\s,]+/)
    .map((x) => x.trim())
    .filter(Boolean);

/** "/home/me/Photos Backup" -> "/Photos_Backup" */
export function suggestShareName(source: string): string {
  const base =
    source
      .replace(/[\\/]+$/, '')
      .split(/[\\/]/)
      .pop() ?? '';
  const slug = base
    .replace(/[^A-Za-z0-9_.-]+/g, '_')
    .replace(/^[._]+/, '')
    .slice(0, 64);
  return slug && slug !== '.' && slug !== '..' ? `/${slug}` : '';
}

function uniqueName(base: string, taken: Set<string>): string {
  if (!taken.has(base)) return base;
  for (let i = 2; ; i++) if (!taken.has(`${base}-${i}`)) return `${base}-${i}`;
}

export function ShareWizard(props: {
  onFinish: (share: ShareDto | undefined) => void;
  onCancel?: () => void;
  intro?: ReactNode;
  /** Preselects this payload store in the first step. */
  initialStore?: string;
  /** Inside the first-run wizard: hand over right after creation (it shows the addresses itself). */
  embedded?: boolean;
}) {
  const t = useTransport();
  const qc = useQueryClient();
  const me = useSession()?.user.username ?? 'admin';
  const shares = useOp('shares.list', {});
  const payloadStores = useOp('stores.payload.list', {});
  const metadataStores = useOp('stores.metadata.list', {});
  const users = useOp('users.list', {});
  const groups = useOp('groups.list', {});
  const guest = useOp('guest.get', {});
  const networks = useOp('networks.list', {});

  const [step, setStep] = useState(0);
  const [s, setS] = useState<WizardState>({
    where: { kind: 'store', payloadStore: props.initialStore ?? '' },
    name: '',
    nameTouched: false,
    nfs: true,
    smb: true,
    preset: 'me',
    // "People I choose" starts with the person creating the share.
    grid: { [`user:${me}`]: 'write' },
    allowedNetworks: '',
    squash: 'root_to_guest',
    browsable: true,
    encrypt: false,
    hostsAllow: '',
    hostsDeny: '',
  });
  const [errors, setErrors] = useState<FieldErrors>({});
  const [serverError, setServerError] = useState<unknown>();
  const [busy, setBusy] = useState<string | undefined>();
  const [createdStore, setCreatedStore] = useState<{ key: string; name: string } | undefined>();
  const [created, setCreated] = useState<ShareDto | undefined>();
  const set = (patch: Partial<WizardState>) => setS((p) => ({ ...p, ...patch }));

  const existingNames = useMemo(() => new Set((shares.data ?? []).map((x) => x.name.toLowerCase())), [shares.data]);
  const defaultPayload = payloadStores.data?.[0]?.name ?? '';
  const where: Where =
    s.where.kind === 'store' && !s.where.payloadStore ? { kind: 'store', payloadStore: defaultPayload } : s.where;

  /** Live validation of the name (length, characters, unique). */
  function nameError(name: string): string | undefined {
    const full = name.startsWith('/') ? name : `/${name}`;
    const r = check(ShareNameSchema, full);
    if (!r.ok) return Object.values(r.errors)[0];
    if (existingNames.has(full.toLowerCase())) return `A share named ${full} exists already: pick another name.`;
    return undefined;
  }

  function validateStep(i: number): FieldErrors {
    const e: FieldErrors = {};
    if (STEPS[i] === 'Where') {
      if (where.kind === 'store' && !where.payloadStore) e['where'] = 'Pick a store, or choose a folder.';
      if (where.kind === 'folder') {
        if (!where.path.trim()) e['path'] = 'Enter the full path of a folder, such as /home/me/Shared.';
        else if (!/^(\/|[A-Za-z]:[\\/]|\\\\)/.test(where.path.trim()))
          e['path'] = 'Enter a full path (starting with / or a drive letter).';
      }
      if (where.kind === 's3') {
        if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(where.bucket))
          e['bucket'] = 'Expected a bucket name: 3-63 lowercase letters, digits, "." or "-".';
        if (where.endpoint && !/^https?:\/\/\S+$/.test(where.endpoint))
          e['endpoint'] = 'Expected a URL such as https://s3.example.com.';
      }
    }
    if (STEPS[i] === 'Name') {
      const ne = nameError(s.name);
      if (ne) e['name'] = ne;
    }
    if (STEPS[i] === 'Protocols' && !s.nfs && !s.smb)
      e['protocols'] = 'Turn on NFS, SMB or both: a share with neither cannot be reached.';
    if (STEPS[i] === 'Advanced') {
      for (const [field, value] of [
        ['allowedNetworks', s.allowedNetworks],
        ['hostsAllow', s.hostsAllow],
        ['hostsDeny', s.hostsDeny],
      ] as const) {
        const bad = splitList(value).find((n) => !CidrSchema.safeParse(n).success);
        if (bad) e[field] = `"${bad}" is not an address or network such as 192.168.1.0/24.`;
      }
    }
    return e;
  }

  function next() {
    const e = validateStep(step);
    setErrors(e);
    if (Object.keys(e).length > 0) return;
    if (STEPS[step] === 'Where' && !s.nameTouched) {
      const src = where.kind === 'folder' ? where.path : where.kind === 's3' ? where.bucket : where.payloadStore;
      const suggestion = suggestShareName(src);
      set({ name: suggestion && !existingNames.has(suggestion.toLowerCase()) ? suggestion : s.name });
    }
    setStep(step + 1);
  }

  /** The preset's grants; networks typed under Advanced win over "this computer's networks". */
  function grants() {
    const chosen: PermissionEntry[] = Object.entries(s.grid).flatMap(([k, v]) => {
      const [type, ...rest] = k.split(':');
      return v === 'inherit' ? [] : [{ principalType: type as 'user' | 'group', principal: rest.join(':'), access: v }];
    });
    return presetGrants(s.preset, { owner: me, chosen, networks: (networks.data ?? []).map((n) => n.cidr) });
  }

  function shareBody(payloadStore: string) {
    const { share } = grants();
    const typed = splitList(s.allowedNetworks);
    return {
      name: s.name.startsWith('/') ? s.name : `/${s.name}`,
      metadataStore: metadataStores.data?.[0]?.name ?? 'default-metadata',
      payloadStore,
      protocols: { nfs: s.nfs, smb: s.smb },
      guestAccess: share.guestAccess,
      defaultAccess: share.defaultAccess,
      squash: s.squash,
      allowedNetworks: typed.length > 0 ? typed : share.allowedNetworks,
      smb: {
        browsable: s.browsable,
        encrypt: s.encrypt,
        hostsAllow: splitList(s.hostsAllow),
        hostsDeny: splitList(s.hostsDeny),
      },
    };
  }

  async function create() {
    const e = { ...validateStep(0), ...validateStep(1), ...validateStep(2), ...validateStep(4) };
    setErrors(e);
    if (Object.keys(e).length > 0) return;
    setServerError(undefined);
    try {
      // 1. The store, when the files go to a new folder or bucket (created once, reused on retry).
      let payloadStore = where.kind === 'store' ? where.payloadStore : '';
      if (where.kind !== 'store') {
        const storeKey = JSON.stringify(where);
        if (createdStore?.key === storeKey) payloadStore = createdStore.name;
        else {
          const taken = new Set((payloadStores.data ?? []).map((p) => p.name));
          const base = (suggestShareName(where.kind === 'folder' ? where.path : where.bucket).slice(1) || 'data').slice(
            0,
            58,
          );
          const name = uniqueName(StoreNameSchema.safeParse(base).success ? base : 'data', taken);
          const config =
            where.kind === 'folder'
              ? { path: where.path.trim() }
              : {
                  bucket: where.bucket,
                  ...(where.region ? { region: where.region } : {}),
                  ...(where.endpoint ? { endpoint: where.endpoint, forcePathStyle: true } : {}),
                  ...(where.accessKeyId
                    ? { accessKeyId: where.accessKeyId, secretAccessKey: where.secretAccessKey }
                    : {}),
                };
          const body = { name, type: where.kind === 'folder' ? ('fs' as const) : ('s3' as const), config };
          const v = check(CreatePayloadStoreRequest, body);
          if (!v.ok) {
            setErrors(v.errors);
            return;
          }
          setBusy('Preparing the storage…');
          await t.call('stores.payload.create', { body: v.value });
          setCreatedStore({ key: storeKey, name });
          payloadStore = name;
          void qc.invalidateQueries({ queryKey: ['stores.payload.list'] });
        }
      }
      // 2. The share itself, checked against the shared schema first.
      const v = check(CreateShareRequest, shareBody(payloadStore));
      if (!v.ok) {
        setErrors(v.errors);
        setBusy(undefined);
        return;
      }
      setBusy('Creating the share…');
      const share = await t.call('shares.create', { body: v.value });
      setCreated(share);
      // 3. Who may access it.
      setBusy('Setting who may access it…');
      const { permissions, needsGuest } = grants();
      for (const p of permissions) {
        await t.call('shares.setPermission', {
          params: { name: share.name, principalType: p.principalType, principal: p.principal },
          body: { access: p.access },
        });
      }
      if (needsGuest && guest.data && !guest.data.enabled) await t.call('guest.update', { body: { enabled: true } });
      await qc.invalidateQueries({ queryKey: ['shares.list'] });
      setBusy(undefined);
      if (props.embedded) props.onFinish(share);
      else setStep(STEPS.indexOf('Done'));
    } catch (err) {
      setBusy(undefined);
      setServerError(err);
      setErrors(explain(err).fields);
    }
  }

  const stepName = STEPS[step] ?? 'Where';

  return (
    <div className="wizard" data-testid="share-wizard">
      {props.intro}
      <StepList label="Steps" steps={STEPS} current={step} />
      <Form
        className="wizard-body"
        onSubmit={() => {
          if (stepName === 'Advanced') void create();
          else if (stepName !== 'Done') next();
        }}
      >
        {stepName === 'Where' && (
          <fieldset>
            <legend>Where should the files of this share live?</legend>
            {(payloadStores.data ?? []).map((p) => (
              <label key={p.name} className="choice">
                <input
                  type="radio"
                  name="where"
                  checked={where.kind === 'store' && where.payloadStore === p.name}
                  onChange={() => set({ where: { kind: 'store', payloadStore: p.name } })}
                />
                <span>
                  <strong>{p.name}</strong>{' '}
                  <span className="muted">
                    ({p.type}
                    {typeof p.config['path'] === 'string' ? `: ${p.config['path'] as string}` : ''})
                  </span>
                  {p.usedBy.length > 0 && <span className="marker">already shared as {p.usedBy.join(', ')}</span>}
                </span>
              </label>
            ))}
            <label className="choice">
              <input
                type="radio"
                name="where"
                checked={where.kind === 'folder'}
                onChange={() => set({ where: { kind: 'folder', path: '' } })}
              />
              <span>
                <strong>A folder on this computer</strong>
              </span>
            </label>
            {where.kind === 'folder' && (
              <TextField
                label="Folder"
                value={where.path}
                placeholder="/home/me/Shared"
                onChange={(v) => set({ where: { kind: 'folder', path: v } })}
                error={errors['path'] ?? errors['config.path'] ?? errors['config']}
                hint="The full path of the folder. DittoFS stores the share's data there, in its own format; an existing DittoFS folder is reused as it is. A folder that does not exist is created only when you press Create at the end."
                autoFocus
              />
            )}
            <label className="choice">
              <input
                type="radio"
                name="where"
                checked={where.kind === 's3'}
                onChange={() =>
                  set({
                    where: { kind: 's3', bucket: '', region: '', endpoint: '', accessKeyId: '', secretAccessKey: '' },
                  })
                }
              />
              <span>
                <strong>An S3 bucket</strong>
              </span>
            </label>
            {where.kind === 's3' && (
              <div className="indent">
                <TextField
                  label="Bucket"
                  value={where.bucket}
                  onChange={(v) => set({ where: { ...where, bucket: v } })}
                  error={errors['bucket'] ?? errors['config.bucket']}
                />
                <TextField
                  label="Region"
                  value={where.region}
                  placeholder="us-east-1"
                  onChange={(v) => set({ where: { ...where, region: v } })}
                />
                <TextField
                  label="Endpoint (for S3-compatible services)"
                  value={where.endpoint}
                  placeholder="https://s3.example.com"
                  onChange={(v) => set({ where: { ...where, endpoint: v } })}
                  error={errors['endpoint']}
                />
                <TextField
                  label="Access key"
                  value={where.accessKeyId}
                  onChange={(v) => set({ where: { ...where, accessKeyId: v } })}
                  autoComplete="off"
                />
                <TextField
                  label="Secret key"
                  type="password"
                  value={where.secretAccessKey}
                  onChange={(v) => set({ where: { ...where, secretAccessKey: v } })}
                  autoComplete="off"
                />
              </div>
            )}
            <FieldError message={errors['where']} />
          </fieldset>
        )}

        {stepName === 'Name' && (
          <fieldset>
            <legend>What should the share be called?</legend>
            <TextField
              label="Share name"
              value={s.name}
              autoFocus
              name="share-name"
              onChange={(v) => {
                set({ name: v, nameTouched: true });
                const ne = v ? nameError(v) : 'Enter a name.';
                setErrors((e) => {
                  const { name: _drop, ...rest } = e;
                  return ne ? { ...rest, name: ne } : rest;
                });
              }}
              error={errors['name']}
              hint={`Clients see it as ${(s.name.startsWith('/') ? s.name : `/${s.name}`) || '/name'}. Letters, digits, "_", "-" and "."; up to 64 per part.`}
            />
          </fieldset>
        )}

        {stepName === 'Protocols' && (
          <fieldset>
            <legend>How will devices connect?</legend>
            <Toggle checked={s.smb} onChange={(v) => set({ smb: v })} label="SMB — Windows, macOS, phones, TVs" />
            <Toggle
              checked={s.nfs}
              onChange={(v) => set({ nfs: v })}
              label="NFS — Linux and macOS terminals, servers"
            />
            <FieldError message={errors['protocols']} />
          </fieldset>
        )}

        {stepName === 'Access' && (
          <fieldset>
            <legend>Who may use this share?</legend>
            {(
              [
                ['me', 'Only me', `Only ${me} can read and write.`],
                ['choose', 'People I choose', 'Pick who may read and who may also write.'],
                [
                  'everyone-read',
                  'Everyone on my network, read-only',
                  `Anyone on your network can open and copy files; only you can change them. Over NFS only ${
                    (networks.data ?? []).map((n) => n.cidr).join(', ') || "this computer's networks"
                  } may connect.`,
                ],
                [
                  'guest-write',
                  'Guests can read and write',
                  'Anyone who can reach this computer can change or delete the files, without a password.',
                ],
              ] as const
            ).map(([value, label, help]) => (
              <label key={value} className={`choice${value === 'guest-write' ? ' danger' : ''}`}>
                <input
                  type="radio"
                  name="preset"
                  checked={s.preset === value}
                  onChange={() => set({ preset: value })}
                />
                <span>
                  <strong>{label}</strong>
                  <span className="muted block">{help}</span>
                </span>
              </label>
            ))}
            {s.preset === 'guest-write' && (
              <div className="warning-box" role="alert">
                Warning: guests need no password. Anyone on your network — and anyone who can reach this computer — can
                change or delete everything in this share.
              </div>
            )}
            {(s.preset === 'everyone-read' || s.preset === 'guest-write') && guest.data && !guest.data.enabled && (
              <p className="muted">Guest access is off for this server; creating this share turns it on.</p>
            )}
            {s.nfs && <p className="muted">{NFS_TRUSTS_CLIENTS}</p>}
            {s.preset === 'choose' && (
              <DataTable
                className="table compact"
                label="Access by user and group"
                columns={['User or group', 'Access']}
                rows={[
                  ...(users.data ?? []).map((u) => ({ key: `user:${u.username}`, label: u.username, kind: 'user' })),
                  ...(groups.data ?? []).map((g) => ({ key: `group:${g.name}`, label: g.name, kind: 'group' })),
                ]}
              >
                {(row) => (
                  <tr key={row.key}>
                    <td>
                      {row.label} <span className="muted">({row.kind})</span>
                    </td>
                    <td>
                      <select
                        aria-label={`Access for ${row.kind} ${row.label}`}
                        value={s.grid[row.key] ?? 'inherit'}
                        onChange={(e) =>
                          set({ grid: { ...s.grid, [row.key]: e.target.value as ShareAccess | 'inherit' } })
                        }
                      >
                        <option value="inherit">No entry</option>
                        <option value="read">Read only</option>
                        <option value="write">Read and write</option>
                        <option value="none">No access (deny)</option>
                      </select>
                    </td>
                  </tr>
                )}
              </DataTable>
            )}
          </fieldset>
        )}

        {stepName === 'Advanced' && (
          <fieldset>
            <legend>Ready to create {s.name.startsWith('/') ? s.name : `/${s.name}`}</legend>
            <details>
              <summary>Advanced settings</summary>
              {s.nfs && (
                <>
                  <TextField
                    label="NFS: networks allowed to mount"
                    value={s.allowedNetworks}
                    placeholder="192.168.1.0/24"
                    onChange={(v) => set({ allowedNetworks: v })}
                    error={errors['allowedNetworks']}
                    hint={
                      s.preset === 'everyone-read'
                        ? `Addresses or networks, separated by commas. Empty: this computer's networks (${
                            (networks.data ?? []).map((n) => n.cidr).join(', ') || 'none found'
                          }).`
                        : 'Addresses or networks, separated by commas. Empty allows every network that can reach this computer.'
                    }
                  />
                  <SelectField
                    label="NFS: root users of clients"
                    value={s.squash}
                    onChange={(v) => set({ squash: v })}
                    options={SQUASH_OPTIONS}
                  />
                  {s.squash === 'none' && (
                    <div className="warning-box" role="alert">
                      Without squashing, root on any client that may mount this share is root on its files.
                    </div>
                  )}
                </>
              )}
              {s.smb && (
                <>
                  <Toggle
                    checked={s.browsable}
                    onChange={(v) => set({ browsable: v })}
                    label="SMB: visible when browsing the network"
                  />
                  <Toggle
                    checked={s.encrypt}
                    onChange={(v) => set({ encrypt: v })}
                    label="SMB: require encryption (SMB 3)"
                  />
                  <TextField
                    label="SMB: hosts allowed"
                    value={s.hostsAllow}
                    onChange={(v) => set({ hostsAllow: v })}
                    error={errors['hostsAllow'] ?? errors['smb.hostsAllow']}
                    placeholder="192.168.1.0/24"
                  />
                  <TextField
                    label="SMB: hosts denied"
                    value={s.hostsDeny}
                    onChange={(v) => set({ hostsDeny: v })}
                    error={errors['hostsDeny'] ?? errors['smb.hostsDeny']}
                  />
                </>
              )}
            </details>
            <ul className="summary">
              <li>
                Files:{' '}
                {where.kind === 'store'
                  ? `store ${where.payloadStore}`
                  : where.kind === 'folder'
                    ? `folder ${where.path}`
                    : `S3 bucket ${where.bucket}`}
              </li>
              <li>Protocols: {[s.smb && 'SMB', s.nfs && 'NFS'].filter(Boolean).join(' and ')}</li>
              <li>
                Access:{' '}
                {
                  {
                    me: 'only you',
                    choose: 'the people you chose',
                    'everyone-read': 'everyone can read, you can write',
                    'guest-write': 'guests can read and write',
                  }[s.preset]
                }
              </li>
            </ul>
          </fieldset>
        )}

        {stepName === 'Done' && created && (
          <div className="done" data-testid="share-done">
            <h3>{created.name} is ready</h3>
            <p>Connect from another device with one of these:</p>
            <ShareConnect share={created} />
          </div>
        )}

        {busy && (
          <div className="progress" role="status">
            <span className="spin" aria-hidden="true" /> {busy}
          </div>
        )}
        <ErrorBox error={serverError} title={created ? 'The share was created, but:' : 'The share was not created.'} />
        {Object.keys(errors).length > 0 && !serverError && stepName === 'Advanced' && (
          <div className="error-box" role="alert">
            Please correct: {Object.values(errors).join(' ')}
          </div>
        )}

        <div className="wizard-nav">
          {stepName !== 'Done' && props.onCancel && (
            <button type="button" onClick={props.onCancel}>
              Cancel
            </button>
          )}
          {step > 0 && stepName !== 'Done' && (
            <button type="button" onClick={() => setStep(step - 1)} disabled={busy !== undefined}>
              Back
            </button>
          )}
          {stepName !== 'Advanced' && stepName !== 'Done' && (
            <button type="submit" className="primary">
              Next
            </button>
          )}
          {stepName === 'Advanced' && (
            <button type="submit" className="primary" disabled={busy !== undefined}>
              Create share
            </button>
          )}
          {stepName === 'Done' && (
            <button type="button" className="primary" onClick={() => props.onFinish(created)}>
              Finish
            </button>
          )}
        </div>
      </Form>
    </div>
  );
}
