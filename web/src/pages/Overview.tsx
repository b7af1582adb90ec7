// The overview (GET /api/v1/posture/overview): the secure score with its controls, its 30-day
// trend, unhealthy resources by type, alerts per day of the last 14 days by priority, and the
// recommendations that would raise the score most.
import type { PostureOverview } from '../api/types';
import { ScoreRing, StackedBars, TrendChart, type StackedBar } from '../charts/charts';
import { useApp } from '../components/context';
import { formatCount, formatTime } from '../components/format';
import { SeverityBadge } from '../components/Severity';
import { LoadError, Loading } from '../components/Status';
import { Table, type Column } from '../components/Table';
import { useLoad } from '../components/useLoad';

const DAY_MS = 86_400_000;
// Falco's priorities in three groups, drawn as three colours and named in the legend.
const GROUPS: { key: string; label: string; priorities: string[] }[] = [
  {
    key: 'critical',
    label: 'Emergency, Alert, Critical',
    priorities: ['emergency', 'alert', 'critical'],
  },
  { key: 'high', label: 'Error, Warning', priorities: ['error', 'warning'] },
  {
    key: 'negligible',
    label: 'Notice and below',
    priorities: ['notice', 'informational', 'debug'],
  },
];

function percentText(percent: number | null): string {
  return percent === null ? 'not evaluated yet' : `${percent.toFixed(1)}%`;
}

export function alertBars(overview: PostureOverview): StackedBar[] {
  const start = Math.floor(overview.alerts.since / DAY_MS) * DAY_MS;
  const bars: StackedBar[] = [];
  for (let day = start; day <= Date.now(); day += DAY_MS) {
    const parts = GROUPS.map((group) => ({
      key: group.key,
      value: overview.alerts.days
        .filter((d) => d.day === day && group.priorities.includes(d.priority.toLowerCase()))
        .reduce((sum, d) => sum + d.count, 0),
    }));
    bars.push({ label: new Date(day).toISOString().slice(5, 10), parts });
  }
  return bars;
}

type Control = PostureOverview['score']['controls'][number];
type Rec = PostureOverview['top_recommendations'][number];

