import { describe, expect, it } from 'vitest';
import { buildQuery } from '../api/client';
import {
  checkExemption,
  defaultExpiry,
  expiryBounds,
  exemptionListParams,
  exemptionState,
  isResourceId,
  recommendationParams,
  recommendationSortChange,
  recommendationSortState,
  resourceListParams,
  statusPageParams,
  tabKeyTarget,
} from './posture';

describe('recommendationParams', () => {
  it('defaults to potential, descending, first page', () => {
    const params = recommendationParams({});
    expect(params).toEqual({
      state: '',
      severity: '',
      control: '',
      sort: 'potential',
      order: 'desc',
      limit: 100,
      offset: 0,
    });
    expect(buildQuery({ ...params })).toBe('?sort=potential&order=desc&limit=100&offset=0');
  });

  it('keeps valid filters and drops unknown values', () => {
    const params = recommendationParams({
      state: 'unhealthy',
      severity: 'high',
      control: 'CTL-PRIV',
      sort: 'title',
      offset: '100',
    });
    expect(buildQuery({ ...params })).toBe(
      '?state=unhealthy&severity=high&control=CTL-PRIV&sort=title&order=asc&limit=100&offset=100',
    );
    const bad = recommendationParams({
      state: 'broken',
      severity: 'negligible',
      control: 'ctl priv',
      sort: 'nope',
      order: 'sideways',
      offset: '-1',
    });
    expect(bad).toMatchObject({
      state: '',
      severity: '',
      control: '',
      sort: 'potential',
      order: 'desc',
      offset: 0,
    });
  });

  it('maps the order to the table sort state', () => {
    expect(
      recommendationSortState(recommendationParams({ sort: 'severity', order: 'asc' })),
    ).toEqual({ key: 'severity', direction: 'ascending' });
    expect(recommendationSortState(recommendationParams({ sort: 'title' }))).toEqual({
      key: 'title',
      direction: 'ascending',
    });
  });
});

describe('recommendationSortChange', () => {
  it('starts another column in its natural order, kept out of the hash', () => {
    const params = recommendationParams({});
    expect(recommendationSortChange(params, 'title')).toEqual({ sort: 'title', order: '' });
    expect(recommendationSortChange(params, 'unhealthy')).toEqual({ sort: 'unhealthy', order: '' });
  });

  it('flips the sorted column', () => {
    expect(recommendationSortChange(recommendationParams({}), 'potential')).toEqual({
      sort: '',
      order: 'asc',
    });
    const title = recommendationParams({ sort: 'title' });
    expect(recommendationSortChange(title, 'title')).toEqual({ sort: 'title', order: 'desc' });
    const back = recommendationParams({ sort: 'title', order: 'desc' });
    expect(recommendationSortChange(back, 'title')).toEqual({ sort: 'title', order: '' });
  });
});

describe('resource and status parameters', () => {
  it('reads the status filter and page', () => {
    expect(statusPageParams({ status: 'not-evaluated', offset: '200' })).toEqual({
      status: 'not-evaluated',
      limit: 100,
      offset: 200,
    });
    expect(buildQuery({ ...statusPageParams({ status: 'exempt' }) })).toBe('?limit=100&offset=0');
  });

  it('reads the tab and sort of the containers page', () => {
    expect(resourceListParams({})).toEqual({ type: 'registry', sort: '', limit: 100, offset: 0 });
    expect(
      buildQuery({ ...resourceListParams({ tab: 'host', sort: 'health', offset: '100' }) }),
    ).toBe('?type=host&sort=health&limit=100&offset=100');
    expect(resourceListParams({ tab: 'node', sort: 'x' })).toMatchObject({
      type: 'registry',
      sort: '',
    });
  });

  it('knows a resource id', () => {
    expect(isResourceId('8c1f0e2d3a4b5c6d')).toBe(true);
    expect(isResourceId('8C1F0E2D3A4B5C6D')).toBe(false);
    expect(isResourceId('8c1f')).toBe(false);
  });
});

describe('tabKeyTarget', () => {
  it('moves with arrows (wrapping), Home and End, and ignores other keys', () => {
    expect(tabKeyTarget('ArrowRight', 0, 3)).toBe(1);
    expect(tabKeyTarget('ArrowRight', 2, 3)).toBe(0);
    expect(tabKeyTarget('ArrowLeft', 0, 3)).toBe(2);
    expect(tabKeyTarget('Home', 2, 3)).toBe(0);
    expect(tabKeyTarget('End', 0, 3)).toBe(2);
    expect(tabKeyTarget('Enter', 1, 3)).toBeNull();
    expect(tabKeyTarget('ArrowRight', 0, 0)).toBeNull();
  });
});

