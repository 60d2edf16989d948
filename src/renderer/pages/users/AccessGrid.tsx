/** The users × shares grid of effective access. */
import { useQueries, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { type ShareAccess } from '../../../shared/api/index.ts';
import { EmptyState, ErrorBox } from '../../components/ui.tsx';
import { key, useOp, useTransport } from '../../lib/api.tsx';

const ACCESS_LABEL: Record<ShareAccess, string> = { none: 'No access', read: 'Read only', write: 'Read & write' };

/** Users × shares: each cell sets the user's own entry and shows the access they end up with. */
export function AccessGrid() {
  const t = useTransport();
  const qc = useQueryClient();
  const users = useOp('users.list', {});
  const shares = useOp('shares.list', {});
  const perms = useQueries({
    queries: (shares.data ?? []).map((s) => ({
      queryKey: key('shares.permissions', { params: { name: s.name } }),
      queryFn: () => t.call('shares.permissions', { params: { name: s.name } }),
    })),
  });
  const [error, setError] = useState<unknown>();
  const [saving, setSaving] = useState<string>();
  if (!users.data || !shares.data) return null;
  const byShare = new Map(shares.data.map((s, i) => [s.name, perms[i]?.data]));
  const setAccess = async (share: string, username: string, v: ShareAccess | 'inherit') => {
    setError(undefined);
    setSaving(`${share}|${username}`);
    try {
      const params = { name: share, principalType: 'user' as const, principal: username };
      if (v === 'inherit') await t.call('shares.deletePermission', { params });
      else await t.call('shares.setPermission', { params, body: { access: v } });
      await qc.invalidateQueries({ queryKey: ['shares.permissions'] });
    } catch (err) {
      setError(err);
    } finally {
      setSaving(undefined);
    }
  };
  return (
    <section className="card" aria-labelledby="grid-h">
      <h2 id="grid-h">Who can use which share</h2>
      <p className="muted">
        Each cell sets a person's own access to a share; the line below it is what they actually get, counting their
        groups and what the share gives everyone else. Over NFS a person is known by their user id (uid).
      </p>
      <ErrorBox error={error} title="Access not changed." />
      {shares.data.length === 0 ? (
        <EmptyState title="No shares yet">
          <a href="#/shares/new">Create a share</a> first, then choose who may use it here.
        </EmptyState>
      ) : (
        <div className="scroll-x">
          <table className="table grid-table" aria-label="Effective access by user and share">
            <thead>
              <tr>
                <th scope="col">User</th>
                {shares.data.map((s) => (
                  <th scope="col" key={s.name}>
                    {s.name}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {users.data.map((u) => (
                <tr key={u.username}>
                  <th scope="row">{u.username}</th>
                  {shares.data.map((s) => {
                    const p = byShare.get(s.name);
                    const own = p?.entries.find(
                      (e) => e.principalType === 'user' && e.principal.toLowerCase() === u.username.toLowerCase(),
                    );
                    const eff = p?.effective.find((e) => e.username.toLowerCase() === u.username.toLowerCase());
                    return (
                      <td key={s.name} data-cell={`${u.username}|${s.name}`}>
                        <select
                          aria-label={`Access of ${u.username} to ${s.name}`}
                          value={own?.access ?? 'inherit'}
                          disabled={!p || saving === `${s.name}|${u.username}`}
                          onChange={(e) =>
                            void setAccess(s.name, u.username, e.target.value as ShareAccess | 'inherit')
                          }
                        >
                          <option value="inherit">From groups</option>
                          <option value="read">Read only</option>
                          <option value="write">Read &amp; write</option>
                          <option value="none">No access</option>
                        </select>
                        <div className={`effective eff-${eff?.access ?? 'none'}`} data-testid="effective">
                          {eff ? ACCESS_LABEL[eff.access] : '…'}
                          {eff && <span className="muted small"> {sourceText(eff.source, eff.readOnlyShare)}</span>}
                        </div>
                      </td>
                    );
                  })}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

function sourceText(source: string, readOnlyShare: boolean): string {
  const base =
    source === 'user'
      ? '(own setting)'
      : source.startsWith('group:')
        ? `(group ${source.slice(6)})`
        : source === 'guest'
          ? '(as guest)'
          : source === 'default'
            ? '(everyone else)'
            : source === 'disabled'
              ? '(account disabled)'
              : '';
  return readOnlyShare ? `${base} (share is read-only)`.trim() : base;
}
