// Recommendations (GET /api/v1/posture/recommendations): filters (state, severity, control) and
// the server's sorts in the hash, 100 a page. One recommendation: what it asks and how to fix it,
// its exemptions (an admin revokes them), and the resources it assessed, server-paged and
// filtered by status, where an admin exempts one in a dialog. The score moves at once
// server-side, so both lists load again after a change.
import { useEffect, useRef, useState } from 'preact/hooks';
import {
  EXEMPTION_CATEGORIES,
  type AffectedList,
  type Exemption,
  type PostureResource,
  type RecommendationDetail,
  type RecommendationFull,
  type SecureScore,
} from '../api/types';
import { Breadcrumb } from '../components/Breadcrumb';
import { useApp } from '../components/context';
import { Dialog } from '../components/Dialog';
import { formatCount, formatTime } from '../components/format';
import { HealthFilter } from '../components/HealthFilter';
import { PagedTable } from '../components/PagedTable';
import { HealthBadge, SeverityBadge } from '../components/Severity';
import { LoadError, Loading } from '../components/Status';
import { Table, type Column } from '../components/Table';
import { MAX_ROWS } from '../components/paging';
import { useLoad } from '../components/useLoad';
import { formatHash, withQuery } from '../state/hash';
import {
  REC_SEVERITIES,
  REC_STATES,
  checkExemption,
  defaultExpiry,
  expiryBounds,
  exemptionState,
  recommendationParams,
  recommendationSortChange,
  recommendationSortState,
  statusPageParams,
  type ExemptionForm,
  type RecSort,
} from '../state/posture';
import { RevokeDialog, revokeColumn } from './Exemptions';

const BASE = '/api/v1/posture/recommendations';

function go(hash: string) {
  window.location.hash = hash;
}

function recHref(id: string): string {
  return formatHash(['recommendations', id]);
}

export function RecommendationsPage() {
  const { api, route } = useApp();
  const params = recommendationParams(route.query);
  const key = JSON.stringify(params);
  const loaded = useLoad(`recommendations:${key}`, (signal) =>
    api.get<{
      recommendations: RecommendationFull[];
      total: number;
    }>(BASE, { ...params }, { signal }),
  );
  // The controls, for the filter's choices.
  const score = useLoad('score', (signal) =>
    api.get<SecureScore>('/api/v1/posture/score', undefined, { signal }),
  );
  const list = loaded.data;

  const count = (key: 'unhealthy' | 'healthy' | 'not_evaluated', label: string) =>
    ({
      key,
      label,
      numeric: true,
      sortable: key === 'unhealthy',
      render: (r: RecommendationFull) => formatCount(r.counts[key]),
    }) satisfies Column<RecommendationFull>;
  const columns: Column<RecommendationFull>[] = [
    {
      key: 'severity',
      label: 'Severity',
      sortable: true,
      render: (r) => <SeverityBadge severity={r.severity} />,
    },
    {
      key: 'title',
      label: 'Recommendation',
      sortable: true,
      rowHeader: true,
      render: (r) => (
        <>
          <a href={recHref(r.id)}>{r.title}</a> <span class="muted">{r.id}</span>
        </>
      ),
    },
    { key: 'control', label: 'Control', nowrap: true, render: (r) => r.control },
    count('unhealthy', 'Unhealthy'),
    count('healthy', 'Healthy'),
    count('not_evaluated', 'Not evaluated'),
    {
      key: 'potential',
      label: 'Score increase',
      numeric: true,
      sortable: true,
      render: (r) => `+${r.potential.toFixed(1)}%`,
    },
  ];

  const select = (
    id: string,
    label: string,
    name: string,
    value: string,
    options: readonly { value: string; label: string }[],
  ) => (
    <div class="field">
      <label for={id}>{label}</label>
      <select
        id={id}
        value={value}
        onChange={(e) => go(withQuery(route, { [name]: (e.target as HTMLSelectElement).value }))}
      >
        <option value="">any</option>
        {options.map((o) => (
          <option key={o.value} value={o.value}>
            {o.label}
          </option>
        ))}
      </select>
    </div>
  );

  return (
    <>
      <h1 tabIndex={-1}>Recommendations</h1>
      <form
        class="filters"
        role="search"
        aria-label="Filter recommendations"
        onSubmit={(e) => e.preventDefault()}
      >
        {select(
          'r-state',
          'State',
          'state',
          params.state,
          REC_STATES.map((s) => ({
            value: s,
            label:
              s === 'unhealthy'
                ? 'some resource unhealthy'
                : s === 'healthy'
                  ? 'all healthy'
                  : 'all',
          })),
        )}
        {select(
          'r-severity',
          'Severity',
          'severity',
          params.severity,
          REC_SEVERITIES.map((s) => ({ value: s, label: s })),
        )}
        {select(
          'r-control',
          'Control',
          'control',
          params.control,
          (score.data?.controls ?? []).map((c) => ({ value: c.id, label: `${c.title} (${c.id})` })),
        )}
      </form>
      <PagedTable
        caption="Recommendations with the resources they found unhealthy and what fixing them adds to the score"
        columns={columns}
        rows={list?.recommendations ?? []}
        rowKey={(r) => r.id}
        loaded={loaded}
        sort={recommendationSortState(params)}
        onSort={(column) =>
          go(withQuery(route, recommendationSortChange(params, column.key as RecSort)))
        }
        empty="No recommendation matches these filters."
        paging={{
          kind: 'offset',
          offset: params.offset,
          limit: params.limit,
          total: list?.total ?? 0,
          label: 'recommendations',
          onOffset: (next) => go(withQuery(route, { offset: next || '' })),
        }}
      />
    </>
  );
}

