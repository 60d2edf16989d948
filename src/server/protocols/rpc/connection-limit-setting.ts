/** An adapter setting for one connection limit: its range and default (connection-limits.ts). */
import { z } from 'zod';
import {
  CONNECTION_LIMIT_RANGES,
  type ConnectionLimitSettings,
  DEFAULT_CONNECTION_LIMITS,
} from './connection-limits.ts';

export function connectionLimitSetting(key: keyof ConnectionLimitSettings) {
  const [min, max] = CONNECTION_LIMIT_RANGES[key];
  return z.number().int().min(min).max(max).default(DEFAULT_CONNECTION_LIMITS[key]);
}
