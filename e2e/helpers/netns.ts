/**
 * A network namespace of a server's own, for tests that need a well-known port (the
 * portmapper's 111, where rpcinfo and lockd ask) without colliding with the host or with
 * other tests: the server starts through `unshare --net` with loopback up (NETNS_LAUNCHER,
 * startDfs's `launcher`), and clients run in its namespace through `nsenter`. Needs root
 * (CAP_SYS_ADMIN) and iproute2's `ip`.
 */
import { spawnSync } from 'node:child_process';
import type { Requirement } from './requirements.ts';

export const NETNS_LAUNCHER = ['unshare', '--net', '--', 'sh', '-c', 'ip link set lo up && exec "$@"', 'netns'];

/** `cmd args` as run inside the network namespace of process `pid`. */
export function inNetnsOf(pid: number, cmd: string, args: string[]): [string, string[]] {
  return ['nsenter', [`--net=/proc/${pid}/ns/net`, '--', cmd, ...args]];
}

export const NETNS: Requirement = {
  what: 'network namespaces (unshare and nsenter as root, and ip)',
  debianPackages: 'iproute2', // unshare and nsenter: util-linux, always installed
  present: () => spawnSync('unshare', ['--net', '--', 'ip', 'link', 'set', 'lo', 'up']).status === 0,
};
