/**
 * A plain user's own pages: the shares they may use, what they may do there and how to
 * connect (from auth.myShares, the one operation that answers this for any signed-in user),
 * and their password. Nothing of the admin console: no store, user or adapter is asked for.
 */
import type { MyShareDto } from '../../shared/api/index.ts';
import { OwnPasswordForm } from '../components/OwnPasswordForm.tsx';
import { Badge, EmptyState, ErrorBox, Spinner } from '../components/ui.tsx';
import { useOp, useSession } from '../lib/api.tsx';
import { ShareConnect } from './Connect.tsx';

function accessWords(s: MyShareDto): string {
  if (s.access === 'write') return 'Read and write';
  return s.readOnlyShare ? 'Read only (the share is read-only)' : 'Read only';
}

function sourceWords(source: string): string {
  if (source === 'user') return 'given to you';
  if (source.startsWith('group:')) return `through the group ${source.slice('group:'.length)}`;
  if (source === 'guest') return 'open to guests';
  return 'open to everyone with an account';
}

function ShareCard({ share }: { share: MyShareDto }) {
  return (
    <section className="card" aria-label={share.name} data-testid="my-share">
      <div className="card-header">
        <h2>{share.name}</h2>
        <Badge kind={share.access === 'write' ? 'ok' : 'info'}>{accessWords(share)}</Badge>
      </div>
      {share.description && <p>{share.description}</p>}
      <p className="muted small">Your access is {sourceWords(share.source)}.</p>
      <h3>Connect</h3>
      <ShareConnect share={share} manages={false} />
    </section>
  );
}

export function MySharesPage() {
  const session = useSession();
  const mine = useOp('auth.myShares', {});
  return (
    <div className="page">
      <header className="page-header">
        <h1>My shares</h1>
      </header>
      <p className="muted">
        Signed in as <strong>{session?.user.username}</strong>. These are the shares you may use on this NAS; the
        administrator manages everything else.
      </p>
      {mine.isPending && <Spinner />}
      <ErrorBox error={mine.error} title="Your shares could not be loaded." />
      {mine.data && mine.data.shares.length === 0 && (
        <EmptyState title="No share is open to you yet">
          Ask the administrator of this NAS to give you access to a share.
        </EmptyState>
      )}
      {mine.data?.shares.map((s) => (
        <ShareCard key={s.name} share={s} />
      ))}
    </div>
  );
}

export function MyPasswordPage() {
  return (
    <div className="page">
      <header className="page-header">
        <h1>My password</h1>
      </header>
      <section className="card" aria-labelledby="my-pw-h">
        <h2 id="my-pw-h">Change your password</h2>
        <p className="muted">It opens the web interface and, over SMB, your shares.</p>
        <OwnPasswordForm />
      </section>
    </div>
  );
}
