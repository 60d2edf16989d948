/**
 * Edits a saved S3 store: new keys after a rotation, a moved endpoint, another region. While
 * shares use the store its bucket and prefix stay (their files are there); the server reaches
 * the bucket with the new options before it saves them, and the shares keep serving.
 */
import { useState } from 'react';
import type { PayloadStoreDto } from '../../shared/api/index.ts';
import { DialogButtons } from '../components/DialogButtons.tsx';
import { S3StoreFields } from '../components/S3StoreFields.tsx';
import { Dialog, ErrorBox } from '../components/ui.tsx';
import { useMutate } from '../lib/api.tsx';
import type { FieldErrors } from '../lib/forms.ts';
import { EMPTY_S3, s3Config, s3FormErrors, s3FormOf } from '../lib/s3-form.ts';

/** The options the form shows; the others (timeouts, attempts) are kept as saved. */
const FORM_KEYS = Object.keys(EMPTY_S3);

export function EditS3Store({ store, onClose }: { store: PayloadStoreDto; onClose: () => void }) {
  const update = useMutate('stores.payload.update', ['stores.payload.list']);
  const [form, setForm] = useState(() => s3FormOf(store.config));
  const [errors, setErrors] = useState<FieldErrors>({});
  const inUse = store.usedBy.length > 0;
  const save = () => {
    const e = s3FormErrors(form);
    setErrors(e);
    if (Object.keys(e).length > 0) return;
    const kept = Object.fromEntries(Object.entries(store.config).filter(([k]) => !FORM_KEYS.includes(k)));
    update.mutate(
      { params: { name: store.name }, body: { config: { ...kept, ...s3Config(form) } } },
      { onSuccess: onClose },
    );
  };
  return (
    <Dialog
      title={`Edit the store ${store.name}`}
      onClose={onClose}
      footer={
        <DialogButtons
          onCancel={onClose}
          label={update.isPending ? 'Reaching the bucket…' : 'Save'}
          onAction={save}
          disabled={update.isPending}
        />
      }
    >
      <S3StoreFields
        value={form}
        onChange={setForm}
        errors={errors}
        onErrors={setErrors}
        savedName={store.name}
        placeFixed={
          inUse
            ? `Holds the files of ${store.usedBy.join(', ')}: it cannot change while shares use this store.`
            : undefined
        }
      />
      <p className="muted small">
        The secret key stays as saved unless you type a new one.{' '}
        {inUse && 'The shares keep serving while the store switches to the new settings.'}
      </p>
      <ErrorBox error={update.error} title="The store was not changed." />
    </Dialog>
  );
}