export function OverviewPage() {
  const { api } = useApp();
  const loaded = useLoad('overview', (signal) =>
    api.get<PostureOverview>('/api/v1/posture/overview', undefined, { signal }),
  );
  const data = loaded.data;
  const score = data?.score;
  const trend = (data?.trend ?? []).filter((p) => p.control === 'total');
  const bars = data ? alertBars(data) : [];
  const alertTotal = bars.reduce((s, b) => s + b.parts.reduce((t, p) => t + p.value, 0), 0);

  const controlColumns: Column<Control>[] = [
    { key: 'title', label: 'Control', rowHeader: true, render: (c) => c.title },
    {
      key: 'score',
      label: 'Score',
      numeric: true,
      render: (c) => (c.applicable ? `${c.score.toFixed(1)} of ${c.max}` : 'not applicable'),
    },
    {
      key: 'unhealthy',
      label: 'Unhealthy',
      numeric: true,
      render: (c) => formatCount(c.unhealthy),
    },
    { key: 'healthy', label: 'Healthy', numeric: true, render: (c) => formatCount(c.healthy) },
    { key: 'exempt', label: 'Exempt', numeric: true, render: (c) => formatCount(c.exempt) },
    {
      key: 'not_evaluated',
      label: 'Not evaluated',
      numeric: true,
      render: (c) => formatCount(c.not_evaluated),
    },
  ];
  const recColumns: Column<Rec>[] = [
    { key: 'title', label: 'Recommendation', rowHeader: true, render: (r) => r.title },
    { key: 'severity', label: 'Severity', render: (r) => <SeverityBadge severity={r.severity} /> },
    {
      key: 'unhealthy',
      label: 'Unhealthy resources',
      numeric: true,
      render: (r) => formatCount(r.counts.unhealthy),
    },
    {
      key: 'potential',
      label: 'Score increase',
      numeric: true,
      render: (r) => `+${r.potential.toFixed(1)}%`,
    },
  ];
  const byType = Object.entries(data?.unhealthy_by_type ?? {})
    .filter(([, n]) => n > 0)
    .sort((a, b) => b[1] - a[1]);

  return (
    <>
      <h1 tabIndex={-1}>Overview</h1>
      <Loading loading={loaded.loading} />
      <LoadError error={loaded.error} />
      {data && score && (
        <div class="tiles">
          <section class="tile" aria-labelledby="score-h">
            <h2 id="score-h">Secure score</h2>
            <div class="score">
              <ScoreRing
                percent={score.percent}
                label={`Secure score ${percentText(score.percent)}`}
              />
              <p>
                <strong>{percentText(score.percent)}</strong>
                <br />
                {score.points.toFixed(1)} of {score.max} points
              </p>
            </div>
          </section>
          <section class="tile wide" aria-labelledby="trend-h">
            <h2 id="trend-h">Score, last 30 days</h2>
            <TrendChart
              points={trend}
              label={
                trend.length
                  ? `Secure score from ${formatTime(trend[0].at)} (${percentText(trend[0].percent)}) to ${formatTime(trend[trend.length - 1].at)} (${percentText(trend[trend.length - 1].percent)})`
                  : 'No history yet'
              }
            />
          </section>
          <section class="tile" aria-labelledby="types-h">
            <h2 id="types-h">Unhealthy resources</h2>
            {byType.length === 0 ? (
              <p>None.</p>
            ) : (
              <table class="compact">
                <caption class="visually-hidden">Unhealthy resources by type</caption>
                <thead>
                  <tr>
                    <th scope="col">Type</th>
                    <th scope="col" class="num">
                      Unhealthy
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {byType.map(([type, n]) => (
                    <tr key={type}>
                      <th scope="row">{type}</th>
                      <td class="num">{formatCount(n)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
          </section>
          <section class="tile wide" aria-labelledby="alerts-h">
            <h2 id="alerts-h">Alerts per day, last 14 days</h2>
            <StackedBars
              bars={bars}
              label={`${formatCount(alertTotal)} alerts in the last 14 days, by day and priority`}
            />
            <ul class="legend">
              {GROUPS.map((g) => (
                <li key={g.key}>
                  <span class={`swatch fill-${g.key}`} aria-hidden="true" /> {g.label}
                </li>
              ))}
            </ul>
            {data.alerts.truncated && (
              <p class="muted">Counted from the newest 10,000 alerts only.</p>
            )}
            <details>
              <summary>Alerts per day as a table</summary>
              <table class="compact">
                <caption class="visually-hidden">Alerts per day and priority group</caption>
                <thead>
                  <tr>
                    <th scope="col">Day</th>
                    {GROUPS.map((g) => (
                      <th key={g.key} scope="col" class="num">
                        {g.label}
                      </th>
                    ))}
                  </tr>
                </thead>
                <tbody>
                  {bars.map((b) => (
                    <tr key={b.label}>
                      <th scope="row">{b.label}</th>
                      {b.parts.map((p) => (
                        <td key={p.key} class="num">
                          {formatCount(p.value)}
                        </td>
                      ))}
                    </tr>
                  ))}
                </tbody>
              </table>
            </details>
          </section>
        </div>
      )}
      {data && (
        <>
          <h2>Top recommendations</h2>
          <Table
            caption="The recommendations that would raise the score most"
            columns={recColumns}
            rows={data.top_recommendations}
            rowKey={(r) => r.id}
            empty="Nothing to recommend: every evaluated resource is healthy."
          />
          <h2>Controls</h2>
          <Table
            caption="The secure score by control"
            columns={controlColumns}
            rows={score?.controls ?? []}
            rowKey={(c) => c.id}
          />
        </>
      )}
    </>
  );
}
