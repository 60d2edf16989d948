/** dfsctl output: aligned tables for people, JSON or YAML for scripts. */
import { stringify } from 'yaml';

export const OUTPUT_FORMATS = ['table', 'json', 'yaml'] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

type Row = Record<string, unknown>;

/** One cell: booleans as yes/no, lists joined, flag objects as their true keys. */
export function cell(v: unknown): string {
  if (v === undefined || v === null) return '-';
  if (typeof v === 'boolean') return v ? 'yes' : 'no';
  if (Array.isArray(v)) return v.length === 0 ? '-' : v.map(cell).join(',');
  if (typeof v === 'object') {
    const entries = Object.entries(v as Row);
    if (entries.length === 0) return '-';
    if (entries.every(([, x]) => typeof x === 'boolean'))
      return (
        entries
          .filter(([, x]) => x)
          .map(([k]) => k)
          .join(',') || '-'
      );
    return entries.map(([k, x]) => `${k}=${typeof x === 'object' ? JSON.stringify(x) : String(x)}`).join(' ');
  }
  return String(v);
}

const header = (key: string): string => key.replace(/([a-z])([A-Z])/g, '$1 $2').toUpperCase();

export function table(rows: Row[], columns?: string[]): string {
  const cols = columns ?? [...new Set(rows.flatMap((r) => Object.keys(r)))];
  if (rows.length === 0) return '(none)\n';
  const cells = [cols.map(header), ...rows.map((r) => cols.map((c) => cell(r[c])))];
  const widths = cols.map((_, i) => Math.max(...cells.map((line) => (line[i] ?? '').length)));
  return `${cells.map((line) => line.map((c, i) => (i === line.length - 1 ? c : c.padEnd(widths[i] ?? 0))).join('  ')).join('\n')}\n`;
}

/** A single record as KEY: value lines. */
export function record(row: Row, keys?: string[]): string {
  const ks = keys ?? Object.keys(row);
  const w = Math.max(...ks.map((k) => header(k).length));
  return `${ks.map((k) => `${`${header(k)}:`.padEnd(w + 2)}${cell(row[k])}`).join('\n')}\n`;
}

export function render(value: unknown, format: OutputFormat, columns?: string[]): string {
  if (format === 'json') return `${JSON.stringify(value ?? null, null, 2)}\n`;
  if (format === 'yaml') return stringify(value ?? null);
  if (value === undefined || value === null) return '';
  if (Array.isArray(value)) return table(value as Row[], columns);
  if (typeof value === 'object') return record(value as Row);
  return `${String(value)}\n`;
}
