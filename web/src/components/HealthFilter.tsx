// A table's filter by assessment status (any, healthy, unhealthy, …): a labelled select in a
// search form, as the resource page's assessments and a recommendation's resources use it.
import { HEALTHS } from '../api/types';

interface HealthFilterProps {
  id: string; // the select's id (its label points at it)
  label: string; // what the form filters, for assistive technology: "Filter assessments"
  value: string; // "" = any
  onChange: (value: string) => void;
}

export function HealthFilter({ id, label, value, onChange }: HealthFilterProps) {
  return (
    <form class="filters" role="search" aria-label={label} onSubmit={(e) => e.preventDefault()}>
      <div class="field">
        <label for={id}>Status</label>
        <select
          id={id}
          value={value}
          onChange={(e) => onChange((e.target as HTMLSelectElement).value)}
        >
          <option value="">any</option>
          {HEALTHS.map((h) => (
            <option key={h} value={h}>
              {h.replace('-', ' ')}
            </option>
          ))}
        </select>
      </div>
    </form>
  );
}
