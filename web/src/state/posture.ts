// The pure parts of the posture pages: which API parameters a hash's query stands for (filters,
// server sorts, pages), the keyboard of the containers tabs, and the exemption form's checks
// (what the server checks too: src/posture/exemption.cpp), so the form says what is wrong before
// it sends anything.
import type { ExemptionCategory, Health } from '../api/types';
import { EXEMPTION_CATEGORIES, HEALTHS } from '../api/types';
import type { SortState } from '../components/sort';
import { intParam, type Params } from './hash';

export const PAGE_LIMIT = 100;

// ---- recommendations ----------------------------------------------------------------------

export const REC_STATES = ['unhealthy', 'healthy', 'all'] as const;
export const REC_SEVERITIES = ['critical', 'high', 'medium', 'low'] as const;
export const REC_SORTS = ['potential', 'severity', 'unhealthy', 'title'] as const;
export type RecSort = (typeof REC_SORTS)[number];

// Each sort's natural direction (the server's default order): the most to fix first, A→Z.
export function naturalDirection(sort: RecSort): 'ascending' | 'descending' {
  return sort === 'title' ? 'ascending' : 'descending';
}

export interface RecommendationParams {
  state: string;
  severity: string;
  control: string;
  sort: RecSort;
  order: 'asc' | 'desc';
  limit: number;
  offset: number;
}

function oneOf<T extends string>(value: string | undefined, allowed: readonly T[]): T | '' {
  return allowed.includes(value as T) ? (value as T) : '';
}

// The list's parameters from the hash: unknown values are dropped (the server would answer 400),
// and a control must look like a catalogue id.
export function recommendationParams(query: Params): RecommendationParams {
  const sort = oneOf(query.sort, REC_SORTS) || 'potential';
  const natural = naturalDirection(sort) === 'ascending' ? 'asc' : 'desc';
  const order = query.order === 'asc' || query.order === 'desc' ? query.order : natural;
  const control = /^[A-Z0-9-]{1,64}$/.test(query.control ?? '') ? (query.control as string) : '';
  return {
    state: oneOf(query.state, REC_STATES),
    severity: oneOf(query.severity, REC_SEVERITIES),
    control,
    sort,
    order,
    limit: PAGE_LIMIT,
    offset: intParam(query, 'offset'),
  };
}

export function recommendationSortState(params: RecommendationParams): SortState {
  return { key: params.sort, direction: params.order === 'asc' ? 'ascending' : 'descending' };
}

// The hash changes of a click on a sortable column: the same column flips its order, another
// starts in its natural one; the natural order is left out of the hash.
export function recommendationSortChange(
  params: RecommendationParams,
  key: RecSort,
): { sort: string; order: string } {
  const natural = naturalDirection(key) === 'ascending' ? 'asc' : 'desc';
  let order: 'asc' | 'desc' = natural;
  if (key === params.sort) order = params.order === 'asc' ? 'desc' : 'asc';
  return { sort: key === 'potential' ? '' : key, order: order === natural ? '' : order };
}

// ---- resources and assessments --------------------------------------------------------------

// A status filter and page of a server-paged list (affected resources, assessments).
export function statusPageParams(query: Params): {
  status: Health | '';
  limit: number;
  offset: number;
} {
  return {
    status: oneOf(query.status, HEALTHS),
    limit: PAGE_LIMIT,
    offset: intParam(query, 'offset'),
  };
}

export const RESOURCE_TABS = ['registry', 'host', 'cluster'] as const;
export type ResourceTab = (typeof RESOURCE_TABS)[number];
export const RESOURCE_SORTS = ['name', 'health', 'unhealthy', 'last_seen'] as const;

export function resourceListParams(query: Params): {
  type: ResourceTab;
  sort: string;
  limit: number;
  offset: number;
} {
  return {
    type: oneOf(query.tab, RESOURCE_TABS) || 'registry',
    sort: oneOf(query.sort, RESOURCE_SORTS),
    limit: PAGE_LIMIT,
    offset: intParam(query, 'offset'),
  };
}

export function isResourceId(text: string): boolean {
  return /^[0-9a-f]{16}$/.test(text);
}

// The tab a key moves to in a tablist of `count` (arrows wrap, Home and End), or null.
export function tabKeyTarget(key: string, index: number, count: number): number | null {
  if (count <= 0) return null;
  switch (key) {
    case 'ArrowRight':
    case 'ArrowDown':
      return (index + 1) % count;
    case 'ArrowLeft':
    case 'ArrowUp':
      return (index - 1 + count) % count;
    case 'Home':
      return 0;
    case 'End':
      return count - 1;
    default:
      return null;
  }
}

