import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { ApiError, roleAllows } from '../shared/api/index.ts';
import { App } from './App.tsx';
import { TransportProvider } from './lib/api.tsx';
import { LiveHistory } from './lib/live.ts';
import { pickTransport } from './transport/index.ts';
import './password-dictionary.ts';
import './styles.css';

const transport = pickTransport();
const history = new LiveHistory();
const queryClient = new QueryClient({
  defaultOptions: {
    queries: {
      staleTime: 5_000,
      refetchOnWindowFocus: true,
      // A 4xx will not get better by asking again.
      retry: (n, err) => !(err instanceof ApiError && err.status >= 400 && err.status < 500) && n < 2,
    },
  },
});

// Collect live samples from the start, whatever page is open (the live stream is for
// operators and admins). On sign-out or another user signing in, nothing of the previous
// session survives: every cached answer and every live sample is dropped.
let detach: (() => void) | undefined;
let signedIn: string | undefined;
transport.onSessionChange((s) => {
  const who = s ? `${s.user.id}:${s.user.role}` : undefined;
  if (who === signedIn) return;
  signedIn = who;
  detach?.();
  detach = undefined;
  queryClient.clear();
  history.clear();
  if (s && roleAllows(s.user.role, 'operator')) detach = history.attach(transport);
});

const root = document.getElementById('root');
if (root) {
  createRoot(root).render(
    <StrictMode>
      <QueryClientProvider client={queryClient}>
        <TransportProvider transport={transport} history={history}>
          <App />
        </TransportProvider>
      </QueryClientProvider>
    </StrictMode>,
  );
}
