/**
 * Charts drawn as SVG in the page (no chart library): grouped bars, a daily column series and
 * percentage bars. Each has a title and a text summary for screen readers.
 */
import { useId } from 'react';

export interface BarSeries {
  label: string;
  className: string;
  values: number[];
}

export function BarChart({ title, categories, series, height = 220 }: { title: string; categories: string[]; series: BarSeries[]; height?: number }) {
  const id = useId();
  const width = 560;
  const pad = { left: 36, right: 12, top: 16, bottom: 60 };
  const max = Math.max(1, ...series.flatMap((s) => s.values));
  const innerW = width - pad.left - pad.right;
  const innerH = height - pad.top - pad.bottom;
  const groupW = categories.length ? innerW / categories.length : innerW;
  const barW = Math.max(4, Math.min(28, (groupW - 8) / Math.max(1, series.length)));
  const ticks = niceTicks(max);
  // Crowded axes rotate their labels and show every few.
  const rotate = categories.length > 5;
  const labelEvery = Math.max(1, Math.ceil(categories.length / 12));
  const y = (v: number) => pad.top + innerH - (v / ticks[ticks.length - 1]) * innerH;
  const summary = categories.map((c, i) => `${c}: ${series.map((s) => `${s.label} ${s.values[i] ?? 0}`).join(', ')}`).join('; ');
  return (
    <figure className="chart">
      <svg viewBox={`0 0 ${width} ${height}`} role="img" aria-labelledby={`${id}-t ${id}-d`}>
        <title id={`${id}-t`}>{title}</title>
        <desc id={`${id}-d`}>{summary || '—'}</desc>
        {ticks.map((tk) => (
          <g key={tk}>
            <line x1={pad.left} x2={width - pad.right} y1={y(tk)} y2={y(tk)} className="grid" />
            <text x={pad.left - 6} y={y(tk) + 4} textAnchor="end" className="axis">{tk}</text>
          </g>
        ))}
        {categories.map((c, i) => {
          const x0 = pad.left + i * groupW + (groupW - barW * series.length) / 2;
          return (
            <g key={c}>
              {series.map((s, j) => {
                const v = s.values[i] ?? 0;
                return (
                  <rect key={s.label} x={x0 + j * barW} y={y(v)} width={barW - 2} height={Math.max(0, pad.top + innerH - y(v))} className={s.className}>
                    <title>{`${c} · ${s.label}: ${v}`}</title>
                  </rect>
                );
              })}
              {i % labelEvery === 0 && (
                <text x={pad.left + i * groupW + groupW / 2} y={height - pad.bottom + 14} textAnchor={rotate ? 'end' : 'middle'}
                  transform={rotate ? `rotate(-30 ${pad.left + i * groupW + groupW / 2} ${height - pad.bottom + 14})` : undefined} className="axis">
                  {c.length > 9 ? `${c.slice(0, 9)}…` : c}
                </text>
              )}
            </g>
          );
        })}
      </svg>
      <figcaption>
        <strong>{title}</strong>
        <span className="legend">{series.map((s) => <span key={s.label}><i className={`swatch ${s.className}`} aria-hidden="true" />{s.label}</span>)}</span>
      </figcaption>
    </figure>
  );
}

/** Percentages (0–1) per category as horizontal bars. */
export function RateBars({ title, rows }: { title: string; rows: { label: string; value: number | null }[] }) {
  const id = useId();
  const width = 560;
  const rowH = 26;
  const labelW = 200;
  const height = Math.max(40, rows.length * rowH + 10);
  return (
    <figure className="chart">
      <svg viewBox={`0 0 ${width} ${height}`} role="img" aria-labelledby={`${id}-t ${id}-d`}>
        <title id={`${id}-t`}>{title}</title>
        <desc id={`${id}-d`}>{rows.map((r) => `${r.label}: ${r.value === null ? '—' : `${Math.round(r.value * 100)}%`}`).join('; ')}</desc>
        {rows.map((r, i) => {
          const w = r.value === null ? 0 : r.value * (width - labelW - 60);
          return (
            <g key={r.label} transform={`translate(0 ${i * rowH + 5})`}>
              <text x={labelW - 8} y={16} textAnchor="end" className="axis">{r.label.length > 14 ? `${r.label.slice(0, 14)}…` : r.label}</text>
              <rect x={labelW} y={4} width={width - labelW - 60} height={16} className="track" />
              <rect x={labelW} y={4} width={w} height={16} className={r.value !== null && r.value < 0.8 ? 'bar-warning' : 'bar-ok'} />
              <text x={width - 52} y={16} className="axis">{r.value === null ? '—' : `${(r.value * 100).toFixed(1)}%`}</text>
            </g>
          );
        })}
      </svg>
      <figcaption><strong>{title}</strong></figcaption>
    </figure>
  );
}

function niceTicks(max: number): number[] {
  const steps = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000];
  const step = steps.find((s) => max / s <= 5) ?? Math.ceil(max / 5);
  const top = Math.ceil(max / step) * step;
  const out: number[] = [];
  for (let v = 0; v <= top; v += step) out.push(v);
  return out;
}
