// Containers (GET /api/v1/posture/resources?type=…): registries, Docker hosts and Kubernetes
// clusters as three tabs (the tab, sort and page live in the hash), each row linking to its
// resource. A resource (GET /api/v1/posture/resources/{id}): where it sits (breadcrumb), what
// the inventory recorded (attrs, labels), its children by health, its recommendations, its
// assessments with their evidence (server-paged, filtered by status), its assessment history and
// its alerts (ResourceActivity.tsx).
import { useRef } from 'preact/hooks';
import {
  HEALTHS,
  type Assessment,
  type AssessmentList,
  type PostureResource,
  type ResourceDetail,
  type ResourceList,
} from '../api/types';
import { Breadcrumb, type Crumb } from '../components/Breadcrumb';
import { useApp } from '../components/context';
import { formatCount, formatTime } from '../components/format';
import { HealthFilter } from '../components/HealthFilter';
import { PagedTable } from '../components/PagedTable';
import { HealthBadge, SeverityBadge } from '../components/Severity';
import { LoadError, Loading } from '../components/Status';
import { Table, type Column } from '../components/Table';
import type { SortState } from '../components/sort';
import { useLoad } from '../components/useLoad';
import { formatHash, withQuery } from '../state/hash';
import {
  RESOURCE_TABS,
  isResourceId,
  resourceListParams,
  statusPageParams,
  tabKeyTarget,
  type ResourceTab,
} from '../state/posture';
import { ResourceAlerts, ResourceHistory } from './ResourceActivity';

const BASE = '/api/v1/posture/resources';

const TAB_LABELS: Record<ResourceTab, string> = {
  registry: 'Registries',
  host: 'Hosts',
  cluster: 'Clusters',
};

// The server's resource sorts, each one way: name A→Z, health worst first, most unhealthy first.
const SORTS: Record<string, SortState> = {
  name: { key: 'name', direction: 'ascending' },
  health: { key: 'health', direction: 'descending' },
  unhealthy: { key: 'unhealthy', direction: 'descending' },
};

function go(hash: string) {
  window.location.hash = hash;
}

function attr(r: PostureResource, key: string): string {
  const value = r.attrs[key];
  return value === undefined || value === '' ? '—' : value;
}

function attrColumn(key: string, label: string, numeric = true): Column<PostureResource> {
  return { key: `attr-${key}`, label, numeric, render: (r) => attr(r, key) };
}

const TYPE_COLUMNS: Record<ResourceTab, Column<PostureResource>[]> = {
  registry: [attrColumn('url', 'URL', false)],
  host: [
    attrColumn('docker_version', 'Docker version', false),
    attrColumn('images', 'Images'),
    attrColumn('containers_running', 'Running containers'),
    {
      key: 'attr-cis_score',
      label: 'CIS score',
      numeric: true,
      render: (r) => (r.attrs.cis_score ? `${r.attrs.cis_score}%` : '—'),
    },
  ],
  cluster: [
    attrColumn('server_version', 'Server version', false),
    attrColumn('namespaces', 'Namespaces'),
    attrColumn('workloads', 'Workloads'),
  ],
};

