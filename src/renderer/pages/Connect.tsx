/**
 * "Connect another device": the lines for one share, from the server's own addresses and
 * the ports its adapters really bound (GET /connect), with a choice of address.
 */
import { useState } from 'react';
import type { ConnectInfoDto } from '../../shared/api/index.ts';
import { connectLines, type ConnectShare } from '../../shared/connect.ts';
import { Copyable, ErrorBox, Spinner } from '../components/ui.tsx';
import { useOp } from '../lib/api.tsx';

const CHOSEN_KEY = 'dittofs.connectHost';

/** The address shown first: the one last chosen, else the one this page was opened on (when the server has it), else the server's best guess. */
export function defaultHost(info: ConnectInfoDto, chosen: string | null, pageHost: string): string | undefined {
  const hosts = info.addresses.map((a) => a.host);
  if (chosen && hosts.includes(chosen)) return chosen;
  if (hosts.includes(pageHost)) return pageHost;
  return hosts[0];
}

/** `manages`: the viewer may change adapters (admin); a plain user is told to ask instead of sent to Adapters. */
export function ShareConnect({ share, manages = true }: { share: ConnectShare; manages?: boolean }) {
  const info = useOp('connect.info', {});
  const [chosen, setChosen] = useState(() => localStorage.getItem(CHOSEN_KEY));
  if (info.isPending) return <Spinner />;
  if (!info.data) return <ErrorBox error={info.error} title="Could not look up this computer's addresses." />;
  const c = info.data;
  const host = defaultHost(c, chosen, location.hostname) ?? c.hostname;
  const choose = (h: string) => {
    localStorage.setItem(CHOSEN_KEY, h);
    setChosen(h);
  };
  const lines = connectLines(share, host, c);
  const localOnly = [c.nfs?.localOnly && share.protocols.nfs && 'NFS', c.smb?.localOnly && share.protocols.smb && 'SMB']
    .filter(Boolean)
    .join(' and ');
  return (
    <div className="connect">
      {c.addresses.length === 0 ? (
        <p className="warning-box" role="status">
          This computer is on no network right now, so other devices cannot reach it. Connect it to your network and
          open this again.
        </p>
      ) : (
        <label className="connect-address">
          Address other devices use{' '}
          <select value={host} onChange={(e) => choose(e.target.value)} data-testid="connect-address">
            {c.addresses.map((a) => (
              <option key={a.host} value={a.host}>
                {a.host} — {a.note}
              </option>
            ))}
          </select>
        </label>
      )}
      {localOnly && (
        <p className="warning-box" role="status">
          {localOnly} listens on this computer only (a loopback address): other devices cannot connect until its address
          is changed{' '}
          {manages ? (
            <>
              under <a href="#/adapters">Adapters</a>
            </>
          ) : (
            'by the administrator'
          )}
          .
        </p>
      )}
      <ConnectLines lines={lines} share={share} manages={manages} />
    </div>
  );
}

function ConnectLines({
  lines,
  share,
  manages,
}: {
  lines: ReturnType<typeof connectLines>;
  share: ConnectShare;
  manages: boolean;
}) {
  if (lines.length === 0) {
    const served = [share.protocols.nfs && 'NFS', share.protocols.smb && 'SMB'].filter(Boolean).join(' or ');
    if (!manages)
      return (
        <p className="muted">
          {served
            ? `This share is served over ${served}, which is not running right now: ask the administrator to turn it on.`
            : 'This share has no protocol turned on: ask the administrator.'}
        </p>
      );
    return (
      <p className="muted">
        {served
          ? `This share is served over ${served}, and that is not running right now: turn it on under `
          : 'This share has no protocol turned on: edit it under Shares, or turn a protocol on under '}
        <a href="#/adapters">Adapters</a>.
      </p>
    );
  }
  return (
    <div className="connect-lines">
      {lines.map((l) => (
        <div key={l.id}>
          <Copyable label={l.label} value={l.value} />
          {l.note && <p className="hint">{l.note}</p>}
        </div>
      ))}
    </div>
  );
}
