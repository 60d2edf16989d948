import pino, { type Logger } from 'pino';
import { prettyDestination } from '../logging/pretty.ts';

export type LogLevel = 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal';

export type LogFormat = 'auto' | 'json' | 'pretty';

/** 'auto' resolved: readable lines on a terminal, JSON for services, files and pipes. */
export function resolveLogFormat(format: LogFormat, stdoutIsTty = process.stdout.isTTY === true): 'json' | 'pretty' {
  return format === 'auto' ? (stdoutIsTty ? 'pretty' : 'json') : format;
}

/** Where `createLogger` writes for a format: JSON straight to fd 1, or readable lines (coloured on a terminal). */
export function logDestination(format: 'json' | 'pretty'): pino.DestinationStream {
  return format === 'json' ? pino.destination(1) : prettyDestination(process.stdout, process.stdout.isTTY === true);
}

/**
 * Structured JSON logs on stdout (or readable lines, see logDestination). Secrets never reach a log line: the redact list covers
 * every field name that carries one anywhere in the server.
 */
export function createLogger(level: LogLevel, destination: pino.DestinationStream = pino.destination(1)): Logger {
  return pino(
    {
      level,
      base: { pid: process.pid },
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: {
        paths: [
          'password',
          '*.password',
          'newPassword',
          '*.newPassword',
          'token',
          '*.token',
          'secret',
          '*.secret',
          'req.headers.authorization',
        ],
        censor: '[redacted]',
      },
    },
    destination,
  );
}