export function ContainersPage() {
  const { api, route } = useApp();
  const params = resourceListParams(route.query);
  const tab = params.type;
  const tabs = useRef<(HTMLButtonElement | null)[]>([]);
  const loaded = useLoad(`resources:${JSON.stringify(params)}`, (signal) =>
    api.get<ResourceList>(BASE, { ...params }, { signal }),
  );
  const list = loaded.data;

  function select(next: ResourceTab, focus: boolean) {
    // Another tab starts at its first page, sorted by name.
    go(formatHash(route.path, { tab: next === 'registry' ? '' : next }));
    if (focus) tabs.current[RESOURCE_TABS.indexOf(next)]?.focus();
  }

  const columns: Column<PostureResource>[] = [
    {
      key: 'name',
      label: 'Name',
      sortable: true,
      fixedDirection: 'ascending',
      rowHeader: true,
      render: (r) => <a href={formatHash(['resources', r.id])}>{r.name}</a>,
    },
    {
      key: 'health',
      label: 'Health',
      sortable: true,
      fixedDirection: 'descending',
      render: (r) => <HealthBadge health={r.health} />,
    },
    {
      key: 'unhealthy',
      label: 'Unhealthy',
      numeric: true,
      sortable: true,
      fixedDirection: 'descending',
      render: (r) => formatCount(r.unhealthy),
    },
    ...TYPE_COLUMNS[tab],
    { key: 'last_seen', label: 'Last seen', nowrap: true, render: (r) => formatTime(r.last_seen) },
  ];

  return (
    <>
      <h1 tabIndex={-1}>Containers</h1>
      <div class="tabs" role="tablist" aria-label="Kinds of resources">
        {RESOURCE_TABS.map((t, i) => (
          <button
            key={t}
            ref={(el) => {
              tabs.current[i] = el;
            }}
            type="button"
            role="tab"
            id={`tab-${t}`}
            aria-selected={t === tab ? 'true' : 'false'}
            aria-controls="tab-panel"
            tabIndex={t === tab ? 0 : -1}
            onClick={() => t !== tab && select(t, false)}
            onKeyDown={(e) => {
              const target = tabKeyTarget(e.key, i, RESOURCE_TABS.length);
              if (target === null) return;
              e.preventDefault();
              select(RESOURCE_TABS[target], true);
            }}
          >
            {TAB_LABELS[t]}
          </button>
        ))}
      </div>
      <div role="tabpanel" id="tab-panel" aria-labelledby={`tab-${tab}`}>
        <PagedTable
          caption={`${TAB_LABELS[tab]} with their health`}
          columns={columns}
          rows={list?.resources ?? []}
          rowKey={(r) => r.id}
          loaded={loaded}
          sort={SORTS[params.sort || 'name']}
          onSort={(column) =>
            go(withQuery(route, { sort: column.key === 'name' ? '' : column.key }))
          }
          empty={
            tab === 'registry'
              ? 'No registries yet.'
              : tab === 'host'
                ? 'No Docker hosts yet: bulwark bench docker --post sends one.'
                : 'No clusters yet: bulwark bench k8s --post sends one.'
          }
          paging={{
            kind: 'offset',
            offset: params.offset,
            limit: params.limit,
            total: list?.total ?? 0,
            label: TAB_LABELS[tab].toLowerCase(),
            onOffset: (next) => go(withQuery(route, { offset: next || '' })),
          }}
        />
      </div>
    </>
  );
}

function Evidence({ assessment }: { assessment: Assessment }) {
  if (assessment.evidence.length === 0) return <>—</>;
  return (
    <ul class="evidence">
      {assessment.evidence.map((e, i) => (
        <li key={i}>
          {e.observed || '—'}
          {e.where && (
            <>
              {' '}
              at <code class="wrap">{e.where}</code>
            </>
          )}
          {e.expected && <span class="muted"> (expected: {e.expected})</span>}
        </li>
      ))}
    </ul>
  );
}

type ResourceRec = ResourceDetail['recommendations'][number];

