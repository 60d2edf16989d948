/**
 * The live event stream: what the dashboard draws. Over HTTP it is Server-Sent Events at
 * `GET /api/v1/events` (each frame `event: <type>` + `data: <json>`; authenticate with the
 * bearer header or `?access_token=` since EventSource cannot set headers; `?topics=a,b`
 * narrows it); in Electron a MessagePort carries the same objects.
 */
import { z } from 'zod';
import { AdapterSchema, AlertSchema, MountSchema, ThroughputSampleSchema } from './schemas.ts';

export const EVENT_TOPICS = ['throughput', 'mount', 'unmount', 'adapter', 'alert', 'sessions'] as const;
export type EventTopic = (typeof EVENT_TOPICS)[number];

/** Once a second: bytes and ops of the last second, total, by share and by client. */
export const ThroughputEventSchema = ThroughputSampleSchema.extend({ type: z.literal('throughput') });
export const MountEventSchema = z.object({ type: z.literal('mount'), mount: MountSchema });
export const UnmountEventSchema = z.object({ type: z.literal('unmount'), mount: MountSchema });
/** An adapter changed state (starting, running, error, stopped ...). */
export const AdapterEventSchema = z.object({ type: z.literal('adapter'), adapter: AdapterSchema });
/** Every mount and session with its counters and state, whenever any of them changed (checked once a second). */
export const SessionsEventSchema = z.object({ type: z.literal('sessions'), sessions: z.array(MountSchema) });
/** An alert was raised or resolved. */
export const AlertEventSchema = z.object({ type: z.literal('alert'), alert: AlertSchema });

export const ServerEventSchema = z.discriminatedUnion('type', [
  ThroughputEventSchema,
  MountEventSchema,
  UnmountEventSchema,
  AdapterEventSchema,
  AlertEventSchema,
  SessionsEventSchema,
]);
export type ServerEvent = z.infer<typeof ServerEventSchema>;
export type ServerEventOf<T extends EventTopic> = Extract<ServerEvent, { type: T }>;

export const EventsQuery = z.strictObject({
  /** Comma-separated topics; all when omitted. */
  topics: z
    .string()
    .regex(new RegExp(`^(?:${EVENT_TOPICS.join('|')})(?:,(?:${EVENT_TOPICS.join('|')}))*$`), {
      error: `expected a comma-separated list of ${EVENT_TOPICS.join(', ')}`,
    })
    .optional(),
  access_token: z.string().max(4096).optional(),
});

/** Parses one SSE frame's `data` (clients use it to validate what they receive). */
export function parseServerEvent(data: string): ServerEvent {
  return ServerEventSchema.parse(JSON.parse(data));
}
