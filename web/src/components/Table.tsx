// A data table: a caption, column headers with scope, sort buttons with aria-sort, and the rows
// it is given (a page: the caller keeps the DOM under a few hundred rows).
import type { ComponentChildren } from 'preact';
import { bodyState } from './paging';
import { ariaSort, type SortColumn, type SortState } from './sort';

export interface Column<T> extends SortColumn {
  label: string;
  sortable?: boolean;
  numeric?: boolean;
  rowHeader?: boolean; // this column's cells are the rows' headers (<th scope="row">)
  nowrap?: boolean;
  render: (row: T) => ComponentChildren;
}

interface TableProps<T> {
  caption: string;
  columns: Column<T>[];
  rows: T[];
  rowKey: (row: T) => string;
  sort?: SortState | null;
  onSort?: (column: Column<T>) => void;
  empty?: string;
  busy?: boolean;
  failed?: boolean; // the rows could not be loaded (the error is shown above the table)
}

function cellClass<T>(column: Column<T>): string | undefined {
  const names = [column.numeric ? 'num' : '', column.nowrap ? 'nowrap' : ''].filter(Boolean);
  return names.length ? names.join(' ') : undefined;
}

export function Table<T>(props: TableProps<T>) {
  const { caption, columns, rows, rowKey, sort = null, onSort, empty, busy, failed } = props;
  const body = bodyState(Boolean(busy), Boolean(failed), rows.length);
  return (
    <div class="table-wrap">
      <table aria-busy={busy ? 'true' : undefined}>
        <caption>{caption}</caption>
        <thead>
          <tr>
            {columns.map((column) => {
              const state = ariaSort(sort, column.key);
              const sortable = column.sortable && onSort;
              return (
                <th
                  key={column.key}
                  scope="col"
                  class={column.numeric ? 'num' : undefined}
                  aria-sort={sortable && state !== 'none' ? state : undefined}
                >
                  {sortable ? (
                    <button type="button" class="sort" onClick={() => onSort(column)}>
                      {column.label}
                      <span aria-hidden="true" class="sort-mark">
                        {state === 'ascending' ? '▲' : state === 'descending' ? '▼' : '↕'}
                      </span>
                    </button>
                  ) : (
                    column.label
                  )}
                </th>
              );
            })}
          </tr>
        </thead>
        <tbody>
          {body !== 'rows' ? (
            <tr>
              <td colSpan={columns.length} class="empty">
                {body === 'loading'
                  ? 'Loading…'
                  : body === 'error'
                    ? 'Could not load.'
                    : (empty ?? 'Nothing to show.')}
              </td>
            </tr>
          ) : (
            rows.map((row) => (
              <tr key={rowKey(row)}>
                {columns.map((column) =>
                  column.rowHeader ? (
                    <th key={column.key} scope="row" class={cellClass(column)}>
                      {column.render(row)}
                    </th>
                  ) : (
                    <td key={column.key} class={cellClass(column)}>
                      {column.render(row)}
                    </td>
                  ),
                )}
              </tr>
            ))
          )}
        </tbody>
      </table>
    </div>
  );
}
