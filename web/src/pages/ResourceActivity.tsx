// What happened to one resource: its assessment history (GET …/resources/{id}/history, status
// changes newest first) and its security alerts (GET /api/v1/alerts?resource={id}, the server's
// cursor pages), each a section of the resource page with a paged table.
import { useState } from 'preact/hooks';
import type { Alert, AlertPage, AssessmentChange, AssessmentChangeList } from '../api/types';
import { useApp } from '../components/context';
import { formatTime } from '../components/format';
import { PagedTable } from '../components/PagedTable';
import {
  MAX_ROWS,
  cursorCurrent,
  cursorFor,
  cursorNewer,
  cursorOlder,
  cursorStart,
  prefixPage,
  prefixWindow,
} from '../components/paging';
import { HealthBadge, PriorityBadge } from '../components/Severity';
import type { Column } from '../components/Table';
import { useLoad } from '../components/useLoad';
import { formatHash, intParam, withQuery } from '../state/hash';

// The API's largest `limit`: the history has no offset, so older changes than this are not
// reachable from here (the page says so).
const HISTORY_MAX = 1000;

function Change({ change }: { change: AssessmentChange }) {
  if (change.from === null && change.to === null) return <>—</>;
  if (change.from === null) {
    return (
      <>
        appeared: <HealthBadge health={change.to as string} />
      </>
    );
  }
  if (change.to === null) {
    return (
      <>
        removed (was <HealthBadge health={change.from} />)
      </>
    );
  }
  return (
    <>
      <HealthBadge health={change.from} /> <span aria-hidden="true">→</span>
      <span class="visually-hidden">to</span>
      <HealthBadge health={change.to} />
    </>
  );
}

export function ResourceHistory({ id, path }: { id: string; path: string }) {
  const { api, route } = useApp();
  const wanted = prefixWindow(intParam(route.query, 'history_offset'), MAX_ROWS, HISTORY_MAX);
  const loaded = useLoad(`history:${id}:${wanted.request}`, (signal) =>
    api.get<AssessmentChangeList>(`${path}/history`, { limit: wanted.request }, { signal }),
  );
  const page = prefixPage(loaded.data?.changes ?? [], wanted, MAX_ROWS, HISTORY_MAX);
  const columns: Column<AssessmentChange>[] = [
    { key: 'at', label: 'When', nowrap: true, render: (c) => formatTime(c.at) },
    {
      key: 'recommendation',
      label: 'Recommendation',
      rowHeader: true,
      nowrap: true,
      render: (c) => (
        <a href={formatHash(['recommendations', c.recommendation])}>{c.recommendation}</a>
      ),
    },
    { key: 'source', label: 'Source', render: (c) => c.source || '—' },
    { key: 'change', label: 'Change', render: (c) => <Change change={c} /> },
    { key: 'cause', label: 'Cause', render: (c) => c.cause || '—' },
  ];
  return (
    <section aria-labelledby="history-heading">
      <h2 id="history-heading">History</h2>
      <PagedTable
        caption="Changes of this resource's assessments, newest first"
        columns={columns}
        rows={page.rows}
        rowKey={(c) => String(c.id)}
        loaded={loaded}
        empty="No changes recorded."
        paging={{
          kind: 'offset',
          offset: page.offset,
          limit: MAX_ROWS,
          total: null,
          more: page.more,
          label: 'changes',
          // Keep the assessments' page where it is.
          onOffset: (next) =>
            (window.location.hash = withQuery(route, {
              history_offset: next || '',
              offset: route.query.offset,
            })),
        }}
      />
      {page.capped && (
        <p class="notice">
          The {HISTORY_MAX.toLocaleString('en-US')} newest changes are shown; older ones are not
          listed here.
        </p>
      )}
    </section>
  );
}

export function ResourceAlerts({ id }: { id: string }) {
  const { api } = useApp();
  const [stack, setStack] = useState(() => cursorStart(id));
  const pages = cursorFor(stack, id);
  const cursor = cursorCurrent(pages);
  const loaded = useLoad(`resource-alerts:${id}:${cursor}`, (signal) =>
    api.get<AlertPage>('/api/v1/alerts', { resource: id, limit: MAX_ROWS, cursor }, { signal }),
  );
  const next = loaded.data?.next_cursor ?? null;
  const columns: Column<Alert>[] = [
    { key: 'time', label: 'Time', nowrap: true, render: (a) => formatTime(a.time_ms) },
    { key: 'priority', label: 'Priority', render: (a) => <PriorityBadge priority={a.priority} /> },
    {
      key: 'rule',
      label: 'Rule',
      rowHeader: true,
      render: (a) => (
        <a href={formatHash(['alerts'], { resource: id, alert: a.alert_id })}>{a.rule}</a>
      ),
    },
    { key: 'status', label: 'Status', render: (a) => a.status ?? '—' },
    { key: 'output', label: 'Output', render: (a) => <span class="clip">{a.output}</span> },
  ];
  return (
    <section aria-labelledby="alerts-heading">
      <h2 id="alerts-heading">Alerts</h2>
      <p>
        <a href={formatHash(['alerts'], { resource: id })}>Open these alerts in the alerts page</a>{' '}
        to filter them.
      </p>
      <PagedTable
        caption="Security alerts about this resource, newest first"
        columns={columns}
        rows={loaded.data?.alerts ?? []}
        rowKey={(a) => a.alert_id}
        loaded={loaded}
        empty="No alerts about this resource."
        paging={{
          kind: 'cursor',
          page: pages.cursors.length,
          hasOlder: Boolean(next),
          label: 'alerts',
          onNewer: () => setStack(cursorNewer(pages)),
          onOlder: () => setStack(cursorOlder(pages, next)),
        }}
      />
    </section>
  );
}
