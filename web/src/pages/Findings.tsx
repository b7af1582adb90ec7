// The findings of one image: filters (minimum severity, fixable, search), server-side sort and
// pages of 100, and a finding's details in a dialog. The filters live in the hash, so a
// filtered view is a link.
import { useEffect, useState } from 'preact/hooks';
import {
  SEVERITIES,
  type Finding,
  type FindingDetail,
  type FindingList,
  type Image,
} from '../api/types';
import { Breadcrumb, type Crumb } from '../components/Breadcrumb';
import { useApp } from '../components/context';
import { Dialog } from '../components/Dialog';
import { formatCount, formatTime, shortDigest } from '../components/format';
import { PagedTable } from '../components/PagedTable';
import { CountsBar, SeverityBadge, countsText } from '../components/Severity';
import { LoadError, Loading } from '../components/Status';
import type { Column } from '../components/Table';
import type { SortState } from '../components/sort';
import { useLoad } from '../components/useLoad';
import { formatHash, intParam, withQuery } from '../state/hash';

const LIMIT = 100;

// The API's sorts: severity most severe first, the others A→Z / oldest first.
const SORTS: Record<string, SortState> = {
  severity: { key: 'severity', direction: 'descending' },
  id: { key: 'id', direction: 'ascending' },
  package: { key: 'package', direction: 'ascending' },
  first_seen: { key: 'first_seen', direction: 'ascending' },
};

function go(hash: string) {
  window.location.hash = hash;
}

