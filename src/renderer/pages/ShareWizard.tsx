/**
 * The share wizard (UX.md): which files (a folder of this computer by default, or DittoFS
 * storage) → name → protocols → who may access → advanced (collapsed) → done, with
 * copyable addresses. Every step validates with the shared schemas before anything is
 * sent; the server's answer is shown in words. The steps live in ./share-wizard/.
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
  type PermissionEntry,
  type ShareDto,
} from '../../shared/api/index.ts';
import { FieldError } from '../components/FieldError.tsx';
import { Form } from '../components/Form.tsx';
import { StepList } from '../components/StepList.tsx';
import { ErrorBox, TextField, Toggle } from '../components/ui.tsx';
import { useOp, useSession, useTransport } from '../lib/api.tsx';
import { check, explain, type FieldErrors } from '../lib/forms.ts';
import { s3Config } from '../lib/s3-form.ts';
import { ShareConnect } from './Connect.tsx';
import { AccessStep } from './share-wizard/AccessStep.tsx';
import { AdvancedStep } from './share-wizard/AdvancedStep.tsx';
import { WhereStep } from './share-wizard/WhereStep.tsx';
import { splitList, suggestShareName, uniqueName, whereSource, type WizardState } from './share-wizard/state.ts';
import { NEW_FOLDER, folderRefusal, whereErrors, type S3Where } from './share-wizard/where.ts';

export { SQUASH_OPTIONS, suggestShareName } from './share-wizard/state.ts';

const STEPS = ['Where', 'Name', 'Protocols', 'Access', 'Advanced', 'Done'] as const;

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
    where: props.initialStore ? { kind: 'store', payloadStore: props.initialStore } : NEW_FOLDER,
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
  const where = s.where;
  const networkCidrs = (networks.data ?? []).map((n) => n.cidr);

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
    if (STEPS[i] === 'Where') Object.assign(e, whereErrors(where));
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

  /** A folder answer, checked with the server: its refusal in words, if any. */
  async function folderErrors(): Promise<FieldErrors> {
    if (where.kind !== 'folder') return {};
    try {
      const c = await t.call('folders.check', { query: { path: where.path.trim() } });
      const refusal = folderRefusal(c, where);
      return refusal === undefined ? {} : { path: refusal };
    } catch (err) {
      return { path: explain(err).message };
    }
  }

  async function next() {
    const e = validateStep(step);
    if (STEPS[step] === 'Where' && Object.keys(e).length === 0) Object.assign(e, await folderErrors());
    setErrors(e);
    if (Object.keys(e).length > 0) return;
    if (STEPS[step] === 'Where' && !s.nameTouched) {
      const suggestion = suggestShareName(whereSource(where));
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
    return presetGrants(s.preset, { owner: me, chosen, networks: networkCidrs });
  }

  /** Where the files live, as the share request says it. */
  function backing(payloadStore: string) {
    if (where.kind === 'folder') {
      return {
        path: where.path.trim(),
        ...(where.createMissing ? { createFolder: true } : {}),
        ...(where.allowNested ? { allowNested: true } : {}),
      };
    }
    return { metadataStore: metadataStores.data?.[0]?.name ?? 'default-metadata', payloadStore };
  }

  function shareBody(payloadStore: string) {
    const { share } = grants();
    const typed = splitList(s.allowedNetworks);
    return {
      name: s.name.startsWith('/') ? s.name : `/${s.name}`,
      ...backing(payloadStore),
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
      // 1. The store, when the files go to a new bucket (created once, reused on retry).
      let payloadStore = where.kind === 'store' ? where.payloadStore : '';
      if (where.kind === 's3') {
        const made = await bucketStore(where);
        if (made === undefined) return;
        payloadStore = made;
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
      // The stores' "Used by" changed too.
      for (const list of ['shares.list', 'stores.payload.list', 'stores.metadata.list'])
        await qc.invalidateQueries({ queryKey: [list] });
      setBusy(undefined);
      if (props.embedded) props.onFinish(share);
      else setStep(STEPS.indexOf('Done'));
    } catch (err) {
      setBusy(undefined);
      setServerError(err);
      setErrors(explain(err).fields);
    }
  }

  /** The payload store of a new S3 bucket: made once, reused when the share is retried. */
  async function bucketStore(bucket: S3Where): Promise<string | undefined> {
    const storeKey = JSON.stringify(bucket);
    if (createdStore?.key === storeKey) return createdStore.name;
    const taken = new Set((payloadStores.data ?? []).map((p) => p.name));
    const base = (suggestShareName(bucket.bucket).slice(1) || 'data').slice(0, 58);
    const name = uniqueName(StoreNameSchema.safeParse(base).success ? base : 'data', taken);
    const v = check(CreatePayloadStoreRequest, { name, type: 's3' as const, config: s3Config(bucket) });
    if (!v.ok) {
      setErrors(v.errors);
      return undefined;
    }
    setBusy('Preparing the storage…');
    await t.call('stores.payload.create', { body: v.value });
    setCreatedStore({ key: storeKey, name });
    void qc.invalidateQueries({ queryKey: ['stores.payload.list'] });
    return name;
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
          else if (stepName !== 'Done') void next();
        }}
      >
        {stepName === 'Where' && (
          <WhereStep
            where={where}
            onChange={(w) => set({ where: w })}
            stores={payloadStores.data ?? []}
            errors={errors}
            onErrors={setErrors}
          />
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
          <AccessStep
            s={s}
            set={set}
            me={me}
            networks={networkCidrs}
            guestOff={guest.data !== undefined && !guest.data.enabled}
            users={users.data ?? []}
            groups={groups.data ?? []}
          />
        )}

        {stepName === 'Advanced' && <AdvancedStep s={s} set={set} networks={networkCidrs} errors={errors} />}

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
