/** Dashboard card: each S3 store's upload backlog and rate, local cache fill, dedup savings; drain on demand. */
import type { OffloaderDto } from '../../shared/api/offloader.ts';
import { Badge, Meter } from '../components/ui.tsx';
import { useMutate, useOp } from '../lib/api.tsx';
import { formatBytes, formatRate } from '../lib/format.ts';

const POLL_MS = 2000;

export function CloudUploads() {
  const list = useOp('offloader.list', {}, { refetchInterval: POLL_MS, retry: false });
  if (!list.data || list.data.length === 0) return null;
  return (
    <section className="card" aria-labelledby="cloud-h" data-testid="cloud-uploads">
      <h2 id="cloud-h">Cloud uploads</h2>
      {list.data.map((o) => (
        <StoreUploads key={o.store} o={o} />
      ))}
    </section>
  );
}

function StoreUploads({ o }: { o: OffloaderDto }) {
  const drain = useMutate('offloader.drain', ['offloader.list']);
  const used = o.cacheCapBytes > 0 ? (100 * o.cacheUsedBytes) / o.cacheCapBytes : 0;
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
      <Meter value={used} label={`Local cache of ${o.store}`} />
      <div className="muted small">
        Local cache {formatBytes(o.cacheUsedBytes)} of {formatBytes(o.cacheCapBytes)} · dedup saved{' '}
        {formatBytes(o.dedupSavedBytes)}
        {o.lastGc && ` · last cleanup freed ${formatBytes(o.lastGc.bytes)}`}
      </div>
    </div>
  );
}