export function FindingsPage({ digest }: { digest: string }) {
  const { api, route } = useApp();
  const query = route.query;
  const registry = query.registry ?? '';
  const repository = query.repository ?? '';
  const severity = SEVERITIES.includes(query.severity as never) ? query.severity : '';
  const fixable = query.fixable === 'true';
  const search = query.q ?? '';
  const sort = SORTS[query.sort ?? ''] ? (query.sort as string) : 'severity';
  const offset = intParam(query, 'offset');
  const [open, setOpen] = useState<Finding | null>(null);
  const [draft, setDraft] = useState(search);
  // The field follows the hash when it changes from outside (back, a link).
  useEffect(() => setDraft(search), [search]);

  const base = `/api/v1/images/${encodeURIComponent(digest)}`;
  const image = useLoad(`image:${digest}:${registry}:${repository}`, (signal) =>
    api.get<Image>(base, registry && repository ? { registry, repository } : {}, { signal }),
  );
  const params = {
    severity,
    fixable: fixable ? 'true' : '',
    q: search,
    sort,
    limit: LIMIT,
    offset,
  };
  const findings = useLoad(`findings:${digest}:${JSON.stringify(params)}`, (signal) =>
    api.get<FindingList>(`${base}/findings`, params, { signal }),
  );

  const columns: Column<Finding>[] = [
    {
      key: 'id',
      label: 'Vulnerability',
      sortable: true,
      fixedDirection: 'ascending',
      rowHeader: true,
      render: (row) => (
        <button type="button" class="link" onClick={() => setOpen(row)}>
          {row.vulnerability_id}
        </button>
      ),
    },
    {
      key: 'package',
      label: 'Package',
      sortable: true,
      fixedDirection: 'ascending',
      render: (row) => row.package_name,
    },
    { key: 'installed', label: 'Installed', render: (row) => <code>{row.installed_version}</code> },
    {
      key: 'fixed',
      label: 'Fixed in',
      render: (row) =>
        row.fixable ? <code>{row.fixed_version}</code> : <span class="muted">no fix yet</span>,
    },
    {
      key: 'severity',
      label: 'Severity',
      sortable: true,
      fixedDirection: 'descending',
      render: (row) => <SeverityBadge severity={row.severity} />,
    },
    {
      key: 'first_seen',
      label: 'First seen',
      sortable: true,
      fixedDirection: 'ascending',
      render: (row) => formatTime(row.first_seen),
    },
  ];

  const crumbs: Crumb[] = [{ label: 'Registries', href: formatHash(['registries']) }];
  if (registry && repository) {
    crumbs.push({ label: registry, href: formatHash(['registries', registry]) });
    crumbs.push({
      label: repository,
      href: formatHash(['registries', registry, 'images'], { repository }),
    });
  }
  crumbs.push({ label: shortDigest(digest) });
  const list = findings.data;
  const scan = image.data?.scan;

  return (
    <>
      <Breadcrumb items={crumbs} />
      <h1 tabIndex={-1}>
        Findings of <code>{shortDigest(digest)}</code>
      </h1>
      <LoadError error={image.error} />
      {image.data && (
        <dl class="facts">
          <div>
            <dt>Digest</dt>
            <dd>
              <code class="wrap">{digest}</code>
            </dd>
          </div>
          {image.data.tags.length > 0 && (
            <div>
              <dt>Tags</dt>
              <dd>{image.data.tags.join(', ')}</dd>
            </div>
          )}
          {scan && (
            <>
              <div>
                <dt>OS, platform</dt>
                <dd>
                  {scan.os || '—'}, {scan.platform || '—'} ({formatCount(scan.package_count)}{' '}
                  packages)
                </dd>
              </div>
              <div>
                <dt>Matched</dt>
                <dd>
                  {formatTime(scan.evaluated_at)} against database {scan.db_build_id || '—'}
                </dd>
              </div>
            </>
          )}
          <div>
            <dt>Findings</dt>
            <dd class="counts">
              {countsText(image.data.counts)} <CountsBar counts={image.data.counts} />
            </dd>
          </div>
        </dl>
      )}

      <form
        class="filters"
        role="search"
        aria-label="Filter findings"
        onSubmit={(event) => {
          event.preventDefault();
          go(withQuery(route, { q: draft.trim() }));
        }}
      >
        <div class="field">
          <label for="f-severity">Minimum severity</label>
          <select
            id="f-severity"
            value={severity}
            onChange={(e) =>
              go(withQuery(route, { severity: (e.target as HTMLSelectElement).value }))
            }
          >
            <option value="">any</option>
            {SEVERITIES.map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
          </select>
        </div>
        <div class="field check">
          <input
            id="f-fixable"
            type="checkbox"
            checked={fixable}
            onChange={(e) =>
              go(
                withQuery(route, { fixable: (e.target as HTMLInputElement).checked ? 'true' : '' }),
              )
            }
          />
          <label for="f-fixable">Only with a fix</label>
        </div>
        <div class="field">
          <label for="f-search">Vulnerability or package contains</label>
          <input
            id="f-search"
            type="search"
            value={draft}
            maxLength={256}
            onInput={(e) => setDraft((e.target as HTMLInputElement).value)}
          />
        </div>
        <button type="submit">Search</button>
      </form>

      <PagedTable
        caption="Findings of this image"
        columns={columns}
        rows={list?.findings ?? []}
        rowKey={(row) => `${row.vulnerability_id}|${row.package_name}`}
        loaded={findings}
        sort={SORTS[sort]}
        onSort={(column) =>
          go(withQuery(route, { sort: column.key === 'severity' ? '' : column.key }))
        }
        empty={
          search || severity || fixable
            ? 'No finding matches these filters.'
            : 'No findings: nothing known to be vulnerable.'
        }
        paging={{
          kind: 'offset',
          offset,
          limit: LIMIT,
          total: list?.total ?? 0,
          label: 'findings',
          onOffset: (next) => go(withQuery(route, { offset: next || '' })),
        }}
      />
      {open && <FindingDialog digest={digest} finding={open} onClose={() => setOpen(null)} />}
    </>
  );
}

function FindingDialog({
  digest,
  finding,
  onClose,
}: {
  digest: string;
  finding: Finding;
  onClose: () => void;
}) {
  const { api } = useApp();
  const path = `/api/v1/images/${encodeURIComponent(digest)}/findings/${encodeURIComponent(finding.vulnerability_id)}`;
  const loaded = useLoad(`${path}?${finding.package_name}`, (signal) =>
    api.get<FindingDetail>(path, { package: finding.package_name }, { signal }),
  );
  const detail = loaded.data?.detail ?? null;
  const layer = loaded.data?.layer ?? null;
  const layerDigest = layer?.digest ?? detail?.package?.location?.layer ?? '';
  return (
    <Dialog title={`${finding.vulnerability_id} in ${finding.package_name}`} onClose={onClose}>
      <Loading loading={loaded.loading} />
      <LoadError error={loaded.error} />
      {loaded.data && (
        <>
          {detail?.title && <p class="lead">{detail.title}</p>}
          <dl class="facts">
            <div>
              <dt>Severity</dt>
              <dd>
                <SeverityBadge severity={loaded.data.severity} />
                {detail?.severity_source && (
                  <span class="muted"> (from {detail.severity_source})</span>
                )}
              </dd>
            </div>
            <div>
              <dt>CVSS</dt>
              <dd>
                {detail?.cvss?.score !== undefined ? (
                  <>
                    {detail.cvss.score.toFixed(1)}{' '}
                    {detail.cvss.vector && <code class="wrap">{detail.cvss.vector}</code>}
                  </>
                ) : (
                  '—'
                )}
              </dd>
            </div>
            <div>
              <dt>Installed</dt>
              <dd>
                <code>{loaded.data.installed_version}</code>
              </dd>
            </div>
            <div>
              <dt>Fixed version</dt>
              <dd>
                {loaded.data.fixable ? <code>{loaded.data.fixed_version}</code> : 'no fix yet'}
              </dd>
            </div>
            {detail?.package?.purl && (
              <div>
                <dt>Package</dt>
                <dd>
                  <code class="wrap">{detail.package.purl}</code>
                </dd>
              </div>
            )}
            {detail?.package?.location?.path && (
              <div>
                <dt>Found at</dt>
                <dd>
                  <code class="wrap">{detail.package.location.path}</code>
                </dd>
              </div>
            )}
            <div>
              <dt>Layer</dt>
              <dd>
                {layerDigest ? (
                  <>
                    {layer?.index !== undefined && <>#{layer.index} </>}
                    <code class="wrap">{layerDigest}</code>
                    {layer?.created_by && (
                      <pre class="instruction" aria-label="The instruction that made the layer">
                        {layer.created_by}
                      </pre>
                    )}
                  </>
                ) : (
                  '—'
                )}
              </dd>
            </div>
            {detail?.aliases && detail.aliases.length > 0 && (
              <div>
                <dt>Also known as</dt>
                <dd>{detail.aliases.join(', ')}</dd>
              </div>
            )}
            {detail?.cwes && detail.cwes.length > 0 && (
              <div>
                <dt>Weaknesses</dt>
                <dd>{detail.cwes.join(', ')}</dd>
              </div>
            )}
            {detail?.data_sources && detail.data_sources.length > 0 && (
              <div>
                <dt>Sources</dt>
                <dd>{detail.data_sources.join(', ')}</dd>
              </div>
            )}
          </dl>
          {detail?.explanation && (
            <>
              <h3>Why it matched</h3>
              <p>{detail.explanation}</p>
            </>
          )}
          {detail?.remediation && (
            <>
              <h3>Remediation</h3>
              <p>{detail.remediation}</p>
            </>
          )}
          {detail?.references && detail.references.length > 0 && (
            <>
              <h3>References</h3>
              <ul class="refs">
                {detail.references.map((ref) => (
                  <li key={ref}>
                    {/^https?:\/\//.test(ref) ? (
                      <a href={ref} rel="noreferrer noopener" target="_blank">
                        {ref}
                      </a>
                    ) : (
                      ref
                    )}
                  </li>
                ))}
              </ul>
            </>
          )}
        </>
      )}
    </Dialog>
  );
}
