import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { ApiError } from '../shared/api/index.ts';
import { App } from './App.tsx';
import { TransportProvider } from './lib/api.tsx';
import { LiveHistory } from './lib/live.ts';
import { pickTransport } from './transport/index.ts';
import './styles.css';

const transport = pickTransport();
const history = new LiveHistory();
// Collect live samples from the start, whatever page is open.
let detach: (() => void) | undefined;
transport.onSessionChange((s) => {
  detach?.();
  detach = s ? history.attach(transport) : undefined;
});

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
