/**
 * Dashboard card: the S3 stores. An offloaded store shows its upload backlog and rate, local
 * cache fill and dedup savings, with drain on demand; a shared store (block index in
 * PostgreSQL, docs/cluster.md) has no backlog, so it shows where it lives, whether its index
 * database answers, its local cache and what it stores.
 */
import type { OffloaderDto, SharedStoreDto } from '../../shared/api/offloader.ts';
import { Badge, Meter } from '../components/ui.tsx';
import { useMutate, useOp } from '../lib/api.tsx';
import { formatBytes, formatRate } from '../lib/format.ts';

const POLL_MS = 2000;

const percent = (used: number, cap: number): number => (cap > 0 ? (100 * used) / cap : 0);

export function CloudUploads() {
  const list = useOp('offloader.list', {}, { refetchInterval: POLL_MS, retry: false });
  const shared = useOp('offloader.shared', {}, { refetchInterval: POLL_MS, retry: false });
  const offloaded = list.data ?? [];
  const sharedStores = shared.data ?? [];
  if (offloaded.length === 0 && sharedStores.length === 0) return null;
  return (
    <section className="card" aria-labelledby="cloud-h" data-testid="cloud-uploads">
      <h2 id="cloud-h">Cloud stores</h2>
      {offloaded.map((o) => (
        <StoreUploads key={o.store} o={o} />
      ))}
      {sharedStores.map((s) => (
        <SharedStore key={s.store} s={s} />
      ))}
    </section>
  );
}

function StoreUploads({ o }: { o: OffloaderDto }) {
  const drain = useMutate('offloader.drain', ['offloader.list']);
  return (
    <div className="stat-block">
      <div className="stat-row">
        <span>
          Store <strong>{o.store}</strong> {o.failing && <Badge kind="error">S3 unreachable</Badge>}
        </span>
        <span>
          {o.pendingBlocks > 0
            ? `${formatBytes(o.pendingBytes)} in ${o.pendingBlocks} blocks waiting · ${formatRate(o.uploadBytesPerSec)}`
            : 'Everything is in S3'}{' '}
          <button
            type="button"
            disabled={o.pendingBlocks === 0 || drain.isPending}
            onClick={() => drain.mutate({ params: { store: o.store } })}
          >
            {drain.isPending ? 'Uploading…' : 'Upload now'}
          </button>
        </span>
      </div>
      <Meter value={percent(o.cacheUsedBytes, o.cacheCapBytes)} label={`Local cache of ${o.store}`} />
      <div className="muted small">
        Local cache {formatBytes(o.cacheUsedBytes)} of {formatBytes(o.cacheCapBytes)} · dedup saved{' '}
        {formatBytes(o.dedupSavedBytes)}
        {o.lastGc && ` · last cleanup freed ${formatBytes(o.lastGc.bytes)}`}
      </div>
    </div>
  );
}

function SharedStore({ s }: { s: SharedStoreDto }) {
  return (
    <div className="stat-block" data-testid="shared-store" data-store={s.store}>
      <div className="stat-row">
        <span>
          Store <strong>{s.store}</strong> <Badge kind="info">shared by several instances</Badge>
        </span>
        <span>
          {s.blockIndex.reachable ? (
            <Badge kind="ok">Block index reachable</Badge>
          ) : (
            <Badge kind="error">Block index unreachable</Badge>
          )}
        </span>
      </div>
      <Meter value={percent(s.cacheUsedBytes, s.cacheCapBytes)} label={`Local cache of ${s.store}`} />
      <div className="muted small">
        Bucket {s.bucket}
        {s.prefix && ` under ${s.prefix}`} · block index {s.blockIndex.database}
        {s.blockIndex.error && ` (${s.blockIndex.error})`}
        <br />
        Local cache {formatBytes(s.cacheUsedBytes)} of {formatBytes(s.cacheCapBytes)}
        {s.storedBlocks !== null && ` · ${formatBytes(s.storedBytes ?? 0)} in ${s.storedBlocks} blocks`}
        {s.lastGc && ` · last cleanup here freed ${formatBytes(s.lastGc.bytes)}`} · writes are in S3 when they return
      </div>
    </div>
  );
}