describe('checkExemption', () => {
  const now = Date.UTC(2026, 10, 24, 22, 0); // 2026-11-24 22:00 UTC
  const form = {
    reason: ' hardened by the platform team ',
    category: 'mitigated',
    expires: '2027-03-01',
  };

  it('builds the body with the RFC 3339 expiry and the trimmed reason', () => {
    const check = checkExemption(form, 'BW-REC-010', '8c1f0e2d3a4b5c6d', now);
    expect(check.errors).toEqual({});
    expect(check.body).toEqual({
      recommendation: 'BW-REC-010',
      scope: '8c1f0e2d3a4b5c6d',
      category: 'mitigated',
      reason: 'hardened by the platform team',
      expires_at: '2027-03-01T00:00:00Z',
    });
  });

  it('requires a reason', () => {
    const check = checkExemption({ ...form, reason: '   ' }, 'BW-REC-010', 'x', now);
    expect(check.body).toBeNull();
    expect(check.errors.reason).toMatch(/reason/);
    expect(
      checkExemption({ ...form, reason: 'é'.repeat(501) }, 'R', 'x', now).errors.reason,
    ).toMatch(/1000 bytes/);
    expect(checkExemption({ ...form, reason: 'a\u0001b' }, 'R', 'x', now).errors.reason).toMatch(
      /control/,
    );
    expect(checkExemption({ ...form, reason: 'line\nline' }, 'R', 'x', now).errors).toEqual({});
  });

  it('requires an expiry in the future', () => {
    expect(
      checkExemption({ ...form, expires: '2026-11-24' }, 'R', 'x', now).errors.expires,
    ).toMatch(/future/);
    expect(
      checkExemption({ ...form, expires: '2020-01-01' }, 'R', 'x', now).errors.expires,
    ).toMatch(/future/);
    expect(checkExemption({ ...form, expires: '2026-11-25' }, 'R', 'x', now).errors).toEqual({});
  });

  it('allows at most two years ahead', () => {
    expect(checkExemption({ ...form, expires: '2028-11-24' }, 'R', 'x', now).errors).toEqual({});
    expect(
      checkExemption({ ...form, expires: '2028-11-25' }, 'R', 'x', now).errors.expires,
    ).toMatch(/two years/);
  });

  it('refuses what is not a date, and an unknown category', () => {
    for (const expires of ['', '2027-02-30', '27-01-01', 'tomorrow']) {
      expect(checkExemption({ ...form, expires }, 'R', 'x', now).errors.expires).toMatch(/date/);
    }
    expect(checkExemption({ ...form, category: 'whatever' }, 'R', 'x', now).errors.category).toBe(
      'Pick a category.',
    );
  });

  it('offers tomorrow to two years on, and 90 days by default', () => {
    expect(expiryBounds(now)).toEqual({ min: '2026-11-25', max: '2028-11-24' });
    expect(expiryBounds(Date.UTC(2028, 1, 29, 12))).toEqual({
      min: '2028-03-01',
      max: '2030-02-28',
    });
    expect(defaultExpiry(now)).toBe('2027-02-22');
  });
});

describe('exemptionState', () => {
  const now = 1_000_000;
  it('names revoked, expired and active exemptions', () => {
    expect(exemptionState({ revoked_at: 5, expires_at: now + 1, active: false }, now)).toBe(
      'revoked',
    );
    expect(exemptionState({ revoked_at: null, expires_at: now - 1, active: false }, now)).toBe(
      'expired',
    );
    expect(exemptionState({ revoked_at: null, expires_at: now + 1, active: true }, now)).toBe(
      'active',
    );
  });
});

describe('exemptionListParams', () => {
  it('lists the active exemptions, first page, by default', () => {
    const params = exemptionListParams({});
    expect(params).toEqual({
      active: 'true',
      recommendation: '',
      scope: '',
      limit: 100,
      offset: 0,
    });
    expect(buildQuery({ ...params })).toBe('?active=true&limit=100&offset=0');
  });

  it('keeps all, ended, a recommendation, a scope and an offset', () => {
    const params = exemptionListParams({
      active: 'all',
      recommendation: 'BW-REC-010',
      scope: '8c1f0e2d3a4b5c6d',
      offset: '200',
    });
    expect(buildQuery({ ...params })).toBe(
      '?active=all&recommendation=BW-REC-010&scope=8c1f0e2d3a4b5c6d&limit=100&offset=200',
    );
    expect(exemptionListParams({ active: 'false' }).active).toBe('false');
  });

  it('drops values the server would refuse', () => {
    expect(
      exemptionListParams({
        active: 'yes',
        recommendation: 'bw rec',
        scope: '8C1F0E2D3A4B5C6D',
        offset: 'x',
      }),
    ).toEqual({ active: 'true', recommendation: '', scope: '', limit: 100, offset: 0 });
  });
});
