// Loading and error lines of a page: text in a live region, so screen readers hear them too.
import type { ApiError } from '../api/client';

export function LoadError({ error }: { error: ApiError | null }) {
  if (!error || error.status === 401) return null;
  return (
    <p class="error" role="alert">
      <span aria-hidden="true">⚠ </span>
      {error.status === 404 ? 'Not found: ' : 'The server could not answer: '}
      {error.message}
    </p>
  );
}

export function Loading({ loading }: { loading: boolean }) {
  return (
    <p class="loading" role="status">
      {loading ? 'Loading…' : ''}
    </p>
  );
}
