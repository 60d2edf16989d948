/** Where other devices reach this server: host name and the real bound ports. */
import { useQuery } from '@tanstack/react-query';
import { useOp, useTransport } from './api.tsx';
import type { ConnectInfo } from './format.ts';

export function useConnectInfo(): ConnectInfo | undefined {
  const t = useTransport();
  const adapters = useOp('adapters.list', {});
  const desktop = useQuery({
    queryKey: ['desktop.serverInfo'],
    queryFn: () => (t.desktop ? t.desktop.serverInfo() : Promise.resolve(null)),
  });
  if (!adapters.data) return undefined;
  const nfs = adapters.data.find((a) => a.type === 'nfs');
  const smb = adapters.data.find((a) => a.type === 'smb');
  const running = (a: typeof nfs) => (a && a.enabled && a.state === 'running' ? (a.boundPort ?? a.port) : null);
  const mountSetting = nfs?.settings['mountPort'];
  const host = desktop.data?.info?.hostname ?? (location.hostname || 'localhost');
  return {
    host: host.includes(':') && !host.startsWith('[') ? `[${host}]` : host,
    nfsPort: running(nfs),
    mountPort: typeof mountSetting === 'number' && mountSetting > 0 ? mountSetting : running(nfs),
    smbPort: running(smb),
  };
}
