// The arithmetic of our SVG charts, apart from their markup so that it is tested.

// The smallest "nice" number ≥ value (1, 2, 2.5, 5 × a power of ten): the top of an axis.
export function niceMax(value: number): number {
  if (!Number.isFinite(value) || value <= 0) return 1;
  const power = 10 ** Math.floor(Math.log10(value));
  for (const step of [1, 2, 2.5, 5, 10]) {
    const candidate = step * power;
    if (candidate >= value * (1 - 1e-12)) return candidate;
  }
  return 10 * power;
}

// A linear map from [d0, d1] onto [r0, r1]; a zero-width domain maps everything to r0.
export function linearScale(
  domain: [number, number],
  range: [number, number],
): (value: number) => number {
  const [d0, d1] = domain;
  const [r0, r1] = range;
  if (d1 === d0) return () => r0;
  const factor = (r1 - r0) / (d1 - d0);
  return (value) => r0 + (value - d0) * factor;
}

// Ticks of a count axis from 0 to `max` (a niceMax): whole-number steps of 1, 2, 5 × a power of
// ten, four or five of them (fewer when max is below 5: every whole number).
export function countTicks(max: number): number[] {
  if (max <= 5) return ticks(Math.max(1, Math.round(max)), Math.max(1, Math.round(max)));
  const power = 10 ** Math.floor(Math.log10(max));
  const lead = max / power;
  return ticks(max, lead === 2 ? 4 : 5);
}

// `count` + 1 evenly spaced ticks from 0 to max.
export function ticks(max: number, count = 4): number[] {
  const out: number[] = [];
  for (let i = 0; i <= count; i++) out.push((max * i) / count);
  return out;
}

export interface Segment {
  key: string;
  value: number;
  x: number;
  width: number;
}

// A stacked bar of `width` whole units: each non-zero value gets at least one unit and the
// widths add up to exactly `width` (largest remainder), so that no severity disappears and the
// bar never overflows. An all-zero total gives no segments.
export function barSegments(values: { key: string; value: number }[], width: number): Segment[] {
  const shown = values.filter((v) => v.value > 0);
  const total = shown.reduce((sum, v) => sum + v.value, 0);
  if (total <= 0 || width <= 0) return [];
  const minimum = Math.min(1, width / shown.length);
  const spare = width - minimum * shown.length;
  const exact = shown.map((v) => (v.value / total) * spare);
  const widths = exact.map((w) => Math.floor(w));
  let left = spare - widths.reduce((sum, w) => sum + w, 0);
  const byRemainder = exact
    .map((w, i) => ({ i, remainder: w - Math.floor(w) }))
    .sort((a, b) => b.remainder - a.remainder || a.i - b.i);
  for (const { i } of byRemainder) {
    if (left < 1) break;
    widths[i] += 1;
    left -= 1;
  }
  let x = 0;
  return shown.map((v, i) => {
    const segment = { key: v.key, value: v.value, x, width: widths[i] + minimum };
    x += segment.width;
    return segment;
  });
}

// The path of a ring's arc from 12 o'clock clockwise over `fraction` (0..1) of the circle.
export function arcPath(cx: number, cy: number, r: number, fraction: number): string {
  const f = Math.min(Math.max(fraction, 0), 0.9999);
  const angle = 2 * Math.PI * f;
  const x = cx + r * Math.sin(angle);
  const y = cy - r * Math.cos(angle);
  const large = f > 0.5 ? 1 : 0;
  return `M ${cx} ${cy - r} A ${r} ${r} 0 ${large} 1 ${x.toFixed(3)} ${y.toFixed(3)}`;
}
