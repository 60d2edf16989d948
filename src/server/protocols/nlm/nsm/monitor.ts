/**
 * What NSM keeps: this server's state number and the hosts callers asked it to monitor.
 * The server never connects to a client, so it sends no SM_NOTIFY and makes no callbacks;
 * monitoring is bookkeeping that lets clients' SM_MON / SM_UNMON succeed. SM_NOTIFY from a
 * restarted host releases its NLM locks (onRestart).
 */
import type { MonId } from './codec.ts';

export class StatusMonitor {
  /**
   * The state number (XNFS 11): odd while up and larger after each restart. Seconds since the
   * epoch (made odd) need no storage and grow across restarts (they fit an int32 until 2038).
   */
  readonly state: number;
  private readonly monitored = new Map<string, MonId>();

  constructor(
    readonly onRestart: (monName: string, addr: string) => void,
    now: () => number = Date.now,
  ) {
    this.state = Math.floor(now() / 1000) | 1;
  }

  monitor(id: MonId): void {
    this.monitored.set(key(id), id);
  }

  unmonitor(id: MonId): void {
    this.monitored.delete(key(id));
  }

  unmonitorAll(myName: string): void {
    for (const [k, id] of this.monitored) if (id.myId.myName === myName) this.monitored.delete(k);
  }

  /** Hosts monitored now, for tests and status pages. */
  count(): number {
    return this.monitored.size;
  }
}

const key = (id: MonId): string => `${id.monName}\n${id.myId.myName}`;
