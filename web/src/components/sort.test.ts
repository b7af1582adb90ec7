import { describe, expect, it } from 'vitest';
import { ariaSort, nextSort, sortRows } from './sort';

describe('nextSort', () => {
  it('starts a new column in its first direction and flips on a second click', () => {
    const first = nextSort(null, { key: 'name' });
    expect(first).toEqual({ key: 'name', direction: 'ascending' });
    expect(nextSort(first, { key: 'name' })).toEqual({ key: 'name', direction: 'descending' });
    expect(nextSort(first, { key: 'critical', firstDirection: 'descending' })).toEqual({
      key: 'critical',
      direction: 'descending',
    });
  });

  it('never flips a column the server sorts one way', () => {
    const state = { key: 'severity', direction: 'descending' as const };
    expect(nextSort(state, { key: 'severity', fixedDirection: 'descending' })).toEqual(state);
  });
});

describe('ariaSort', () => {
  it('names the direction of the sorted column only', () => {
    const state = { key: 'name', direction: 'descending' as const };
    expect(ariaSort(state, 'name')).toBe('descending');
    expect(ariaSort(state, 'images')).toBe('none');
    expect(ariaSort(null, 'name')).toBe('none');
  });
});

describe('sortRows', () => {
  const rows = [
    { name: 'b', n: 10 },
    { name: 'A', n: 2 },
    { name: 'c', n: 10 },
    { name: '', n: 1 },
  ];
  const value = (row: { name: string; n: number }, key: string) =>
    key === 'name' ? row.name : row.n;

  it('compares numbers as numbers, not text', () => {
    expect(sortRows(rows, { key: 'n', direction: 'ascending' }, value).map((r) => r.n)).toEqual([
      1, 2, 10, 10,
    ]);
  });

  it('is stable, and reverses only the order, not the ties', () => {
    expect(sortRows(rows, { key: 'n', direction: 'descending' }, value).map((r) => r.name)).toEqual(
      ['b', 'c', 'A', ''],
    );
  });

  it('ignores case and puts missing values last in both directions', () => {
    expect(
      sortRows(rows, { key: 'name', direction: 'ascending' }, value).map((r) => r.name),
    ).toEqual(['A', 'b', 'c', '']);
    expect(
      sortRows(rows, { key: 'name', direction: 'descending' }, value).map((r) => r.name),
    ).toEqual(['c', 'b', 'A', '']);
  });

  it('returns a copy and leaves the input alone', () => {
    const before = rows.slice();
    const sorted = sortRows(rows, { key: 'n', direction: 'ascending' }, value);
    expect(sorted).not.toBe(rows);
    expect(rows).toEqual(before);
  });

  it('sorts 100,000 rows quickly', () => {
    const many = Array.from({ length: 100_000 }, (_, i) => ({
      name: `pkg-${(i * 7919) % 100_000}`,
      n: i % 97,
    }));
    const started = performance.now();
    const sorted = sortRows(many, { key: 'name', direction: 'ascending' }, value);
    expect(performance.now() - started).toBeLessThan(2000);
    expect(sorted[0].name <= sorted[1].name).toBe(true);
  });
});
