// Sorting, filtering and paging of a list the server sent whole (registries, repositories,
// images of a repository): at most PAGE rows reach the DOM.
import { useMemo, useState } from 'preact/hooks';
import { MAX_ROWS, type OffsetPaging } from './paging';
import { nextSort, sortRows, type SortColumn, type SortState, type SortValue } from './sort';

export const PAGE = MAX_ROWS;

export function useClientTable<T>(
  rows: readonly T[],
  initial: SortState,
  value: (row: T, key: string) => SortValue,
  matches?: (row: T) => boolean,
) {
  const [sort, setSort] = useState<SortState>(initial);
  const [offset, setOffset] = useState(0);
  const filtered = useMemo(() => (matches ? rows.filter(matches) : rows.slice()), [rows, matches]);
  const sorted = useMemo(() => sortRows(filtered, sort, value), [filtered, sort]);
  const start = offset < sorted.length ? offset : 0;
  return {
    sort,
    onSort: (column: SortColumn) => {
      setSort(nextSort(sort, column));
      setOffset(0);
    },
    offset: start,
    setOffset,
    total: sorted.length,
    page: sorted.slice(start, start + PAGE),
    // The page buttons: shown once the list is longer than a page.
    paging: (label: string): OffsetPaging => ({
      kind: 'offset',
      offset: start,
      limit: PAGE,
      total: sorted.length,
      label,
      onOffset: setOffset,
      onlyWhenMany: true,
    }),
  };
}
