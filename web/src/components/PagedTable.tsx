// The paged table every list page shows: its loading line and error (live regions), the table
// (caption, column headers with scope, sort buttons with aria-sort, the page's rows) and the
// page buttons under it, by offset or by the server's cursor. At most MAX_ROWS rows reach the
// DOM; the state behind the buttons is in paging.ts.
import type { ApiError } from '../api/client';
import { CursorPager, Pager } from './Pager';
import { MAX_ROWS, pagerShown, type CursorPaging, type OffsetPaging } from './paging';
import { LoadError, Loading } from './Status';
import { Table, type Column } from './Table';
import type { SortState } from './sort';

interface PagedTableProps<T> {
  caption: string;
  columns: Column<T>[];
  rows: readonly T[];
  rowKey: (row: T) => string;
  loaded: { loading: boolean; error: ApiError | null };
  sort?: SortState | null;
  onSort?: (column: Column<T>) => void;
  empty?: string;
  paging?: OffsetPaging | CursorPaging;
}

export function PagedTable<T>(props: PagedTableProps<T>) {
  const { caption, columns, rowKey, loaded, sort, onSort, empty, paging } = props;
  const rows = props.rows.length > MAX_ROWS ? props.rows.slice(0, MAX_ROWS) : props.rows.slice();
  return (
    <>
      <Loading loading={loaded.loading} />
      <LoadError error={loaded.error} />
      <Table
        caption={caption}
        columns={columns}
        rows={rows}
        rowKey={rowKey}
        sort={sort}
        onSort={onSort}
        busy={loaded.loading}
        failed={loaded.error !== null}
        empty={empty}
      />
      {paging && <Pages paging={paging} shown={rows.length} loading={loaded.loading} />}
    </>
  );
}

interface PagesProps {
  paging: OffsetPaging | CursorPaging;
  shown: number;
  loading: boolean;
}

function Pages({ paging, shown, loading }: PagesProps) {
  if (paging.kind === 'cursor') {
    return (
      <CursorPager
        page={paging.page}
        shown={shown}
        label={paging.label}
        hasNewer={paging.page > 1}
        hasOlder={paging.hasOlder}
        onNewer={paging.onNewer}
        onOlder={paging.onOlder}
      />
    );
  }
  const { offset, limit, total, more, label, onOffset, onlyWhenMany } = paging;
  if (!pagerShown({ offset, limit, total, more, shown, loading, onlyWhenMany })) return null;
  return (
    <Pager
      offset={offset}
      limit={limit}
      total={total}
      more={more}
      shown={shown}
      label={label}
      onOffset={onOffset}
    />
  );
}
