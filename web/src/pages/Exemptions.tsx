// Exemptions (GET /api/v1/posture/exemptions): which recommendation each one exempts, for which
// resource and everything below it, why, who made it and until when; active ones (default),
// all, or the revoked and expired ones, 100 a page, the filter and page in the hash. An admin
// revokes one (DELETE /api/v1/posture/exemptions/{id}) after a confirmation dialog; readers see
// no button.
import { useEffect, useRef, useState } from 'preact/hooks';
import type { Exemption, ExemptionList } from '../api/types';
import { ConfirmDialog } from '../components/ConfirmDialog';
import { useApp } from '../components/context';
import { formatTime } from '../components/format';
import { PagedTable } from '../components/PagedTable';
import type { Column } from '../components/Table';
import { useLoad } from '../components/useLoad';
import { formatHash, withQuery } from '../state/hash';
import {
  EXEMPTION_STATES,
  exemptionListParams,
  exemptionState,
  type ExemptionStateFilter,
} from '../state/posture';

const STATE_LABELS: Record<ExemptionStateFilter, string> = {
  true: 'active',
  all: 'all',
  false: 'revoked or expired',
};

interface RevokeDialogProps {
  exemption: Exemption;
  label: string; // what the scope is called where the dialog opens
  onClose: () => void;
  onDone: () => void;
}

// Asks before revoking; the resource counts against the score again at once.
export function RevokeDialog({ exemption, label, onClose, onDone }: RevokeDialogProps) {
  const { api } = useApp();
  return (
    <ConfirmDialog
      title={`Revoke exemption #${exemption.id}?`}
      action="Revoke"
      onClose={onClose}
      onConfirm={async () => {
        await api.delete(`/api/v1/posture/exemptions/${exemption.id}`);
        onDone();
      }}
    >
      <p>
        {exemption.recommendation} counts again for <code class="wrap">{label}</code> and everything
        below it, at once. The exemption stays in the list as revoked.
      </p>
    </ConfirmDialog>
  );
}

// The Revoke column of an exemptions table (admins only): a button on each active exemption.
export function revokeColumn(now: number, revoke: (e: Exemption) => void): Column<Exemption> {
  return {
    key: 'revoke',
    label: 'Revoke',
    render: (e) =>
      exemptionState(e, now) === 'active' ? (
        <button type="button" aria-label={`Revoke exemption ${e.id}`} onClick={() => revoke(e)}>
          Revoke
        </button>
      ) : (
        '—'
      ),
  };
}

export function ExemptionsPage() {
  const { api, route, user } = useApp();
  const admin = user?.role === 'admin';
  const params = exemptionListParams(route.query);
  // Bumped after a revocation: the list loads again.
  const [version, setVersion] = useState(0);
  const [revoking, setRevoking] = useState<Exemption | null>(null);
  const [message, setMessage] = useState('');
  const messageRef = useRef<HTMLParagraphElement>(null);
  useEffect(() => {
    if (message) messageRef.current?.focus();
  }, [message]);
  const loaded = useLoad(`exemptions:${JSON.stringify(params)}:${version}`, (signal) =>
    api.get<ExemptionList>('/api/v1/posture/exemptions', { ...params }, { signal }),
  );
  const list = loaded.data;
  const now = Date.now();
  const go = (hash: string) => (window.location.hash = hash);

  const columns: Column<Exemption>[] = [
    { key: 'id', label: 'Id', rowHeader: true, render: (e) => `#${e.id}` },
    {
      key: 'recommendation',
      label: 'Recommendation',
      nowrap: true,
      render: (e) => (
        <a href={formatHash(['recommendations', e.recommendation])}>{e.recommendation}</a>
      ),
    },
    {
      key: 'scope',
      label: 'Scope',
      render: (e) => (
        <a href={formatHash(['resources', e.scope])}>
          <code>{e.scope}</code>
        </a>
      ),
    },
    { key: 'source', label: 'Source', render: (e) => e.source || 'all' },
    { key: 'reason', label: 'Reason', render: (e) => e.reason },
    { key: 'category', label: 'Category', render: (e) => e.category.replace('-', ' ') },
    {
      key: 'created',
      label: 'Created',
      render: (e) => `${formatTime(e.created_at)} by ${e.created_by || '—'}`,
    },
    { key: 'expires', label: 'Expires', nowrap: true, render: (e) => formatTime(e.expires_at) },
    {
      key: 'state',
      label: 'State',
      render: (e) =>
        e.revoked_at !== null ? `revoked ${formatTime(e.revoked_at)}` : exemptionState(e, now),
    },
    ...(admin ? [revokeColumn(now, setRevoking)] : []),
  ];

  const narrowed = [
    params.recommendation && `recommendation ${params.recommendation}`,
    params.scope && `resource ${params.scope}`,
  ].filter(Boolean);

  return (
    <>
      <h1 tabIndex={-1}>Exemptions</h1>
      <p class="help">
        An exemption stops a recommendation counting against the score for a resource and everything
        below it, until it expires or is revoked. Exempt a resource from its recommendation's page.
      </p>
      <form
        class="filters"
        role="search"
        aria-label="Filter exemptions"
        onSubmit={(e) => e.preventDefault()}
      >
        <div class="field">
          <label for="ex-active">Show</label>
          <select
            id="ex-active"
            value={params.active}
            onChange={(e) =>
              go(
                withQuery(route, {
                  active:
                    (e.target as HTMLSelectElement).value === 'true'
                      ? ''
                      : (e.target as HTMLSelectElement).value,
                }),
              )
            }
          >
            {EXEMPTION_STATES.map((s) => (
              <option key={s} value={s}>
                {STATE_LABELS[s]}
              </option>
            ))}
          </select>
        </div>
      </form>
      {narrowed.length > 0 && (
        <p class="notice">
          Only the exemptions of {narrowed.join(' and ')}.{' '}
          <a href={withQuery(route, { recommendation: '', scope: '' })}>Show every exemption</a>
        </p>
      )}
      <p class="notice" role="status" tabIndex={-1} ref={messageRef} hidden={!message}>
        {message}
      </p>
      <PagedTable
        caption={`Exemptions (${STATE_LABELS[params.active]}), by id`}
        columns={columns}
        rows={list?.exemptions ?? []}
        rowKey={(e) => String(e.id)}
        loaded={loaded}
        empty={params.active === 'true' ? 'No exemption is in force.' : 'No exemption matches.'}
        paging={{
          kind: 'offset',
          offset: params.offset,
          limit: params.limit,
          total: list?.total ?? 0,
          label: 'exemptions',
          onOffset: (next) => go(withQuery(route, { offset: next || '' })),
        }}
      />
      {revoking && (
        <RevokeDialog
          exemption={revoking}
          label={revoking.scope}
          onClose={() => setRevoking(null)}
          onDone={() => {
            setRevoking(null);
            setMessage(`Exemption #${revoking.id} revoked; the score is updated.`);
            setVersion(version + 1);
          }}
        />
      )}
    </>
  );
}