type Affected = AffectedList['items'][number];

function resourceLabel(resource: PostureResource | null, id: string): string {
  return resource ? `${resource.type} ${resource.name}` : id;
}

export function RecommendationPage({ id }: { id: string }) {
  const { api, route, user } = useApp();
  const admin = user?.role === 'admin';
  const { status, limit, offset } = statusPageParams(route.query);
  // Bumped after an exemption is made or revoked: everything loads again.
  const [version, setVersion] = useState(0);
  const [exempting, setExempting] = useState<Affected | null>(null);
  const [message, setMessage] = useState('');
  const messageRef = useRef<HTMLParagraphElement>(null);
  useEffect(() => {
    if (message) messageRef.current?.focus();
  }, [message]);

  const path = `${BASE}/${encodeURIComponent(id)}`;
  const detail = useLoad(`recommendation:${id}:${version}`, (signal) =>
    api.get<RecommendationDetail>(path, undefined, { signal }),
  );
  const affected = useLoad(`affected:${id}:${status}:${offset}:${version}`, (signal) =>
    api.get<AffectedList>(`${path}/resources`, { status, limit, offset }, { signal }),
  );
  const rec = detail.data;
  const items = affected.data?.items ?? [];
  const now = Date.now();
  const names = new Map<string, string>();
  for (const item of items) {
    if (item.resource) names.set(item.resource.id, resourceLabel(item.resource, item.resource.id));
  }

  const [revoking, setRevoking] = useState<Exemption | null>(null);

  const affectedColumns: Column<Affected>[] = [
    {
      key: 'resource',
      label: 'Resource',
      rowHeader: true,
      render: (item) => (
        <a href={formatHash(['resources', item.assessment.resource_id])}>
          {item.resource ? item.resource.name : item.assessment.resource_id}
        </a>
      ),
    },
    { key: 'type', label: 'Type', render: (item) => item.resource?.type ?? '—' },
    {
      key: 'status',
      label: 'Status',
      render: (item) => (
        <>
          <HealthBadge health={item.assessment.status} />
          {item.assessment.exempt_id !== 0 && (
            <span class="muted"> (exempt by #{item.assessment.exempt_id})</span>
          )}
        </>
      ),
    },
    { key: 'reason', label: 'Reason', render: (item) => item.assessment.reason || '—' },
    { key: 'source', label: 'Source', render: (item) => item.assessment.source },
    {
      key: 'assessed',
      label: 'Assessed',
      nowrap: true,
      render: (item) => formatTime(item.assessment.assessed_at),
    },
    ...(admin
      ? [
          {
            key: 'exempt',
            label: 'Exemption',
            render: (item: Affected) =>
              item.assessment.exempt_id === 0 ? (
                <button
                  type="button"
                  aria-label={`Exempt ${resourceLabel(item.resource, item.assessment.resource_id)}`}
                  onClick={() => setExempting(item)}
                >
                  Exempt
                </button>
              ) : (
                <span class="muted">exempt</span>
              ),
          },
        ]
      : []),
  ];

  const exemptionColumns: Column<Exemption>[] = [
    { key: 'id', label: 'Id', rowHeader: true, render: (e) => `#${e.id}` },
    {
      key: 'scope',
      label: 'Scope',
      render: (e) => (
        <a href={formatHash(['resources', e.scope])}>{names.get(e.scope) ?? e.scope}</a>
      ),
    },
    { key: 'category', label: 'Category', render: (e) => e.category },
    { key: 'reason', label: 'Reason', render: (e) => e.reason },
    {
      key: 'by',
      label: 'Created',
      render: (e) => `${formatTime(e.created_at)} by ${e.created_by || '—'}`,
    },
    { key: 'expires', label: 'Expires', nowrap: true, render: (e) => formatTime(e.expires_at) },
    { key: 'state', label: 'State', render: (e) => exemptionState(e, now) },
    ...(admin ? [revokeColumn(now, setRevoking)] : []),
  ];

  return (
    <>
      <Breadcrumb
        items={[{ label: 'Recommendations', href: formatHash(['recommendations']) }, { label: id }]}
      />
      <h1 tabIndex={-1}>{rec ? rec.title : id}</h1>
      <Loading loading={detail.loading} />
      <LoadError error={detail.error} />
      <p class="notice" role="status" tabIndex={-1} ref={messageRef} hidden={!message}>
        {message}
      </p>
      {rec && (
        <>
          <dl class="facts">
            <div>
              <dt>Id</dt>
              <dd>{rec.id}</dd>
            </div>
            <div>
              <dt>Severity</dt>
              <dd>
                <SeverityBadge severity={rec.severity} />
              </dd>
            </div>
            <div>
              <dt>Control</dt>
              <dd>
                {rec.control_score
                  ? `${rec.control_score.title} (${rec.control}): ${
                      rec.control_score.applicable
                        ? `${rec.control_score.score.toFixed(1)} of ${rec.control_score.max} points`
                        : 'not applicable'
                    }`
                  : rec.control}
              </dd>
            </div>
            <div>
              <dt>Resources</dt>
              <dd>
                {formatCount(rec.counts.unhealthy)} unhealthy, {formatCount(rec.counts.healthy)}{' '}
                healthy, {formatCount(rec.counts.not_evaluated)} not evaluated,{' '}
                {formatCount(rec.counts.exempt)} exempt
              </dd>
            </div>
            <div>
              <dt>Score increase</dt>
              <dd>+{rec.potential.toFixed(1)}% when fixed</dd>
            </div>
            <div>
              <dt>Applies to</dt>
              <dd>{rec.resource_types.join(', ') || '—'}</dd>
            </div>
          </dl>
          {rec.description && <p>{rec.description}</p>}
          <h2>Remediation</h2>
          {rec.remediation.length === 0 ? (
            <p>No steps given.</p>
          ) : (
            <ol class="steps">
              {rec.remediation.map((step, i) => (
                <li key={i}>{step}</li>
              ))}
            </ol>
          )}
          <h2>Exemptions</h2>
          <Table
            caption="Exemptions of this recommendation"
            columns={exemptionColumns}
            rows={rec.exemptions.slice(0, MAX_ROWS)}
            rowKey={(e) => String(e.id)}
            empty="No exemptions."
          />
          <p>
            {rec.exemptions.length > MAX_ROWS &&
              `The first ${MAX_ROWS} of ${formatCount(rec.exemptions.length)} are shown. `}
            <a href={formatHash(['exemptions'], { recommendation: rec.id, active: 'all' })}>
              All exemptions of {rec.id}
            </a>{' '}
            in the exemptions page.
          </p>
        </>
      )}
      <h2>Affected resources</h2>
      <HealthFilter
        id="rr-status"
        label="Filter affected resources"
        value={status}
        onChange={(value) => go(withQuery(route, { status: value }))}
      />
      <PagedTable
        caption="Resources this recommendation assessed, one row per resource and source"
        columns={affectedColumns}
        rows={items}
        rowKey={(item) => `${item.assessment.resource_id}|${item.assessment.source}`}
        loaded={affected}
        empty={status ? 'No resource has this status.' : 'No resource assessed yet.'}
        paging={{
          kind: 'offset',
          offset,
          limit,
          total: affected.data?.total ?? 0,
          label: 'resources',
          onOffset: (next) => go(withQuery(route, { offset: next || '' })),
        }}
      />
      {revoking && (
        <RevokeDialog
          exemption={revoking}
          label={names.get(revoking.scope) ?? revoking.scope}
          onClose={() => setRevoking(null)}
          onDone={() => {
            setRevoking(null);
            setMessage(`Exemption ${revoking.id} revoked; the score is updated.`);
            setVersion(version + 1);
          }}
        />
      )}
      {exempting && (
        <ExemptDialog
          recommendation={id}
          item={exempting}
          onClose={() => setExempting(null)}
          onDone={(exemption) => {
            setExempting(null);
            setMessage(
              `Exempted ${resourceLabel(exempting.resource, exemption.scope)} (#${exemption.id}) until ${formatTime(exemption.expires_at)}; the score is updated.`,
            );
            setVersion(version + 1);
          }}
        />
      )}
    </>
  );
}

interface ExemptDialogProps {
  recommendation: string;
  item: Affected;
  onClose: () => void;
  onDone: (exemption: Exemption) => void;
}

function ExemptDialog({ recommendation, item, onClose, onDone }: ExemptDialogProps) {
  const { api } = useApp();
  const scope = item.assessment.resource_id;
  const [now] = useState(() => Date.now());
  const bounds = expiryBounds(now);
  const [form, setForm] = useState<ExemptionForm>({
    reason: '',
    category: 'risk-accepted',
    expires: defaultExpiry(now),
  });
  const [errors, setErrors] = useState<ReturnType<typeof checkExemption>['errors']>({});
  const [failure, setFailure] = useState('');
  const [busy, setBusy] = useState(false);
  const formRef = useRef<HTMLFormElement>(null);

  async function submit(event: Event) {
    event.preventDefault();
    setFailure('');
    const check = checkExemption(form, recommendation, scope, Date.now());
    setErrors(check.errors);
    if (!check.body) {
      const first = (['reason', 'category', 'expires'] as const).find((k) => check.errors[k]);
      formRef.current?.querySelector<HTMLElement>(`#ex-${first}`)?.focus();
      return;
    }
    setBusy(true);
    try {
      const created = await api.post<Exemption>('/api/v1/posture/exemptions', check.body);
      onDone(created);
    } catch (error) {
      setFailure(error instanceof Error ? error.message : String(error));
      setBusy(false);
    }
  }

  // A field's value changed: its error (from the last submit) no longer applies.
  const change = (key: keyof ExemptionForm, value: string) => {
    setForm((f) => ({ ...f, [key]: value }));
    setErrors((e) => ({ ...e, [key]: undefined }));
  };
  const described = (key: keyof ExemptionForm, help?: string) => {
    const ids = [help, errors[key] ? `ex-${key}-error` : ''].filter(Boolean).join(' ');
    return ids || undefined;
  };
  const fieldError = (key: keyof ExemptionForm) =>
    errors[key] ? (
      <p id={`ex-${key}-error`} class="field-error">
        <span aria-hidden="true">⚠ </span>
        {errors[key]}
      </p>
    ) : null;

  return (
    <Dialog
      title={`Exempt ${resourceLabel(item.resource, scope)} from ${recommendation}`}
      onClose={onClose}
    >
      <p class="help">
        The resource and everything below it stop counting against the score for this recommendation
        until the expiry, or until the exemption is revoked.
      </p>
      <form ref={formRef} class="exempt-form" onSubmit={submit} noValidate>
        <div class="field">
          <label for="ex-reason">Reason (required)</label>
          <textarea
            id="ex-reason"
            rows={3}
            maxLength={1000}
            required
            aria-invalid={errors.reason ? 'true' : undefined}
            aria-describedby={described('reason')}
            value={form.reason}
            onInput={(e) => change('reason', (e.target as HTMLTextAreaElement).value)}
          />
          {fieldError('reason')}
        </div>
        <div class="field">
          <label for="ex-category">Category</label>
          <select
            id="ex-category"
            value={form.category}
            aria-invalid={errors.category ? 'true' : undefined}
            aria-describedby={described('category')}
            onChange={(e) => change('category', (e.target as HTMLSelectElement).value)}
          >
            {EXEMPTION_CATEGORIES.map((c) => (
              <option key={c} value={c}>
                {c.replace('-', ' ')}
              </option>
            ))}
          </select>
          {fieldError('category')}
        </div>
        <div class="field">
          <label for="ex-expires">Expires on (UTC, at most two years ahead)</label>
          <input
            id="ex-expires"
            type="date"
            required
            min={bounds.min}
            max={bounds.max}
            aria-invalid={errors.expires ? 'true' : undefined}
            aria-describedby={described('expires', 'ex-expires-help')}
            value={form.expires}
            onInput={(e) => change('expires', (e.target as HTMLInputElement).value)}
          />
          <p id="ex-expires-help" class="help">
            From {bounds.min} to {bounds.max}.
          </p>
          {fieldError('expires')}
        </div>
        {failure && (
          <p class="error" role="alert">
            <span aria-hidden="true">⚠ </span>
            Not exempted: {failure}
          </p>
        )}
        <div>
          <button type="submit" class="primary" disabled={busy}>
            {busy ? 'Exempting…' : 'Exempt'}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