// ---- exemptions ------------------------------------------------------------------------------

export const MAX_REASON_BYTES = 1000;

export interface ExemptionForm {
  reason: string;
  category: string;
  expires: string; // an <input type="date"> value: "YYYY-MM-DD"
}

export interface ExemptionBody {
  recommendation: string;
  scope: string;
  category: ExemptionCategory;
  reason: string;
  expires_at: string; // RFC 3339
}

export interface ExemptionCheck {
  errors: Partial<Record<keyof ExemptionForm, string>>;
  body: ExemptionBody | null; // null while there is an error
}

function isoDay(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

// The date range the expiry field offers: tomorrow (UTC) to two years from today.
export function expiryBounds(now: number): { min: string; max: string } {
  const today = new Date(now);
  const max = new Date(
    Date.UTC(today.getUTCFullYear() + 2, today.getUTCMonth(), today.getUTCDate()),
  );
  // 29 February two years on is 1 March: stay in the month.
  if (max.getUTCMonth() !== today.getUTCMonth()) max.setUTCDate(0);
  return { min: isoDay(now + 86_400_000), max: isoDay(max.getTime()) };
}

// A default expiry: 90 days from now.
export function defaultExpiry(now: number): string {
  return isoDay(now + 90 * 86_400_000);
}

// Checks the form as the server will (reason required and at most 1000 bytes; expiry a date
// after today and at most two years ahead); the exemption starts and ends at 00:00 UTC.
export function checkExemption(
  form: ExemptionForm,
  recommendation: string,
  scope: string,
  now: number,
): ExemptionCheck {
  const errors: ExemptionCheck['errors'] = {};
  const reason = form.reason.trim();
  if (reason === '') errors.reason = 'Give a reason.';
  else if (new TextEncoder().encode(reason).length > MAX_REASON_BYTES) {
    errors.reason = `The reason is longer than ${MAX_REASON_BYTES} bytes.`;
  } else if (/[\u0000-\u0008\u000b-\u001f\u007f]/.test(reason)) {
    errors.reason = 'The reason has control characters.';
  }
  if (!EXEMPTION_CATEGORIES.includes(form.category as ExemptionCategory)) {
    errors.category = 'Pick a category.';
  }
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(form.expires);
  let at = NaN;
  if (match) {
    at = Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3]));
    if (isoDay(at) !== form.expires) at = NaN; // 2026-02-30
  }
  const bounds = expiryBounds(now);
  if (Number.isNaN(at)) errors.expires = 'Give the expiry as a date (YYYY-MM-DD).';
  else if (at <= now) errors.expires = 'The expiry must be in the future.';
  else if (form.expires > bounds.max) {
    errors.expires = `The expiry must be at most two years ahead (${bounds.max} at the latest).`;
  }
  if (Object.keys(errors).length > 0) return { errors, body: null };
  return {
    errors,
    body: {
      recommendation,
      scope,
      category: form.category as ExemptionCategory,
      reason,
      expires_at: `${form.expires}T00:00:00Z`,
    },
  };
}

// An exemption's state as a word.
export function exemptionState(
  exemption: { revoked_at: number | null; expires_at: number; active: boolean },
  now: number,
): 'active' | 'revoked' | 'expired' {
  if (exemption.revoked_at !== null) return 'revoked';
  if (!exemption.active || exemption.expires_at <= now) return 'expired';
  return 'active';
}

// The exemptions list from the hash: `active` true (default: in force now), all, or false
// (revoked or expired); a recommendation and a scope when a link names them.
export const EXEMPTION_STATES = ['true', 'all', 'false'] as const;
export type ExemptionStateFilter = (typeof EXEMPTION_STATES)[number];

export function exemptionListParams(query: Params): {
  active: ExemptionStateFilter;
  recommendation: string;
  scope: string;
  limit: number;
  offset: number;
} {
  const recommendation = /^[A-Z0-9-]{1,64}$/.test(query.recommendation ?? '')
    ? (query.recommendation as string)
    : '';
  return {
    active: oneOf(query.active, EXEMPTION_STATES) || 'true',
    recommendation,
    scope: isResourceId(query.scope ?? '') ? (query.scope as string) : '',
    limit: PAGE_LIMIT,
    offset: intParam(query, 'offset'),
  };
}
