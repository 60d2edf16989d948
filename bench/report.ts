// What every benchmark here prints: medians over rounds, ratios to the reference server, and
// a Markdown table (pasted as is into issue notes and READMEs).

/** A figure with its unit: rates as whole numbers, MB/s and ms with one decimal, seconds with two. */
export function fmt(v: number | undefined, unit: string): string {
  if (v === undefined) return 'n/a';
  const n =
    unit === 's'
      ? v.toFixed(2)
      : unit === 'MB/s' || unit === 'ms'
        ? v.toFixed(1)
        : Math.round(v).toLocaleString('en-US');
  return `${n} ${unit}`;
}

export function median(values: number[] | undefined): number | undefined {
  if (values === undefined || values.length === 0) return undefined;
  const v = [...values].sort((a, b) => a - b);
  const mid = Math.floor(v.length / 2);
  return v.length % 2 === 1 ? v[mid] : (v[mid - 1]! + v[mid]!) / 2;
}

/** `ours / reference` as "0.85x", marked when a lower figure is the better one. */
export function ratioText(ours: number | undefined, reference: number | undefined, higherIsBetter: boolean): string {
  if (ours === undefined || reference === undefined || reference <= 0) return 'n/a';
  const r = ours / reference;
  return `${r < 0.1 ? r.toPrecision(2) : r.toFixed(2)}x${higherIsBetter ? '' : ' (lower is better)'}`;
}

/** A Markdown table: the first row is the header; the first column left-aligned, the rest right. */
export function printTable(rows: string[][]): void {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  const line = (r: string[]): string =>
    `| ${r.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join(' | ')} |`;
  console.log('');
  console.log(line(rows[0]!));
  console.log(`|${widths.map((w, i) => (i === 0 ? '-'.repeat(w + 2) : `${'-'.repeat(w + 1)}:`)).join('|')}|`);
  for (const r of rows.slice(1)) console.log(line(r));
}

/** The figures that failed, after the table. */
export function printFailures(failures: readonly string[]): void {
  if (failures.length === 0) return;
  console.log('\nFailures:');
  for (const f of failures) console.log(`- ${f}`);
}
