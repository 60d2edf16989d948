/** React glue: the transport in context, react-query hooks keyed by operation. */
import { useMutation, useQuery, useQueryClient, type UseQueryOptions } from '@tanstack/react-query';
import { createContext, useContext, useEffect, useState, useSyncExternalStore, type ReactNode } from 'react';
import {
  ApiError,
  OPERATIONS,
  roleAllows,
  type EventTopic,
  type OperationId,
  type OpInput,
  type OpOutput,
  type ServerEventOf,
} from '../../shared/api/index.ts';
import type { Session, Transport } from '../transport/types.ts';
import { LiveHistory } from './live.ts';

interface Ctx {
  transport: Transport;
  history: LiveHistory;
}

const TransportContext = createContext<Ctx | undefined>(undefined);

export function TransportProvider({ transport, history, children }: Ctx & { children: ReactNode }) {
  return <TransportContext.Provider value={{ transport, history }}>{children}</TransportContext.Provider>;
}

export function useTransport(): Transport {
  const c = useContext(TransportContext);
  if (!c) throw new Error('no transport');
  return c.transport;
}

export function useHistory(): LiveHistory {
  const c = useContext(TransportContext);
  if (!c) throw new Error('no transport');
  return c.history;
}

export function useLiveSamples() {
  const h = useHistory();
  return useSyncExternalStore(h.subscribe, h.snapshot);
}

export function useSession(): Session | undefined {
  const t = useTransport();
  const [s, setS] = useState(t.session);
  useEffect(() => t.onSessionChange(setS), [t]);
  return s;
}

/** Whether the signed-in user's role may call an operation: pages hide what the server would refuse. */
export function useAllowed(op: OperationId): boolean {
  const session = useSession();
  return session !== undefined && roleAllows(session.user.role, OPERATIONS[op].role);
}

export function useLiveConnected(): boolean {
  const t = useTransport();
  const [c, setC] = useState(false);
  useEffect(() => t.onLiveState(setC), [t]);
  return c;
}

/** Query key of an operation call: invalidate by [op] to refetch every variant. */
export const key = (op: OperationId, input?: unknown) => (input === undefined ? [op] : [op, input]);

export function useOp<K extends OperationId>(
  op: K,
  input: OpInput<K>,
  options?: Omit<UseQueryOptions<OpOutput<K>, ApiError>, 'queryKey' | 'queryFn'>,
) {
  const t = useTransport();
  return useQuery<OpOutput<K>, ApiError>({ queryKey: key(op, input), queryFn: () => t.call(op, input), ...options });
}

/** A mutation that refetches the given operations' queries when it succeeds. */
export function useMutate<K extends OperationId>(op: K, invalidates: OperationId[] = []) {
  const t = useTransport();
  const qc = useQueryClient();
  return useMutation<OpOutput<K>, ApiError, OpInput<K>>({
    mutationFn: (input) => t.call(op, input),
    onSuccess: () => Promise.all(invalidates.map((o) => qc.invalidateQueries({ queryKey: [o] }))).then(() => undefined),
  });
}

/** Subscribes to a live topic while the component is mounted. */
export function useEvent<T extends EventTopic>(topic: T, listener: (ev: ServerEventOf<T>) => void): void {
  const t = useTransport();
  const [ref] = useState(() => ({ current: listener }));
  ref.current = listener;
  useEffect(() => t.subscribe(topic, (ev) => ref.current(ev)), [t, topic, ref]);
}
