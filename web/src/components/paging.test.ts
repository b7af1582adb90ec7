import { describe, expect, it } from 'vitest';
import {
  bodyState,
  cursorCurrent,
  cursorFor,
  cursorNewer,
  cursorOlder,
  cursorStart,
  offsetPage,
  pagerShown,
  prefixPage,
  prefixWindow,
} from './paging';

describe('offsetPage', () => {
  it('places the first page and offers only Next', () => {
    expect(offsetPage(0, 100, 250, 100)).toEqual({
      first: 1,
      last: 100,
      previous: null,
      next: 100,
    });
  });

  it('places a middle page and the last, short one', () => {
    expect(offsetPage(100, 100, 250, 100)).toEqual({
      first: 101,
      last: 200,
      previous: 0,
      next: 200,
    });
    expect(offsetPage(200, 100, 250, 50)).toEqual({
      first: 201,
      last: 250,
      previous: 100,
      next: null,
    });
  });

  it('has no Next when everything fits and no Previous below zero', () => {
    expect(offsetPage(0, 100, 3, 3)).toEqual({ first: 1, last: 3, previous: null, next: null });
    expect(offsetPage(30, 100, 3, 0)).toEqual({ first: 0, last: 0, previous: 0, next: null });
  });

  it('says nothing is shown for an empty list', () => {
    expect(offsetPage(0, 100, 0, 0)).toEqual({ first: 0, last: 0, previous: null, next: null });
  });

  it('offers Next while the server says there may be more (no total)', () => {
    expect(offsetPage(0, 100, Infinity, 100).next).toBe(100);
    expect(offsetPage(100, 100, 100 + 40, 40).next).toBeNull();
  });
});

describe('cursor pages', () => {
  it('pushes the next cursor going older and pops it going newer', () => {
    let stack = cursorStart('k');
    expect(cursorCurrent(stack)).toBe('');
    stack = cursorOlder(stack, 'c1');
    stack = cursorOlder(stack, 'c2');
    expect(stack.cursors).toEqual(['', 'c1', 'c2']);
    expect(cursorCurrent(stack)).toBe('c2');
    stack = cursorNewer(stack);
    expect(cursorCurrent(stack)).toBe('c1');
    stack = cursorNewer(cursorNewer(stack));
    expect(stack.cursors).toEqual(['']);
  });

  it('stays on the last page when the server gives no cursor', () => {
    const stack = cursorOlder(cursorStart('k'), 'c1');
    expect(cursorOlder(stack, null)).toBe(stack);
    expect(cursorOlder(stack, '')).toBe(stack);
  });

  it('starts again at page one for other filters', () => {
    const stack = cursorOlder(cursorStart('a'), 'c1');
    expect(cursorFor(stack, 'a')).toBe(stack);
    expect(cursorFor(stack, 'b')).toEqual({ key: 'b', cursors: [''] });
  });
});

describe('prefix windows (newest first, limit only)', () => {
  it('asks for the rows up to the end of the page', () => {
    expect(prefixWindow(0, 100, 1000)).toEqual({ request: 100, offset: 0 });
    expect(prefixWindow(200, 100, 1000)).toEqual({ request: 300, offset: 200 });
  });

  it('snaps an offset to a page and keeps it within the API limit', () => {
    expect(prefixWindow(150, 100, 1000)).toEqual({ request: 200, offset: 100 });
    expect(prefixWindow(5000, 100, 1000)).toEqual({ request: 1000, offset: 900 });
    expect(prefixWindow(-5, 100, 1000)).toEqual({ request: 100, offset: 0 });
  });

  it('shows the last page of the answer and says whether more may follow', () => {
    const rows = Array.from({ length: 300 }, (_, i) => i);
    const page = prefixPage(rows, prefixWindow(200, 100, 1000), 100, 1000);
    expect(page.rows).toHaveLength(100);
    expect(page.rows[0]).toBe(200);
    expect(page.more).toBe(true);
    expect(page.capped).toBe(false);

    const short = prefixPage(rows.slice(0, 250), prefixWindow(200, 100, 1000), 100, 1000);
    expect(short.rows).toEqual(rows.slice(200, 250));
    expect(short.more).toBe(false);
  });

  it('says when the API limit hides older rows', () => {
    const rows = Array.from({ length: 1000 }, (_, i) => i);
    const page = prefixPage(rows, prefixWindow(900, 100, 1000), 100, 1000);
    expect(page.rows[0]).toBe(900);
    expect(page.more).toBe(false);
    expect(page.capped).toBe(true);
  });
});

describe('bodyState', () => {
  it('shows rows when there are any, even while reloading or after an error', () => {
    expect(bodyState(true, false, 3)).toBe('rows');
    expect(bodyState(false, true, 3)).toBe('rows');
  });

  it('says loading, error or empty otherwise', () => {
    expect(bodyState(true, false, 0)).toBe('loading');
    expect(bodyState(false, true, 0)).toBe('error');
    expect(bodyState(false, false, 0)).toBe('empty');
  });
});

describe('pagerShown', () => {
  const base = { offset: 0, limit: 100, total: 0, shown: 0, loading: false };
  it('hides before the first answer and for an empty list', () => {
    expect(pagerShown({ ...base, loading: true })).toBe(false);
    expect(pagerShown(base)).toBe(false);
  });

  it('shows for any rows of a server-paged list, and past the end', () => {
    expect(pagerShown({ ...base, total: 3, shown: 3 })).toBe(true);
    expect(pagerShown({ ...base, offset: 200, total: 3 })).toBe(true);
  });

  it('shows for lists sorted here only when there is more than a page', () => {
    expect(pagerShown({ ...base, total: 100, shown: 100, onlyWhenMany: true })).toBe(false);
    expect(pagerShown({ ...base, total: 101, shown: 100, onlyWhenMany: true })).toBe(true);
  });

  it('uses `more` when the server does not count', () => {
    expect(pagerShown({ ...base, total: null, shown: 0 })).toBe(false);
    expect(pagerShown({ ...base, total: null, shown: 4 })).toBe(true);
    expect(pagerShown({ ...base, total: null, shown: 100, more: true, onlyWhenMany: true })).toBe(
      true,
    );
  });
});
