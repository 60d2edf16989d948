/** A small live line chart in plain SVG: fixed time span, labelled units, current values. */
import { useEffect, useId, useRef, useState } from 'react';

export interface Series {
  name: string;
  /** CSS class giving the stroke colour (series-read, series-write, series-ops, ...). */
  className: string;
  values: number[];
}

export interface LineChartProps {
  title: string;
  series: Series[];
  /** How many seconds the x axis spans; values are one per second, newest last. */
  span: number;
  format: (v: number) => string;
  testId?: string;
  height?: number;
}

const PAD_L = 64;
const PAD_R = 8;
const PAD_T = 8;
const PAD_B = 22;

/** 1, 2, 5 x 10^n at or above v. */
export function niceMax(v: number): number {
  if (!(v > 0)) return 1;
  const p = 10 ** Math.floor(Math.log10(v));
  for (const m of [1, 2, 5, 10]) if (m * p >= v) return m * p;
  return 10 * p;
}

/** Axis labels: just 0 while idle (halves of a nominal 1 would read "1 B/s, 1 B/s, 0 B/s"). */
export function axisTicks(max: number): number[] {
  if (!(max > 0)) return [0];
  const top = niceMax(max);
  return [0, top / 2, top];
}

/** The rendered width of an element (so SVG text is never stretched). */
function useWidth(initial: number) {
  const ref = useRef<HTMLDivElement>(null);
  const [w, setW] = useState(initial);
  useEffect(() => {
    const el = ref.current;
    if (!el || typeof ResizeObserver === 'undefined') return;
    const ro = new ResizeObserver(([e]) => {
      const cw = Math.round(e?.contentRect.width ?? 0);
      if (cw > 0) setW(cw);
    });
    ro.observe(el);
    return () => ro.disconnect();
  }, []);
  return [ref, w] as const;
}

export function LineChart({ title, series, span, format, testId, height = 170 }: LineChartProps) {
  const id = useId();
  const [box, W] = useWidth(640);
  const H = height;
  const all = series.flatMap((s) => s.values);
  const max = Math.max(0, ...all);
  const top = niceMax(max);
  const plotW = W - PAD_L - PAD_R;
  const plotH = H - PAD_T - PAD_B;
  const x = (i: number, n: number) => PAD_L + plotW - ((n - 1 - i) / Math.max(1, span - 1)) * plotW;
  const y = (v: number) => PAD_T + plotH - (v / top) * plotH;
  const ticks = axisTicks(max);
  const last = series.map((s) => s.values[s.values.length - 1] ?? 0);
  const summary = series.map((s, i) => `${s.name} ${format(last[i] ?? 0)}`).join(', ');
  return (
    <figure
      className="chart"
      data-testid={testId}
      data-max={max}
      data-last={last.join(',')}
      aria-labelledby={`${id}-t`}
    >
      <figcaption id={`${id}-t`}>
        <span className="chart-title">{title}</span>
        <span className="chart-legend">
          {series.map((s, i) => (
            <span key={s.name} className={`legend ${s.className}`}>
              <span className="swatch" aria-hidden="true" /> {s.name} <strong>{format(last[i] ?? 0)}</strong>
            </span>
          ))}
        </span>
      </figcaption>
      <div ref={box} className="chart-box">
        <svg width={W} height={H} viewBox={`0 0 ${W} ${H}`} role="img" aria-label={`${title}: ${summary}`}>
          {ticks.map((t) => (
            <g key={t} className="grid">
              <line x1={PAD_L} x2={W - PAD_R} y1={y(t)} y2={y(t)} />
              <text x={PAD_L - 6} y={y(t) + 4} textAnchor="end">
                {format(t)}
              </text>
            </g>
          ))}
          <text className="axis" x={PAD_L} y={H - 6}>
            {span >= 120 ? `${Math.round(span / 60)} min ago` : `${span} s ago`}
          </text>
          <text className="axis" x={W - PAD_R} y={H - 6} textAnchor="end">
            now
          </text>
          {series.map((s) => {
            const n = s.values.length;
            if (n === 0) return null;
            const pts = s.values.map((v, i) => `${x(i, n).toFixed(1)},${y(v).toFixed(1)}`).join(' ');
            return <polyline key={s.name} className={`line ${s.className}`} points={pts} fill="none" />;
          })}
        </svg>
      </div>
    </figure>
  );
}

/** A tiny trend line for tables. */
export function Sparkline({ values, className }: { values: number[]; className: string }) {
  const w = 120;
  const h = 24;
  const top = niceMax(Math.max(0, ...values));
  const n = values.length;
  const pts = values
    .map((v, i) => `${((i / Math.max(1, n - 1)) * w).toFixed(1)},${(h - 1 - (v / top) * (h - 2)).toFixed(1)}`)
    .join(' ');
  return (
    <svg className="sparkline" viewBox={`0 0 ${w} ${h}`} aria-hidden="true" preserveAspectRatio="none">
      {n > 1 && <polyline className={`line ${className}`} points={pts} fill="none" />}
    </svg>
  );
}
