// Our inline SVG charts: a score ring, a line of the score over time, stacked bars per day.
// Each has a text alternative (role="img" + aria-label) and the numbers are also on the page
// as text or a table, so nothing is told by the drawing alone.
import { arcPath, countTicks, linearScale, niceMax, ticks } from './scale';

export function ScoreRing({ percent, label }: { percent: number | null; label: string }) {
  const fraction = percent === null ? 0 : percent / 100;
  return (
    <svg class="ring" viewBox="0 0 120 120" role="img" aria-label={label}>
      <circle class="ring-track" cx="60" cy="60" r="50" />
      {fraction > 0 &&
        (fraction >= 0.9999 ? (
          <circle class="ring-value" cx="60" cy="60" r="50" />
        ) : (
          <path class="ring-value" d={arcPath(60, 60, 50, fraction)} />
        ))}
      <text class="ring-text" x="60" y="67" text-anchor="middle">
        {percent === null ? '—' : `${Math.round(percent)}%`}
      </text>
    </svg>
  );
}

export interface TrendPoint {
  at: number;
  percent: number | null;
}

// Percent (0–100) over time; points without a percent break the line.
export function TrendChart({ points, label }: { points: TrendPoint[]; label: string }) {
  const width = 480;
  const height = 160;
  const left = 34;
  const bottom = 20;
  const known = points.filter((p) => p.percent !== null);
  if (known.length === 0) return <p class="muted">No history yet.</p>;
  const t0 = Math.min(...points.map((p) => p.at));
  const t1 = Math.max(...points.map((p) => p.at));
  const x = linearScale([t0, t1 === t0 ? t0 + 1 : t1], [left, width - 8]);
  const y = linearScale([0, 100], [height - bottom, 8]);
  let d = '';
  let pen = false;
  for (const p of points) {
    if (p.percent === null) {
      pen = false;
      continue;
    }
    d += `${pen ? 'L' : 'M'} ${x(p.at).toFixed(1)} ${y(p.percent).toFixed(1)} `;
    pen = true;
  }
  return (
    <svg class="chart" viewBox={`0 0 ${width} ${height}`} role="img" aria-label={label}>
      {ticks(100, 4).map((t) => (
        <g key={t}>
          <line class="grid" x1={left} x2={width - 8} y1={y(t)} y2={y(t)} />
          <text class="axis" x={left - 4} y={y(t) + 4} text-anchor="end">
            {t}
          </text>
        </g>
      ))}
      <path class="line" d={d.trim()} />
      {known.length === 1 && (
        <circle class="dot" cx={x(known[0].at)} cy={y(known[0].percent ?? 0)} r="3" />
      )}
    </svg>
  );
}

export interface StackedBar {
  label: string; // "11-24"
  parts: { key: string; value: number }[];
}

export function StackedBars({ bars, label }: { bars: StackedBar[]; label: string }) {
  const width = 480;
  const height = 160;
  const left = 34;
  const bottom = 20;
  const max = niceMax(Math.max(0, ...bars.map((b) => b.parts.reduce((s, p) => s + p.value, 0))));
  const y = linearScale([0, max], [height - bottom, 8]);
  const slot = (width - left - 8) / Math.max(1, bars.length);
  return (
    <svg class="chart" viewBox={`0 0 ${width} ${height}`} role="img" aria-label={label}>
      {countTicks(max).map((t) => (
        <g key={t}>
          <line class="grid" x1={left} x2={width - 8} y1={y(t)} y2={y(t)} />
          <text class="axis" x={left - 4} y={y(t) + 4} text-anchor="end">
            {t}
          </text>
        </g>
      ))}
      {bars.map((bar, i) => {
        let base = 0;
        const bx = left + i * slot + slot * 0.15;
        return (
          <g key={bar.label}>
            {bar.parts.map((part) => {
              if (part.value <= 0) return null;
              const top = y(base + part.value);
              const rect = (
                <rect
                  key={part.key}
                  class={`fill-${part.key}`}
                  x={bx}
                  y={top}
                  width={slot * 0.7}
                  height={y(base) - top}
                />
              );
              base += part.value;
              return rect;
            })}
            {i % Math.ceil(bars.length / 7) === 0 && (
              <text class="axis" x={bx + slot * 0.35} y={height - 5} text-anchor="middle">
                {bar.label}
              </text>
            )}
          </g>
        );
      })}
    </svg>
  );
}
