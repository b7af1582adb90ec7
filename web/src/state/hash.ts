// Hash routes: "#/registries/local/images?repository=library%2Fdebian&offset=100". Path segments
// and query values are URI-encoded (repository names hold '/', digests ':'), so any value
// survives a round trip and a deep link needs nothing from the server.

export type Params = Record<string, string>;

export interface Route {
  path: string[]; // decoded segments: ["registries", "local", "images"]
  query: Params; // decoded; a key given twice keeps its last value
}

function decode(text: string): string {
  try {
    return decodeURIComponent(text.replace(/\+/g, ' '));
  } catch {
    return text; // a malformed escape is kept as typed
  }
}

export function parseHash(hash: string): Route {
  let text = hash.startsWith('#') ? hash.slice(1) : hash;
  const mark = text.indexOf('?');
  const queryText = mark >= 0 ? text.slice(mark + 1) : '';
  text = mark >= 0 ? text.slice(0, mark) : text;
  const path = text
    .split('/')
    .filter((segment) => segment !== '')
    .map(decode);
  const query: Params = {};
  for (const pair of queryText.split('&')) {
    if (pair === '') continue;
    const eq = pair.indexOf('=');
    const key = decode(eq >= 0 ? pair.slice(0, eq) : pair);
    if (key !== '') query[key] = decode(eq >= 0 ? pair.slice(eq + 1) : '');
  }
  return { path, query };
}

export type QueryChanges = Record<string, string | number | boolean | null | undefined>;

// "#/a/b?k=v": empty, null and undefined values are left out; keys in the order given.
export function formatHash(path: string[], query: QueryChanges = {}): string {
  const pathText = path.map((segment) => encodeURIComponent(segment)).join('/');
  const pairs: string[] = [];
  for (const [key, value] of Object.entries(query)) {
    if (value === null || value === undefined || value === '' || value === false) continue;
    pairs.push(`${encodeURIComponent(key)}=${encodeURIComponent(String(value))}`);
  }
  return `#/${pathText}${pairs.length ? `?${pairs.join('&')}` : ''}`;
}

// The route with some query values changed (null/undefined/"" removes one). Changing anything
// but the offset goes back to the first page: page 3 of other filters means nothing.
export function withQuery(route: Route, changes: QueryChanges): string {
  const query: QueryChanges = { ...route.query };
  for (const [key, value] of Object.entries(changes)) query[key] = value;
  if (!('offset' in changes)) delete query.offset;
  return formatHash(route.path, query);
}

// A non-negative integer query value (an offset), else `fallback`.
export function intParam(query: Params, key: string, fallback = 0): number {
  const text = query[key];
  if (text === undefined || !/^\d{1,15}$/.test(text)) return fallback;
  return Number(text);
}
