/** The share wizard's "Where" step: a folder of this computer (default) or DittoFS storage. */
import type { FolderCheckDto, PayloadStoreDto } from '../../../shared/api/index.ts';
import { FieldError } from '../../components/FieldError.tsx';
import { S3StoreFields } from '../../components/S3StoreFields.tsx';
import { TextField, Toggle } from '../../components/ui.tsx';
import { useAllowed } from '../../lib/api.tsx';
import type { FieldErrors } from '../../lib/forms.ts';
import { NEW_BUCKET, NEW_FOLDER, overlapOf, useFolderCheck, type FolderWhere, type Where } from './where.ts';

export function WhereStep(props: {
  where: Where;
  onChange: (where: Where) => void;
  stores: PayloadStoreDto[];
  errors: FieldErrors;
  onErrors: (errors: FieldErrors) => void;
}) {
  const { where, onChange, errors } = props;
  // A bucket becomes a new payload store, which only an administrator may add.
  const canAddStore = useAllowed('stores.payload.create');
  return (
    <fieldset>
      <legend>Which files should this share hold?</legend>
      <label className="choice">
        <input type="radio" name="where" checked={where.kind === 'folder'} onChange={() => onChange(NEW_FOLDER)} />
        <span>
          <strong>A folder on this computer</strong>
          <span className="muted block">
            Its files are shared as they are, and stay ordinary files your apps keep using.
          </span>
        </span>
      </label>
      {where.kind === 'folder' && <FolderChoice where={where} onChange={onChange} error={errors['path']} />}

      <p className="muted">Or keep the files in DittoFS storage (for S3 and the local cache in front of it):</p>
      {props.stores.map((p) => (
        <label key={p.name} className="choice">
          <input
            type="radio"
            name="where"
            checked={where.kind === 'store' && where.payloadStore === p.name}
            onChange={() => onChange({ kind: 'store', payloadStore: p.name })}
          />
          <span>
            <strong>{p.name}</strong>{' '}
            <span className="muted">
              (DittoFS storage, {p.type}
              {typeof p.config['path'] === 'string' ? `: ${p.config['path'] as string}` : ''})
            </span>
            {p.usedBy.length > 0 && <span className="marker">already shared as {p.usedBy.join(', ')}</span>}
          </span>
        </label>
      ))}
      {canAddStore && (
        <label className="choice">
          <input type="radio" name="where" checked={where.kind === 's3'} onChange={() => onChange(NEW_BUCKET)} />
          <span>
            <strong>An S3 bucket</strong>
          </span>
        </label>
      )}
      {canAddStore && where.kind === 's3' && (
        <div className="indent">
          <S3StoreFields
            value={where}
            onChange={(f) => onChange({ ...f, kind: 's3' })}
            errors={errors}
            onErrors={props.onErrors}
          />
        </div>
      )}
      <FieldError message={errors['where']} />
    </fieldset>
  );
}

/** The folder's path, and what the server says of it: missing (ask), shared already, overlapping. */
function FolderChoice(props: { where: FolderWhere; onChange: (w: Where) => void; error: string | undefined }) {
  const { where, onChange } = props;
  const check = useFolderCheck(where.path.trim());
  return (
    <div className="indent" data-testid="folder-choice">
      <TextField
        label="Folder"
        value={where.path}
        placeholder="/home/me/Pictures"
        onChange={(v) => onChange({ ...NEW_FOLDER, path: v })}
        error={props.error}
        hint="The full path of the folder. DittoFS adds nothing to it: what it keeps about the files stays in its own data folder."
        autoFocus
      />
      {check && <FolderFacts check={check} where={where} onChange={onChange} />}
    </div>
  );
}

function FolderFacts(props: { check: FolderCheckDto; where: FolderWhere; onChange: (w: Where) => void }) {
  const { check: c, where, onChange } = props;
  const overlap = overlapOf(c);
  return (
    <div className="folder-facts" role="status">
      {!c.exists && !c.insideDataDir && (
        <Toggle
          checked={where.createMissing}
          onChange={(v) => onChange({ ...where, createMissing: v })}
          label={`Create this folder (${c.path} does not exist yet)`}
        />
      )}
      {c.sharedAs.length > 0 && (
        <p>
          <span className="marker">already shared as {c.sharedAs.join(', ')}</span>{' '}
          <span className="muted">Sharing it again gives the same files a second name.</span>
        </p>
      )}
      {overlap !== undefined && c.problem === null && (
        <Toggle
          checked={where.allowNested}
          onChange={(v) => onChange({ ...where, allowNested: v })}
          label={`Share it anyway (${overlap.charAt(0).toLowerCase()}${overlap.slice(1)})`}
        />
      )}
      {c.exists && c.problem === null && !c.writable && (
        <p className="muted">DittoFS may only read this folder: clients will not be able to change its files.</p>
      )}
    </div>
  );
}
