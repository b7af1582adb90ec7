// Severities and priorities as text with a shape, never colour alone; counts as numbers with a
// small stacked bar beside them.
import type { Counts, Severity } from '../api/types';
import { barSegments } from '../charts/scale';
import { formatCount } from './format';

const SHAPE: Record<Severity, string> = {
  critical: '◆',
  high: '▲',
  medium: '●',
  low: '▼',
  negligible: '○',
  unknown: '?',
};

export function SeverityBadge({ severity }: { severity: Severity }) {
  return (
    <span class={`sev sev-${severity}`}>
      <span aria-hidden="true">{SHAPE[severity]} </span>
      {severity}
    </span>
  );
}

const BAR_KEYS: Severity[] = ['critical', 'high', 'medium', 'low', 'negligible', 'unknown'];

export function countsText(counts: Counts): string {
  const parts = BAR_KEYS.filter((key) => counts[key] > 0).map(
    (key) => `${formatCount(counts[key])} ${key}`,
  );
  return parts.length ? parts.join(', ') : 'no findings';
}

// A 100-unit bar of the counts; its text alternative lists them.
export function CountsBar({ counts }: { counts: Counts }) {
  const segments = barSegments(
    BAR_KEYS.map((key) => ({ key, value: counts[key] })),
    100,
  );
  return (
    <svg
      class="bar"
      viewBox="0 0 100 8"
      preserveAspectRatio="none"
      role="img"
      aria-label={countsText(counts)}
    >
      {segments.length === 0 ? (
        <rect class="bar-none" x="0" y="0" width="100" height="8" />
      ) : (
        segments.map((s) => (
          <rect key={s.key} class={`fill-${s.key}`} x={s.x} y="0" width={s.width} height="8" />
        ))
      )}
    </svg>
  );
}

export function PriorityBadge({ priority }: { priority: string }) {
  const level = priority.toLowerCase();
  const urgent = ['emergency', 'alert', 'critical'].includes(level);
  const serious = ['error', 'warning'].includes(level);
  return (
    <span class={`prio ${urgent ? 'prio-urgent' : serious ? 'prio-serious' : 'prio-info'}`}>
      <span aria-hidden="true">{urgent ? '◆ ' : serious ? '▲ ' : '● '}</span>
      {priority}
    </span>
  );
}

// A resource's or assessment's health as a word with a shape: ✕ unhealthy, ✓ healthy, – the rest.
const HEALTH_SHAPE: Record<string, [string, string]> = {
  unhealthy: ['✕', 'sev-high'],
  healthy: ['✓', 'health-ok'],
  'not-evaluated': ['?', 'sev-unknown'],
  'not-applicable': ['–', 'sev-unknown'],
  exempt: ['⊘', 'sev-unknown'],
};

export function HealthBadge({ health }: { health: string }) {
  const [shape, style] = HEALTH_SHAPE[health] ?? ['?', 'sev-unknown'];
  return (
    <span class={`sev ${style}`}>
      <span aria-hidden="true">{shape} </span>
      {health.replace('-', ' ')}
    </span>
  );
}
