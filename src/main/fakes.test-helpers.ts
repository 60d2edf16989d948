/** Test doubles for the Electron objects the main-process modules take as parameters. */
import { EventEmitter } from 'node:events';
import type { FromUtility, ToUtility } from '../shared/desktop.ts';
import type { PortLike, UtilityChild } from './server-host.ts';

/** One end of an in-memory MessageChannel (MessagePortMain-like: on('message', {data})). */
export class FakePort extends EventEmitter implements PortLike {
  other: FakePort | undefined;
  closed = false;
  started = false;
  readonly sent: unknown[] = [];
  postMessage(message: unknown): void {
    if (this.closed) throw new Error('port closed');
    this.sent.push(message);
    const o = this.other;
    if (o && !o.closed) queueMicrotask(() => o.emit('message', { data: message }));
  }
  start(): void {
    this.started = true;
  }
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.emit('close');
    if (this.other && !this.other.closed) this.other.close();
  }
}

export function fakeChannel(): { port1: FakePort; port2: FakePort } {
  const port1 = new FakePort();
  const port2 = new FakePort();
  port1.other = port2;
  port2.other = port1;
  return { port1, port2 };
}

/** A utility process that answers as the test says. */
export class FakeChild extends EventEmitter implements UtilityChild {
  static nextPid = 1000;
  readonly pid = FakeChild.nextPid++;
  readonly received: ToUtility[] = [];
  eventsPort: FakePort | undefined;
  killed = false;
  postMessage(message: ToUtility, transfer?: unknown[]): void {
    this.received.push(message);
    if (message.type === 'events') this.eventsPort = transfer?.[0] as FakePort;
    if (message.type === 'stop') queueMicrotask(() => this.exit(0));
  }
  send(m: FromUtility): void {
    this.emit('message', m);
  }
  exit(code: number): void {
    if (this.killed) return;
    this.killed = true;
    this.emit('exit', code);
  }
  kill(): boolean {
    queueMicrotask(() => this.exit(137));
    return true;
  }
}