export function ResourcePage({ id }: { id: string }) {
  const { api, route } = useApp();
  const valid = isResourceId(id);
  const { status, limit, offset } = statusPageParams(route.query);
  const path = `${BASE}/${encodeURIComponent(id)}`;
  const detail = useLoad(`resource:${id}`, (signal) =>
    api.get<ResourceDetail>(path, undefined, { signal }),
  );
  const assessments = useLoad(`assessments:${id}:${status}:${offset}`, (signal) =>
    api.get<AssessmentList>(`${path}/assessments`, { status, limit, offset }, { signal }),
  );
  const data = detail.data;
  const resource = data?.resource;

  const crumbs: Crumb[] = [{ label: 'Containers', href: formatHash(['containers']) }];
  for (const a of data?.breadcrumb ?? []) {
    crumbs.push({ label: `${a.type} ${a.name}`, href: formatHash(['resources', a.id]) });
  }
  crumbs.push({ label: resource ? `${resource.type} ${resource.name}` : id });

  const recColumns: Column<ResourceRec>[] = [
    {
      key: 'title',
      label: 'Recommendation',
      rowHeader: true,
      render: (r) => (
        <>
          <a href={formatHash(['recommendations', r.id])}>{r.title || r.id}</a>{' '}
          <span class="muted">{r.id}</span>
        </>
      ),
    },
    { key: 'status', label: 'Status', render: (r) => <HealthBadge health={r.status} /> },
    {
      key: 'severity',
      label: 'Severity',
      render: (r) => (r.status === 'unhealthy' ? <SeverityBadge severity={r.severity} /> : '—'),
    },
    { key: 'control', label: 'Control', render: (r) => r.control || '—' },
  ];
  const assessmentColumns: Column<Assessment>[] = [
    {
      key: 'recommendation',
      label: 'Recommendation',
      rowHeader: true,
      nowrap: true,
      render: (a) => (
        <a href={formatHash(['recommendations', a.recommendation])}>{a.recommendation}</a>
      ),
    },
    {
      key: 'status',
      label: 'Status',
      render: (a) => (
        <>
          <HealthBadge health={a.status} />
          {a.exempt_id !== 0 && <span class="muted"> (exempt by #{a.exempt_id})</span>}
        </>
      ),
    },
    { key: 'severity', label: 'Severity', render: (a) => <SeverityBadge severity={a.severity} /> },
    { key: 'source', label: 'Source', render: (a) => `${a.source} (${a.kind})` },
    { key: 'reason', label: 'Reason', render: (a) => a.reason || '—' },
    { key: 'evidence', label: 'Evidence', render: (a) => <Evidence assessment={a} /> },
    {
      key: 'assessed',
      label: 'Assessed',
      nowrap: true,
      render: (a) => formatTime(a.assessed_at),
    },
  ];
  const attrs = Object.entries(resource?.attrs ?? {}).sort(([x], [y]) => (x < y ? -1 : 1));
  const labels = Object.entries(resource?.labels ?? {}).sort(([x], [y]) => (x < y ? -1 : 1));
  const list = assessments.data;

  return (
    <>
      <Breadcrumb items={crumbs} />
      <h1 tabIndex={-1}>{resource ? `${resource.type} ${resource.name}` : 'Resource'}</h1>
      {!valid && (
        <p class="error" role="alert">
          A resource id is 16 lower-case hex digits.
        </p>
      )}
      <Loading loading={detail.loading} />
      <LoadError error={valid ? detail.error : null} />
      {resource && data && (
        <>
          <dl class="facts">
            <div>
              <dt>Health</dt>
              <dd>
                <HealthBadge health={resource.health} />
                {resource.unhealthy > 0 && (
                  <>
                    {' '}
                    {formatCount(resource.unhealthy)} unhealthy, worst{' '}
                    <SeverityBadge severity={resource.severity} />
                  </>
                )}
              </dd>
            </div>
            <div>
              <dt>Key</dt>
              <dd>
                <code class="wrap">{resource.key}</code>
              </dd>
            </div>
            <div>
              <dt>Seen</dt>
              <dd>
                {formatTime(resource.first_seen)} to {formatTime(resource.last_seen)}
                {resource.gone_at !== null && <> (gone since {formatTime(resource.gone_at)})</>}
              </dd>
            </div>
            <div>
              <dt>Children</dt>
              <dd>
                {HEALTHS.map(
                  (h) => `${formatCount(data.children[h] ?? 0)} ${h.replace('-', ' ')}`,
                ).join(', ')}
              </dd>
            </div>
            {data.last_run && (
              <div>
                <dt>Last run</dt>
                <dd>
                  {data.last_run.kind} #{data.last_run.id}, {formatTime(data.last_run.started_at)}:{' '}
                  {data.last_run.status}
                </dd>
              </div>
            )}
          </dl>
          {attrs.length > 0 && (
            <>
              <h2>Attributes</h2>
              <table class="compact">
                <caption class="visually-hidden">Attributes of this resource</caption>
                <thead>
                  <tr>
                    <th scope="col">Attribute</th>
                    <th scope="col">Value</th>
                  </tr>
                </thead>
                <tbody>
                  {attrs.map(([k, v]) => (
                    <tr key={k}>
                      <th scope="row">
                        <code>{k}</code>
                      </th>
                      <td>
                        <code class="wrap">{v}</code>
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </>
          )}
          {labels.length > 0 && (
            <details>
              <summary>Labels ({labels.length})</summary>
              <ul class="refs">
                {labels.map(([k, v]) => (
                  <li key={k}>
                    <code>
                      {k}={v}
                    </code>
                  </li>
                ))}
              </ul>
            </details>
          )}
          <h2>Recommendations</h2>
          <Table
            caption="Recommendations with their status on this resource, unhealthy first"
            columns={recColumns}
            rows={data.recommendations}
            rowKey={(r) => r.id}
            empty="No recommendation assessed this resource."
          />
        </>
      )}
      <h2>Assessments</h2>
      <HealthFilter
        id="as-status"
        label="Filter assessments"
        value={status}
        onChange={(value) => go(withQuery(route, { status: value }))}
      />
      <PagedTable
        caption="Assessments of this resource with their evidence"
        columns={assessmentColumns}
        rows={list?.assessments ?? []}
        rowKey={(a) => `${a.recommendation}|${a.source}`}
        loaded={{ loading: assessments.loading, error: valid ? assessments.error : null }}
        empty={status ? 'No assessment has this status.' : 'No assessments.'}
        paging={{
          kind: 'offset',
          offset,
          limit,
          total: list?.total ?? 0,
          label: 'assessments',
          // The history keeps its page.
          onOffset: (next) =>
            go(
              withQuery(route, {
                offset: next || '',
                history_offset: route.query.history_offset,
              }),
            ),
        }}
      />
      {valid && (
        <>
          <ResourceHistory id={id} path={path} />
          <ResourceAlerts id={id} />
        </>
      )}
    </>
  );
}
