/** The share wizard's "Access" step: the presets (shared/api/presets.ts) and the grid of "People I choose". */
import type { ShareAccess } from '../../../shared/api/index.ts';
import { DataTable } from '../../components/DataTable.tsx';
import { NFS_TRUSTS_CLIENTS } from '../users/UserDialogs.tsx';
import type { WizardState } from './state.ts';

export function AccessStep(props: {
  s: WizardState;
  set: (patch: Partial<WizardState>) => void;
  me: string;
  /** This computer's networks (CIDR). */
  networks: string[];
  /** Guest access is off on this server: a preset that needs it turns it on. */
  guestOff: boolean;
  users: Array<{ username: string }>;
  groups: Array<{ name: string }>;
}) {
  const { s, set, me, networks, guestOff, users, groups } = props;
  return (
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
              networks.join(', ') || "this computer's networks"
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
          <input type="radio" name="preset" checked={s.preset === value} onChange={() => set({ preset: value })} />
          <span>
            <strong>{label}</strong>
            <span className="muted block">{help}</span>
          </span>
        </label>
      ))}
      {s.preset === 'guest-write' && (
        <div className="warning-box" role="alert">
          Warning: guests need no password. Anyone on your network — and anyone who can reach this computer — can change
          or delete everything in this share.
        </div>
      )}
      {(s.preset === 'everyone-read' || s.preset === 'guest-write') && guestOff && (
        <p className="muted">Guest access is off for this server; creating this share turns it on.</p>
      )}
      {s.nfs && <p className="muted">{NFS_TRUSTS_CLIENTS}</p>}
      {s.preset === 'choose' && (
        <DataTable
          className="table compact"
          label="Access by user and group"
          columns={['User or group', 'Access']}
          rows={[
            ...users.map((u) => ({ key: `user:${u.username}`, label: u.username, kind: 'user' })),
            ...groups.map((g) => ({ key: `group:${g.name}`, label: g.name, kind: 'group' })),
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
                  onChange={(e) => set({ grid: { ...s.grid, [row.key]: e.target.value as ShareAccess | 'inherit' } })}
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
  );
}
