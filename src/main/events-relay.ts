/**
 * Fans the server's live events out to the windows: each window gets its own
 * MessagePort and says which topics it wants ({subscribe: topic} / {unsubscribe: topic}).
 * The relay outlives utility-process restarts, so a window's port stays valid.
 */
import type { EventMessage, PortControl } from '../shared/desktop.ts';
import type { PortLike } from './server-host.ts';

interface Subscriber {
  port: PortLike;
  topics: Map<string, number>;
}

export class EventsRelay {
  private readonly subscribers = new Set<Subscriber>();

  /** Adopts the main-process end of a window's channel. */
  attach(port: PortLike): void {
    const sub: Subscriber = { port, topics: new Map() };
    this.subscribers.add(sub);
    port.on('message', (e) => {
      const c = e.data as PortControl;
      if (!c || typeof c !== 'object') return;
      if ('subscribe' in c && typeof c.subscribe === 'string')
        sub.topics.set(c.subscribe, (sub.topics.get(c.subscribe) ?? 0) + 1);
      if ('unsubscribe' in c && typeof c.unsubscribe === 'string') {
        const n = (sub.topics.get(c.unsubscribe) ?? 0) - 1;
        if (n > 0) sub.topics.set(c.unsubscribe, n);
        else sub.topics.delete(c.unsubscribe);
      }
    });
    port.on('close', () => this.subscribers.delete(sub));
    port.start();
  }

  publish(ev: EventMessage): void {
    for (const sub of this.subscribers) {
      if (!sub.topics.has(ev.topic) && !sub.topics.has('*')) continue;
      try {
        sub.port.postMessage(ev);
      } catch {
        this.subscribers.delete(sub);
      }
    }
  }

  get size(): number {
    return this.subscribers.size;
  }

  closeAll(): void {
    for (const s of this.subscribers) s.port.close();
    this.subscribers.clear();
  }
}
