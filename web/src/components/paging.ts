// The state of a paged table, kept pure so it can be tested without a DOM: what an offset page
// shows and where its buttons go, the cursor stack of a list the server pages by cursor, the
// window of a list the server only gives newest first up to a limit, and which of loading,
// error, empty or rows the table's body shows.

// No table puts more rows than this in the DOM (docs/dev/posture-design.md §7.2).
export const MAX_ROWS = 100;

// The page buttons of a PagedTable. Offset pages: `total` is null when the server does not count
// (then `more` says whether a next page may exist).
export interface OffsetPaging {
  kind: 'offset';
  offset: number;
  limit: number;
  total: number | null;
  more?: boolean;
  label: string;
  onOffset: (offset: number) => void;
  onlyWhenMany?: boolean; // show the buttons only when there is more than one page
}

// Cursor pages (Newer / Older), the cursors kept in a CursorStack.
export interface CursorPaging {
  kind: 'cursor';
  page: number; // 1-based
  hasOlder: boolean;
  label: string;
  onNewer: () => void;
  onOlder: () => void;
}

export interface OffsetPage {
  first: number; // 1-based position of the first row shown (0 when there is none)
  last: number; // position of the last row shown
  previous: number | null; // the offset of the page before, null on the first page
  next: number | null; // the offset of the page after, null on the last page
}

// Where an offset page of `shown` rows out of `total` is, and where its buttons lead.
export function offsetPage(
  offset: number,
  limit: number,
  total: number,
  shown: number,
): OffsetPage {
  const size = Math.max(1, limit);
  const start = Math.max(0, offset);
  const rows = Math.max(0, shown);
  return {
    first: rows > 0 ? start + 1 : 0,
    last: rows > 0 ? start + rows : 0,
    previous: start > 0 ? Math.max(0, start - size) : null,
    next: rows > 0 && start + rows < total ? start + size : null,
  };
}

// A list paged by the server's cursor: stack[i] is the cursor of page i ('' for the first), so
// going back needs no cursor from the server. A different filter key starts again at page one.
export interface CursorStack {
  key: string;
  cursors: string[];
}

export function cursorStart(key: string): CursorStack {
  return { key, cursors: [''] };
}

// The stack as seen under `key`: the one kept when it belongs to that key, else page one.
export function cursorFor(stack: CursorStack, key: string): CursorStack {
  return stack.key === key ? stack : cursorStart(key);
}

export function cursorCurrent(stack: CursorStack): string {
  return stack.cursors[stack.cursors.length - 1] ?? '';
}

export function cursorOlder(stack: CursorStack, next: string | null): CursorStack {
  if (!next) return stack;
  return { key: stack.key, cursors: [...stack.cursors, next] };
}

export function cursorNewer(stack: CursorStack): CursorStack {
  if (stack.cursors.length <= 1) return stack;
  return { key: stack.key, cursors: stack.cursors.slice(0, -1) };
}

// A list the server answers newest first with only a `limit` (no offset or cursor): page N is
// read as the first (N + 1) × size rows, of which the last page is shown. `max` is the API's
// largest limit; past it there is no next page.
export interface PrefixWindow {
  request: number; // the limit to ask for
  offset: number; // the offset actually shown (clamped to what `max` allows)
}

export function prefixWindow(offset: number, size: number, max: number): PrefixWindow {
  const pageSize = Math.max(1, Math.min(size, max));
  const lastStart = Math.floor((max - 1) / pageSize) * pageSize;
  const start = Math.min(Math.max(0, Math.floor(offset / pageSize) * pageSize), lastStart);
  return { request: Math.min(start + pageSize, max), offset: start };
}

export interface PrefixPage<T> {
  rows: T[];
  offset: number;
  more: boolean; // the server may have rows past this page
  capped: boolean; // there may be more, but the API's limit stops here
}

export function prefixPage<T>(
  answer: readonly T[],
  window: PrefixWindow,
  size: number,
  max: number,
): PrefixPage<T> {
  const full = answer.length >= window.request;
  const rows = answer.slice(window.offset, window.offset + size);
  return {
    rows,
    offset: window.offset,
    more: full && window.request < max,
    capped: full && window.request >= max,
  };
}

export type BodyState = 'loading' | 'error' | 'empty' | 'rows';

// What a table's body shows: the rows when there are any (a reload keeps the last ones in view),
// else why there are none.
export function bodyState(loading: boolean, failed: boolean, rows: number): BodyState {
  if (rows > 0) return 'rows';
  if (loading) return 'loading';
  if (failed) return 'error';
  return 'empty';
}

// Whether a table shows its offset page buttons: not before the first answer, not for a list
// with nothing in it (unless the page is past its end: Previous leads back), and, for the lists
// a page sorts itself, not when everything fits on one page.
export function pagerShown(p: {
  offset: number;
  limit: number;
  total: number | null;
  more?: boolean;
  shown: number;
  loading: boolean;
  onlyWhenMany?: boolean;
}): boolean {
  if (p.loading && p.shown === 0) return false;
  if (p.offset > 0) return true;
  const known = p.total ?? p.shown + (p.more ? 1 : 0);
  if (known === 0) return false;
  return !p.onlyWhenMany || known > p.limit;
}
