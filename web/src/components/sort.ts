// The sort state of a table: which column, which way. Columns sorted by the server have one
// direction (the API sorts severity most severe first, names A→Z); columns sorted here flip on
// a second click.

export type Direction = 'ascending' | 'descending';

export interface SortState {
  key: string;
  direction: Direction;
}

export interface SortColumn {
  key: string;
  // The direction of a first click (default ascending).
  firstDirection?: Direction;
  // The only direction there is (a server sort without an order parameter).
  fixedDirection?: Direction;
}

export function nextSort(current: SortState | null, column: SortColumn): SortState {
  if (column.fixedDirection) return { key: column.key, direction: column.fixedDirection };
  if (current && current.key === column.key) {
    return {
      key: column.key,
      direction: current.direction === 'ascending' ? 'descending' : 'ascending',
    };
  }
  return { key: column.key, direction: column.firstDirection ?? 'ascending' };
}

// The value of aria-sort for a column header.
export function ariaSort(state: SortState | null, key: string): Direction | 'none' {
  return state && state.key === key ? state.direction : 'none';
}

export type SortValue = string | number | null | undefined;

// A sorted copy (stable: equal rows keep their order). Numbers compare as numbers, text by
// locale-independent code points after lower-casing; missing values sort last either way.
export function sortRows<T>(
  rows: readonly T[],
  state: SortState | null,
  value: (row: T, key: string) => SortValue,
): T[] {
  const indexed = rows.map((row, index) => ({ row, index }));
  if (!state) return rows.slice();
  const sign = state.direction === 'ascending' ? 1 : -1;
  indexed.sort((a, b) => {
    const x = value(a.row, state.key);
    const y = value(b.row, state.key);
    const xMissing = x === null || x === undefined || x === '';
    const yMissing = y === null || y === undefined || y === '';
    if (xMissing || yMissing) {
      if (xMissing && yMissing) return a.index - b.index;
      return xMissing ? 1 : -1;
    }
    let order: number;
    if (typeof x === 'number' && typeof y === 'number') {
      order = x - y;
    } else {
      const xs = String(x).toLowerCase();
      const ys = String(y).toLowerCase();
      order = xs < ys ? -1 : xs > ys ? 1 : 0;
    }
    return order !== 0 ? sign * order : a.index - b.index;
  });
  return indexed.map((entry) => entry.row);
}
