/** Hash routes (#/shares, #/shares/new ...): works from file:// in Electron and from / in a browser. */
import { useEffect, useState } from 'react';

export type Route = { page: string; rest: string[]; query: URLSearchParams };

export function parseHash(hash: string): Route {
  const h = hash.replace(/^#\/?/, '');
  const [path = '', qs = ''] = h.split('?');
  const parts = path.split('/').filter(Boolean).map(decodeURIComponent);
  return { page: parts[0] ?? 'dashboard', rest: parts.slice(1), query: new URLSearchParams(qs) };
}

export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseHash(location.hash));
  useEffect(() => {
    const on = () => setRoute(parseHash(location.hash));
    window.addEventListener('hashchange', on);
    return () => window.removeEventListener('hashchange', on);
  }, []);
  return route;
}

export function navigate(to: string): void {
  const h = to.startsWith('#') ? to : `#/${to.replace(/^\//, '')}`;
  if (location.hash !== h) location.hash = h;
}
