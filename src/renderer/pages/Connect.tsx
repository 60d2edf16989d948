import { Copyable } from '../components/ui.tsx';

export function ConnectLines({ lines }: { lines: { label: string; value: string }[] }) {
  if (lines.length === 0)
    return <p className="muted">No protocol is serving right now: turn NFS or SMB on under Adapters.</p>;
  return (
    <div className="connect-lines">
      {lines.map((l) => (
        <Copyable key={l.label} label={l.label} value={l.value} />
      ))}
    </div>
  );
}
