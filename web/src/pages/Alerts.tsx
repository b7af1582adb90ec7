// Security alerts, newest first: filters in the hash (priority, status, time, rule, host,
// namespace, resource), pages linked by the server's cursor (kept here, so "Newer" goes back),
// and one alert's details with every event field in a dialog, where an admin sets its status.
// `alert=<id>` in the hash opens that alert's details (the resource page links there).
import { useEffect, useState } from 'preact/hooks';
import {
  ALERT_STATUSES,
  PRIORITIES,
  type Alert,
  type AlertPage,
  type AlertStatus,
} from '../api/types';
import { useApp } from '../components/context';
import { Dialog } from '../components/Dialog';
import { formatTime } from '../components/format';
import { PagedTable } from '../components/PagedTable';
import {
  cursorCurrent,
  cursorFor,
  cursorNewer,
  cursorOlder,
  cursorStart,
} from '../components/paging';
import { PriorityBadge } from '../components/Severity';
import { LoadError, Loading } from '../components/Status';
import type { Column } from '../components/Table';
import { useLoad } from '../components/useLoad';
import { formatHash, withQuery } from '../state/hash';
import { isResourceId } from '../state/posture';

const LIMIT = 100;
const WINDOWS: { value: string; label: string }[] = [
  { value: '', label: 'any time' },
  { value: '1h', label: 'last hour' },
  { value: '24h', label: 'last 24 hours' },
  { value: '7d', label: 'last 7 days' },
  { value: '30d', label: 'last 30 days' },
];
const TEXT_FILTERS: { key: string; label: string }[] = [
  { key: 'rule', label: 'Rule' },
  { key: 'host', label: 'Host' },
  { key: 'namespace', label: 'Namespace' },
];

