// Page buttons under a table, and where the page is, as text in a live region: offset pages
// (Previous / Next, "101–200 of 1,234 findings") and cursor pages (Newer / Older, "Page 2").
import { formatCount } from './format';
import { offsetPage } from './paging';

interface PagerProps {
  offset: number;
  limit: number;
  // null: the server does not count the list; `more` says whether a next page may exist.
  total: number | null;
  more?: boolean;
  shown: number;
  label: string; // "findings"
  onOffset: (offset: number) => void;
}

export function Pager({ offset, limit, total, more, shown, label, onOffset }: PagerProps) {
  const known = total !== null;
  const page = offsetPage(offset, limit, known ? total : more ? Infinity : offset + shown, shown);
  const previous = page.previous;
  const next = page.next;
  return (
    <nav class="pager" aria-label={`Pages of ${label}`}>
      <button
        type="button"
        disabled={previous === null}
        onClick={() => previous !== null && onOffset(previous)}
      >
        Previous
      </button>
      <span role="status">
        {formatCount(page.first)}–{formatCount(page.last)}
        {known ? ` of ${formatCount(total)}` : ''} {label}
      </span>
      <button
        type="button"
        disabled={next === null}
        onClick={() => next !== null && onOffset(next)}
      >
        Next
      </button>
    </nav>
  );
}

interface CursorPagerProps {
  page: number; // 1-based
  shown: number;
  label: string; // "alerts"
  hasNewer: boolean;
  hasOlder: boolean;
  onNewer: () => void;
  onOlder: () => void;
}

export function CursorPager(props: CursorPagerProps) {
  const { page, shown, label, hasNewer, hasOlder, onNewer, onOlder } = props;
  return (
    <nav class="pager" aria-label={`Pages of ${label}`}>
      <button type="button" disabled={!hasNewer} onClick={onNewer}>
        Newer
      </button>
      <span role="status">
        Page {page}
        {shown ? `: ${shown} ${label}` : ''}
      </span>
      <button type="button" disabled={!hasOlder} onClick={onOlder}>
        Older
      </button>
    </nav>
  );
}
