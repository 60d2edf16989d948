/** The share wizard's last step before creating: advanced settings (collapsed) and a summary. */
import { SelectField, TextField, Toggle } from '../../components/ui.tsx';
import type { FieldErrors } from '../../lib/forms.ts';
import { SQUASH_OPTIONS, whereSummary, type WizardState } from './state.ts';

export function AdvancedStep(props: {
  s: WizardState;
  set: (patch: Partial<WizardState>) => void;
  /** This computer's networks (CIDR). */
  networks: string[];
  errors: FieldErrors;
}) {
  const { s, set, networks, errors } = props;
  return (
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
                      networks.join(', ') || 'none found'
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
            <Toggle checked={s.encrypt} onChange={(v) => set({ encrypt: v })} label="SMB: require encryption (SMB 3)" />
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
        <li>Files: {whereSummary(s.where)}</li>
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
  );
}
