import { describe, expect, it } from 'vitest';
import { formatHash, intParam, parseHash, withQuery } from './hash';

describe('parseHash', () => {
  it('splits the path and decodes the query', () => {
    expect(parseHash('#/registries/local/images?repository=library%2Fdebian&offset=100')).toEqual({
      path: ['registries', 'local', 'images'],
      query: { repository: 'library/debian', offset: '100' },
    });
  });

  it('reads an empty or bare hash as the root', () => {
    expect(parseHash('')).toEqual({ path: [], query: {} });
    expect(parseHash('#/')).toEqual({ path: [], query: {} });
    expect(parseHash('#')).toEqual({ path: [], query: {} });
  });

  it('decodes path segments (digests hold a colon)', () => {
    const digest = `sha256:${'a'.repeat(64)}`;
    expect(parseHash(formatHash(['images', digest])).path).toEqual(['images', digest]);
  });

  it('keeps a malformed escape as typed instead of throwing', () => {
    expect(parseHash('#/x?q=%E0%A4%A')).toEqual({ path: ['x'], query: { q: '%E0%A4%A' } });
  });

  it('keeps the last of a repeated key and ignores empty keys', () => {
    expect(parseHash('#/a?k=1&k=2&=x&flag').query).toEqual({ k: '2', flag: '' });
  });
});

describe('formatHash', () => {
  it('round-trips awkward values', () => {
    const query = { q: 'a&b=c d/é?', repository: 'org/team/app' };
    const hash = formatHash(['registries', 'my registry'], query);
    expect(parseHash(hash)).toEqual({ path: ['registries', 'my registry'], query });
  });

  it('leaves out empty, null, undefined and false values', () => {
    expect(formatHash(['alerts'], { rule: '', host: null, since: undefined, fixable: false })).toBe(
      '#/alerts',
    );
    expect(formatHash([])).toBe('#/');
  });
});

describe('withQuery', () => {
  const route = parseHash('#/images/d?severity=high&offset=200&sort=id');

  it('changes a filter and goes back to the first page', () => {
    expect(withQuery(route, { severity: 'critical' })).toBe('#/images/d?severity=critical&sort=id');
  });

  it('keeps the other filters when only the page changes', () => {
    expect(withQuery(route, { offset: 300 })).toBe('#/images/d?severity=high&offset=300&sort=id');
  });

  it('removes a filter given an empty value', () => {
    expect(withQuery(route, { sort: '' })).toBe('#/images/d?severity=high');
  });
});

describe('intParam', () => {
  it('accepts non-negative integers only', () => {
    expect(intParam({ offset: '300' }, 'offset')).toBe(300);
    expect(intParam({ offset: '-1' }, 'offset')).toBe(0);
    expect(intParam({ offset: '1e3' }, 'offset')).toBe(0);
    expect(intParam({ offset: '9'.repeat(40) }, 'offset', 7)).toBe(7);
    expect(intParam({}, 'offset', 5)).toBe(5);
  });
});
