// Previous/next buttons for offset pages, and where the page is, as text.
import { formatCount } from './format';

interface PagerProps {
  offset: number;
  limit: number;
  total: number;
  shown: number;
  label: string; // "findings"
  onOffset: (offset: number) => void;
}

export function Pager({ offset, limit, total, shown, label, onOffset }: PagerProps) {
  const first = total === 0 ? 0 : offset + 1;
  const last = offset + shown;
  return (
    <nav class="pager" aria-label={`Pages of ${label}`}>
      <button
        type="button"
        disabled={offset <= 0}
        onClick={() => onOffset(Math.max(0, offset - limit))}
      >
        Previous
      </button>
      <span role="status">
        {formatCount(first)}–{formatCount(last)} of {formatCount(total)} {label}
      </span>
      <button type="button" disabled={last >= total} onClick={() => onOffset(offset + limit)}>
        Next
      </button>
    </nav>
  );
}
