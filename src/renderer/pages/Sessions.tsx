/**
 * The dashboard's "Connected now": mounts and sessions with their live counters, pushed
 * with the event stream (topic `sessions`), and the NFSv3 MOUNT records that outlived
 * their connection, shown apart. Disconnect asks first.
 */
import { useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import type { MountDto } from '../../shared/api/index.ts';
import { DataTable } from '../components/DataTable.tsx';
import { DialogButtons } from '../components/DialogButtons.tsx';
import { Dialog, EmptyState, ErrorBox, Spinner } from '../components/ui.tsx';
import { key, useEvent, useMutate, useOp } from '../lib/api.tsx';
import { formatBytes, formatSince } from '../lib/format.ts';

const PROTOCOL = { smb: 'SMB', nfs4: 'NFS v4', nfs3: 'NFS v3' } as const;

/** "NFS v4.1" / "SMB 3.1.1" when the server knows the version in use, else the protocol. */
const protocolLabel = (m: MountDto): string => {
  if (m.protocol === 'smb') return m.security ? `SMB ${m.security.dialect}` : PROTOCOL.smb;
  return m.version === undefined ? PROTOCOL[m.protocol] : `NFS v${m.version}`;
};

/** "signed, encrypted": how an SMB session is protected, for the protocol cell's tooltip. */
const securityLabel = (m: MountDto): string | undefined =>
  m.security && (m.security.encrypted ? 'encrypted' : m.security.signed ? 'signed' : 'not signed');

const count = (n: number, one: string, many: string): string => `${n} ${n === 1 ? one : many}`;

/** "2 files open · 1 lock": what the client has open on the share (NFSv4, SMB) and the locks it holds. */
const holdingLabel = (m: MountDto): string =>
  m.opens === 0 && m.locks === 0
    ? 'nothing open'
    : `${count(m.opens, 'file', 'files')} open · ${count(m.locks, 'lock', 'locks')}`;

export function Sessions() {
  const qc = useQueryClient();
  const mounts = useOp('mounts.list', {});
  const [ending, setEnding] = useState<MountDto>();
  useEvent('sessions', (ev) => qc.setQueryData(key('mounts.list', {}), ev.sessions));
  const connected = mounts.data?.filter((m) => m.state === 'connected');
  const mountedOnly = mounts.data?.filter((m) => m.state === 'mounted') ?? [];
  return (
    <section className="card" aria-labelledby="mounts-h">
      <h2 id="mounts-h">Connected now</h2>
      {mounts.isPending && <Spinner />}
      <ErrorBox error={mounts.error} />
      <DataTable
        label="Active mounts and sessions"
        columns={['Client', 'Protocol', 'User', 'Share', 'Activity']}
        actions
        scroll
        rows={connected}
        empty={
          <EmptyState title="No one is connected">
            Open <a href="#/shares">Shares</a> to see the address of each share, then connect from another device.
          </EmptyState>
        }
      >
        {(m) => (
          <tr key={m.id} data-testid="session-row">
            {/* Two lines per cell rather than more columns: the table fits a 760 px window. */}
            <td>
              <div className="nowrap">{m.clientAddr}</div>
              <div className="hint" title={m.since}>
                connected {formatSince(m.since)}
              </div>
            </td>
            <td className="nowrap" title={securityLabel(m)}>
              {protocolLabel(m)}
            </td>
            <td title={m.uid === null ? undefined : `uid ${m.uid}`}>{m.user || '—'}</td>
            <td>{m.share}</td>
            <td>
              <div className="nowrap" data-testid="session-holdings" data-opens={m.opens} data-locks={m.locks}>
                {holdingLabel(m)}
              </div>
              <div className="nowrap hint" data-testid="session-moved" data-bytes={m.bytesRead + m.bytesWritten}>
                ↓ {formatBytes(m.bytesRead)} · ↑ {formatBytes(m.bytesWritten)}
              </div>
            </td>
            <td className="actions">
              <button
                type="button"
                className="danger small"
                onClick={() => setEnding(m)}
                aria-label={`Disconnect ${m.clientAddr} from ${m.share}`}
              >
                Disconnect
              </button>
            </td>
          </tr>
        )}
      </DataTable>
      {mountedOnly.length > 0 && (
        <details className="mounted-only">
          <summary>
            {mountedOnly.length} {mountedOnly.length === 1 ? 'device mounted' : 'devices mounted'} earlier, not
            connected now
          </summary>
          <p className="hint">
            NFS v3 clients keep a mount until they unmount, and many never do. These have no connection and no activity
            in the last minutes; they reconnect by themselves when used.
          </p>
          <DataTable
            className="table compact"
            label="Mounted, not connected"
            columns={['Client', 'User', 'Share', 'Last active']}
            actions
            scroll
            rows={mountedOnly}
          >
            {(m) => (
              <tr key={m.id}>
                <td>{m.clientAddr}</td>
                <td>{m.user || '—'}</td>
                <td>{m.share}</td>
                <td title={m.lastActive}>{formatSince(m.lastActive)}</td>
                <td>
                  <button
                    type="button"
                    className="small"
                    onClick={() => setEnding(m)}
                    aria-label={`Forget the mount of ${m.clientAddr} on ${m.share}`}
                  >
                    Forget
                  </button>
                </td>
              </tr>
            )}
          </DataTable>
        </details>
      )}
      {ending && <Disconnect mount={ending} onClose={() => setEnding(undefined)} />}
    </section>
  );
}

function Disconnect({ mount, onClose }: { mount: MountDto; onClose: () => void }) {
  const disconnect = useMutate('mounts.disconnect', ['mounts.list', 'clients.list', 'stats.get']);
  const live = mount.state === 'connected';
  const run = () => disconnect.mutate({ params: { id: mount.id } }, { onSuccess: onClose });
  return (
    <Dialog
      title={live ? `Disconnect ${mount.clientAddr}?` : `Forget the mount of ${mount.clientAddr}?`}
      onClose={onClose}
      footer={
        <DialogButtons
          onCancel={onClose}
          label={live ? 'Disconnect' : 'Forget'}
          danger={live}
          onAction={run}
          disabled={disconnect.isPending}
        />
      }
    >
      {live ? (
        <p>
          This closes the connections of <strong>{mount.clientAddr}</strong> to <strong>{mount.share}</strong> now and
          cuts off what it is doing. Most clients connect again by themselves the next time they open a file; to keep a
          device out, change the share&apos;s access or disable the share.
        </p>
      ) : (
        <p>
          This removes the record that <strong>{mount.clientAddr}</strong> mounted <strong>{mount.share}</strong>. It
          has no connection now; if it uses the share again it simply reconnects.
        </p>
      )}
      <ErrorBox error={disconnect.error} title="Could not disconnect." />
    </Dialog>
  );
}
