/**
 * Readable log lines for a person at a terminal: pino's JSON records rewritten as
 * "12:03:05 INFO  listening  adapter=nfs port=12049". JSON stays the format for services
 * and pipes (logging.format, see createLogger); a line that is not JSON passes unchanged.
 */
const LEVELS: Record<number, { name: string; colour: number }> = {
  10: { name: 'TRACE', colour: 90 },
  20: { name: 'DEBUG', colour: 36 },
  30: { name: 'INFO ', colour: 32 },
  40: { name: 'WARN ', colour: 33 },
  50: { name: 'ERROR', colour: 31 },
  60: { name: 'FATAL', colour: 35 },
};
/** Fields every line has, or that say nothing to a person. */
const HIDDEN = new Set(['level', 'time', 'msg', 'pid', 'hostname']);

function value(v: unknown): string {
  if (typeof v === 'string') return /^[^\s"=]+$/.test(v) ? v : JSON.stringify(v);
  return JSON.stringify(v) ?? String(v);
}

export function prettyLine(line: string, colour: boolean): string {
  let rec: Record<string, unknown>;
  try {
    rec = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return line;
  }
  if (rec === null || typeof rec !== 'object') return line;
  const level = LEVELS[Number(rec['level'])] ?? { name: String(rec['level']).toUpperCase(), colour: 0 };
  const time = typeof rec['time'] === 'string' ? new Date(rec['time']) : new Date();
  const hhmmss = Number.isNaN(time.getTime()) ? '' : time.toTimeString().slice(0, 8);
  const fields = Object.entries(rec)
    .filter(([k]) => !HIDDEN.has(k))
    .map(([k, v]) => `${k}=${value(v)}`)
    .join(' ');
  const name = colour ? `\x1b[${level.colour}m${level.name}\x1b[0m` : level.name;
  return `${hhmmss} ${name} ${String(rec['msg'] ?? '')}${fields ? `  ${colour ? `\x1b[2m${fields}\x1b[0m` : fields}` : ''}`;
}

/** A pino destination writing readable lines to `out`. */
export function prettyDestination(out: { write(s: string): unknown }, colour: boolean): { write(s: string): void } {
  return {
    write: (chunk: string) => {
      for (const line of chunk.split('\n')) if (line) out.write(`${prettyLine(line, colour)}\n`);
    },
  };
}