export function AlertsPage() {
  const { api, route } = useApp();
  const query = route.query;
  const priority = PRIORITIES.map((p) => p.toLowerCase()).includes(query.priority_min ?? '')
    ? query.priority_min
    : '';
  const since = WINDOWS.some((w) => w.value === query.since) ? query.since : '';
  const status = ALERT_STATUSES.includes(query.status as AlertStatus) ? query.status : '';
  const filters = {
    priority_min: priority,
    status,
    since,
    rule: query.rule ?? '',
    host: query.host ?? '',
    namespace: query.namespace ?? '',
    resource: isResourceId(query.resource ?? '') ? (query.resource as string) : '',
  };
  const filterKey = JSON.stringify(filters);
  // The cursor of each page so far; other filters start again at page one.
  const [stack, setStack] = useState(() => cursorStart(filterKey));
  const pages = cursorFor(stack, filterKey);
  const cursor = cursorCurrent(pages);
  // Alerts whose status was set here since the page loaded.
  const [changed, setChanged] = useState<Record<string, Alert>>({});
  const [drafts, setDrafts] = useState<Record<string, string>>(filters);
  useEffect(() => setDrafts(filters), [filterKey]);
  const [open, setOpen] = useState<Alert | null>(null);
  // An alert named in the hash (a link from elsewhere) opens too.
  const linked = query.alert && !open ? query.alert : '';

  const loaded = useLoad(`alerts:${filterKey}:${cursor}`, (signal) =>
    api.get<AlertPage>('/api/v1/alerts', { ...filters, limit: LIMIT, cursor }, { signal }),
  );
  const alerts = (loaded.data?.alerts ?? []).map((a) => changed[a.alert_id] ?? a);
  const next = loaded.data?.next_cursor ?? null;
  const hasStatus = alerts.some((a) => typeof a.status === 'string');

  const columns: Column<Alert>[] = [
    { key: 'time', label: 'Time', nowrap: true, render: (a) => formatTime(a.time_ms) },
    { key: 'priority', label: 'Priority', render: (a) => <PriorityBadge priority={a.priority} /> },
    {
      key: 'rule',
      label: 'Rule',
      rowHeader: true,
      render: (a) => (
        <button type="button" class="link" onClick={() => setOpen(a)}>
          {a.rule}
        </button>
      ),
    },
    { key: 'host', label: 'Host', render: (a) => a.hostname || '—' },
    { key: 'where', label: 'Container or pod', render: (a) => where(a) },
    ...(hasStatus
      ? [{ key: 'status', label: 'Status', render: (a: Alert) => a.status ?? '—' }]
      : []),
    { key: 'output', label: 'Output', render: (a) => <span class="clip">{a.output}</span> },
  ];

  function apply(event: Event) {
    event.preventDefault();
    const changes: Record<string, string> = {};
    for (const { key } of TEXT_FILTERS) changes[key] = (drafts[key] ?? '').trim();
    window.location.hash = withQuery(route, changes);
  }

  return (
    <>
      <h1 tabIndex={-1}>Security alerts</h1>
      <form class="filters" role="search" aria-label="Filter alerts" onSubmit={apply}>
        <div class="field">
          <label for="a-priority">Minimum priority</label>
          <select
            id="a-priority"
            value={priority}
            onChange={(e) =>
              (window.location.hash = withQuery(route, {
                priority_min: (e.target as HTMLSelectElement).value,
              }))
            }
          >
            <option value="">any</option>
            {PRIORITIES.map((p) => (
              <option key={p} value={p.toLowerCase()}>
                {p}
              </option>
            ))}
          </select>
        </div>
        <div class="field">
          <label for="a-status">Status</label>
          <select
            id="a-status"
            value={status}
            onChange={(e) =>
              (window.location.hash = withQuery(route, {
                status: (e.target as HTMLSelectElement).value,
              }))
            }
          >
            <option value="">any</option>
            {ALERT_STATUSES.map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
          </select>
        </div>
        <div class="field">
          <label for="a-since">Time</label>
          <select
            id="a-since"
            value={since}
            onChange={(e) =>
              (window.location.hash = withQuery(route, {
                since: (e.target as HTMLSelectElement).value,
              }))
            }
          >
            {WINDOWS.map((w) => (
              <option key={w.value} value={w.value}>
                {w.label}
              </option>
            ))}
          </select>
        </div>
        {TEXT_FILTERS.map(({ key, label }) => (
          <div class="field" key={key}>
            <label for={`a-${key}`}>{label}</label>
            <input
              id={`a-${key}`}
              type="search"
              maxLength={256}
              value={drafts[key] ?? ''}
              onInput={(e) => setDrafts({ ...drafts, [key]: (e.target as HTMLInputElement).value })}
            />
          </div>
        ))}
        <button type="submit">Filter</button>
      </form>
      {filters.resource && (
        <p class="notice">
          Only the alerts of resource{' '}
          <a href={formatHash(['resources', filters.resource])}>{filters.resource}</a>.{' '}
          <a href={withQuery(route, { resource: '', alert: '' })}>Show all alerts</a>
        </p>
      )}
      <PagedTable
        caption="Alerts, newest first"
        columns={columns}
        rows={alerts}
        rowKey={(a) => a.alert_id}
        loaded={loaded}
        empty="No alerts match."
        paging={{
          kind: 'cursor',
          page: pages.cursors.length,
          hasOlder: Boolean(next),
          label: 'alerts',
          onNewer: () => setStack(cursorNewer(pages)),
          onOlder: () => setStack(cursorOlder(pages, next)),
        }}
      />
      {open && (
        <AlertDialog
          id={open.alert_id}
          alert={changed[open.alert_id] ?? open}
          onClose={() => setOpen(null)}
          onChanged={(a) => setChanged({ ...changed, [a.alert_id]: a })}
        />
      )}
      {linked && (
        <AlertDialog
          id={linked}
          alert={changed[linked] ?? alerts.find((a) => a.alert_id === linked) ?? null}
          onClose={() => (window.location.hash = withQuery(route, { alert: '' }))}
          onChanged={(a) => setChanged({ ...changed, [a.alert_id]: a })}
        />
      )}
    </>
  );
}

function where(a: Alert): string {
  if (a.k8s_pod) return `${a.k8s_ns ? `${a.k8s_ns}/` : ''}${a.k8s_pod}`;
  if (a.container_image || a.container_id) return a.container_image || a.container_id.slice(0, 12);
  return '—';
}

function fieldText(value: unknown): string {
  if (value === null || value === undefined) return '—';
  return typeof value === 'string' ? value : JSON.stringify(value);
}

interface AlertDialogProps {
  id: string;
  alert: Alert | null; // the list's copy, when the list has it
  onClose: () => void;
  onChanged: (alert: Alert) => void;
}

function AlertDialog({ id, alert, onClose, onChanged }: AlertDialogProps) {
  const { api } = useApp();
  const path = `/api/v1/alerts/${encodeURIComponent(id)}`;
  // The list's copy is complete; the alert's own route has its latest status.
  const loaded = useLoad(`alert:${id}`, (signal) => api.get<Alert>(path, undefined, { signal }));
  const [saved, setSaved] = useState<Alert | null>(null);
  const a = saved ?? loaded.data ?? alert;
  // One dialog from the start (an alert opened by a link has no copy until it loads).
  return (
    <Dialog title={a ? a.rule : 'Alert'} onClose={onClose}>
      <LoadError error={loaded.error} />
      {a ? (
        <AlertDetails
          alert={a}
          path={path}
          onSaved={(updated) => {
            setSaved(updated);
            onChanged(updated);
          }}
        />
      ) : (
        <Loading loading={loaded.loading} />
      )}
    </Dialog>
  );
}

interface AlertDetailsProps {
  alert: Alert;
  path: string;
  onSaved: (alert: Alert) => void;
}

function AlertDetails({ alert: a, path, onSaved }: AlertDetailsProps) {
  const { api, user } = useApp();
  const facts: [string, string][] = [
    ['Time', `${a.time} (received ${formatTime(a.received_ms)})`],
    ['Priority', a.priority],
    ['Rule id', a.rule_id || '—'],
    ['Source', a.source],
    ['Host', a.hostname || '—'],
    ['Agent', a.agent || '—'],
    ['Container', [a.container_image, a.container_id].filter(Boolean).join(' ') || '—'],
    ['Kubernetes', a.k8s_pod ? `${a.k8s_ns}/${a.k8s_pod}` : a.k8s_ns || '—'],
    ['Tags', a.tags.length ? a.tags.join(', ') : '—'],
  ];
  if (typeof a.status === 'string') {
    const by = a.status_by ? ` (set by ${a.status_by}, ${formatTime(a.status_at)})` : '';
    facts.splice(2, 0, ['Status', `${a.status}${by}`]);
  }
  if (a.simulated) facts.push(['Simulated', 'yes: raised by a simulation, not a real event']);
  const fields = Object.entries(a.output_fields).sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0));
  return (
    <>
      <p class="output">{a.output}</p>
      <dl class="facts">
        {facts.map(([k, v]) => (
          <div key={k}>
            <dt>{k}</dt>
            <dd>{k === 'Priority' ? <PriorityBadge priority={v} /> : v}</dd>
          </div>
        ))}
      </dl>
      {user?.role === 'admin' && typeof a.status === 'string' && (
        <Triage
          alert={a}
          save={async (status, comment) => {
            const updated = await api.put<Alert>(`${path}/status`, { status, comment });
            onSaved(updated);
          }}
        />
      )}
      <h3>Event fields</h3>
      {fields.length === 0 ? (
        <p>None.</p>
      ) : (
        <table class="fields">
          <caption class="visually-hidden">Event fields of this alert</caption>
          <thead>
            <tr>
              <th scope="col">Field</th>
              <th scope="col">Value</th>
            </tr>
          </thead>
          <tbody>
            {fields.map(([k, v]) => (
              <tr key={k}>
                <th scope="row">
                  <code>{k}</code>
                </th>
                <td>
                  <code class="wrap">{fieldText(v)}</code>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}

// An admin's status change: new, active, dismissed, resolved, with an optional comment.
function Triage({
  alert,
  save,
}: {
  alert: Alert;
  save: (status: AlertStatus, comment: string) => Promise<void>;
}) {
  const [status, setStatus] = useState<AlertStatus>(alert.status ?? 'new');
  const [comment, setComment] = useState('');
  const [message, setMessage] = useState('');
  const [busy, setBusy] = useState(false);
  async function submit(event: Event) {
    event.preventDefault();
    setBusy(true);
    setMessage('');
    try {
      await save(status, comment.trim());
      setMessage(`Saved: the alert is ${status}.`);
      setComment('');
    } catch (error) {
      setMessage(`Not saved: ${error instanceof Error ? error.message : String(error)}`);
    } finally {
      setBusy(false);
    }
  }
  return (
    <form class="triage" onSubmit={submit} aria-label="Set the alert's status">
      <div class="field">
        <label for="t-status">Status</label>
        <select
          id="t-status"
          value={status}
          onChange={(e) => setStatus((e.target as HTMLSelectElement).value as AlertStatus)}
        >
          {ALERT_STATUSES.map((s) => (
            <option key={s} value={s}>
              {s}
            </option>
          ))}
        </select>
      </div>
      <div class="field">
        <label for="t-comment">Comment (optional)</label>
        <textarea
          id="t-comment"
          rows={2}
          maxLength={1000}
          value={comment}
          onInput={(e) => setComment((e.target as HTMLTextAreaElement).value)}
        />
      </div>
      <button type="submit" disabled={busy}>
        {busy ? 'Saving…' : 'Save status'}
      </button>
      <p role="status" class="help">
        {message}
      </p>
    </form>
  );
}
