/**
 * The S3 store form, wherever a bucket is offered (Stores page, share wizard, first run):
 * endpoint, region, bucket, prefix, access key, secret, path-style, and "Test connection",
 * which has the server really reach the endpoint, sign in, list the bucket and put, get and
 * delete a probe object, and shows each stage's verdict. A result is shown only for the
 * answers it was made with.
 */
import { useEffect, useRef, useState } from 'react';
import { STORE_TEST_STAGE_LABELS, type StoreTestDto } from '../../shared/api/index.ts';
import { useTransport } from '../lib/api.tsx';
import { useAsyncAction } from '../lib/async-action.ts';
import type { FieldErrors } from '../lib/forms.ts';
import { s3Config, s3FormErrors, type S3Form } from '../lib/s3-form.ts';
import { Badge, ErrorBox, TextField, Toggle } from './ui.tsx';

const STATUS_BADGE = { ok: 'ok', failed: 'error', skipped: 'muted' } as const;

export function S3StoreFields(props: {
  value: S3Form;
  onChange: (value: S3Form) => void;
  errors: FieldErrors;
  /** Sets the form's errors (the test checks the answers first, as saving does). */
  onErrors: (errors: FieldErrors) => void;
  /** Editing this saved store: the test uses its saved secret while the form shows it hidden. */
  savedName?: string;
  /** Why the bucket and prefix cannot change (the store is in use), shown under them; editable when absent. */
  placeFixed?: string;
}) {
  const { value: f, errors } = props;
  const t = useTransport();
  const testing = useAsyncAction();
  const [tested, setTested] = useState<{ key: string; result: StoreTestDto }>();
  const key = JSON.stringify(s3Config(f));
  const set = (patch: Partial<S3Form>) => props.onChange({ ...f, ...patch });
  const err = (k: string) => errors[k] ?? errors[`config.${k}`];
  const test = () => {
    const e = s3FormErrors(f);
    props.onErrors(e);
    if (Object.keys(e).length > 0) return;
    void testing.run(async () =>
      setTested({
        key,
        result: await t.call('stores.payload.test', {
          body: {
            type: 's3',
            config: s3Config(f),
            ...(props.savedName === undefined ? {} : { name: props.savedName }),
          },
        }),
      }),
    );
  };
  const result = tested?.key === key ? tested.result : undefined;
  // A new result may land below the fold of a dialog: bring its stages into view.
  const stagesRef = useRef<HTMLUListElement>(null);
  useEffect(() => {
    stagesRef.current?.scrollIntoView({ block: 'nearest' });
  }, [result]);
  return (
    <div className="s3-fields" data-testid="s3-fields">
      <TextField
        label="Endpoint (empty for Amazon S3)"
        value={f.endpoint}
        placeholder="https://s3.example.com"
        onChange={(v) => set({ endpoint: v })}
        error={err('endpoint')}
        hint="For MinIO, Backblaze B2, Wasabi, Ceph and other S3-compatible services."
      />
      <TextField label="Region" value={f.region} placeholder="us-east-1" onChange={(v) => set({ region: v })} />
      <TextField
        label="Bucket"
        value={f.bucket}
        onChange={(v) => set({ bucket: v })}
        error={err('bucket')}
        readOnly={props.placeFixed !== undefined}
      />
      <TextField
        label="Key prefix (optional)"
        value={f.prefix}
        placeholder="dittofs/"
        onChange={(v) => set({ prefix: v })}
        error={err('prefix')}
        readOnly={props.placeFixed !== undefined}
        hint={props.placeFixed ?? 'Lets several stores share one bucket.'}
      />
      <TextField
        label="Access key"
        value={f.accessKeyId}
        onChange={(v) => set({ accessKeyId: v })}
        error={err('accessKeyId')}
        autoComplete="off"
      />
      <TextField
        label="Secret key"
        type="password"
        value={f.secretAccessKey}
        onChange={(v) => set({ secretAccessKey: v })}
        error={err('secretAccessKey')}
        autoComplete="new-password"
        hint="Empty keys: the server's AWS environment or profile is used."
      />
      {f.endpoint.trim() !== '' && (
        <Toggle
          checked={f.forcePathStyle}
          onChange={(v) => set({ forcePathStyle: v })}
          label="Path-style addresses (most S3-compatible services need this)"
        />
      )}
      <div className="s3-test" aria-live="polite">
        <button type="button" onClick={test} disabled={testing.busy}>
          {testing.busy ? 'Testing the connection…' : 'Test connection'}
        </button>
        {result && (
          <Badge kind={result.ok ? 'ok' : 'error'}>{result.ok ? 'Everything works' : 'Something does not work'}</Badge>
        )}
      </div>
      {result && (
        <ul className="s3-stages" aria-label="Connection test" ref={stagesRef}>
          {result.stages.map((s) => (
            <li key={s.stage} data-stage={s.stage} data-status={s.status}>
              <Badge kind={STATUS_BADGE[s.status]}>{s.status}</Badge>{' '}
              <strong>{STORE_TEST_STAGE_LABELS[s.stage]}</strong> <span className="muted">{s.message}</span>
            </li>
          ))}
        </ul>
      )}
      <ErrorBox error={testing.error} title="The connection could not be tested." />
    </div>
  );
}
