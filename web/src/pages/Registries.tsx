// The registry drill-down, first three levels: registries → repositories → images. Each level
// lists what one API call returns (up to 1000 items), sorted and paged here.
import { useCallback, useState } from 'preact/hooks';
import type {
  Counts,
  Image,
  ImageList,
  RegistryList,
  RegistrySummary,
  Repository,
  RepositoryList,
} from '../api/types';
import { Breadcrumb } from '../components/Breadcrumb';
import { useApp } from '../components/context';
import { formatCount, formatTime, shortDigest } from '../components/format';
import { PagedTable } from '../components/PagedTable';
import { CountsBar } from '../components/Severity';
import type { Column } from '../components/Table';
import { useClientTable } from '../components/useClientTable';
import { useLoad } from '../components/useLoad';
import { formatHash } from '../state/hash';

const MAX_LIST = 1000;

function countColumns<T>(counts: (row: T) => Counts): Column<T>[] {
  const column = (key: keyof Counts, label: string): Column<T> => ({
    key,
    label,
    numeric: true,
    sortable: true,
    firstDirection: 'descending',
    render: (row) => formatCount(counts(row)[key]),
  });
  return [
    column('critical', 'Critical'),
    column('high', 'High'),
    column('medium', 'Medium'),
    column('low', 'Low'),
    column('total', 'Total'),
    { key: 'bar', label: 'By severity', render: (row) => <CountsBar counts={counts(row)} /> },
  ];
}

function countValue(counts: Counts, key: string): number | undefined {
  return key in counts ? counts[key as keyof Counts] : undefined;
}

function TruncationNote({ shown, total }: { shown: number; total: number }) {
  if (total <= shown) return null;
  return (
    <p class="notice">
      Showing the first {formatCount(shown)} of {formatCount(total)}.
    </p>
  );
}

export function RegistriesPage() {
  const { api } = useApp();
  const loaded = useLoad('registries', (signal) =>
    api.get<RegistryList>('/api/v1/registries', { limit: MAX_LIST }, { signal }),
  );
  const rows = loaded.data?.registries ?? [];
  const table = useClientTable<RegistrySummary>(
    rows,
    { key: 'name', direction: 'ascending' },
    (row, key) =>
      key === 'name'
        ? row.name
        : key === 'repositories'
          ? row.repositories
          : key === 'images'
            ? row.images
            : countValue(row.counts, key),
  );
  const columns: Column<RegistrySummary>[] = [
    {
      key: 'name',
      label: 'Registry',
      sortable: true,
      rowHeader: true,
      render: (row) => <a href={formatHash(['registries', row.name])}>{row.name}</a>,
    },
    { key: 'url', label: 'URL', render: (row) => row.url },
    {
      key: 'repositories',
      label: 'Repositories',
      numeric: true,
      sortable: true,
      firstDirection: 'descending',
      render: (row) => formatCount(row.repositories),
    },
    {
      key: 'images',
      label: 'Images',
      numeric: true,
      sortable: true,
      firstDirection: 'descending',
      render: (row) => `${formatCount(row.scanned)} / ${formatCount(row.images)} scanned`,
    },
    ...countColumns<RegistrySummary>((row) => row.counts),
  ];
  return (
    <>
      <h1 tabIndex={-1}>Registries</h1>
      <PagedTable
        caption="Registries with their findings by severity"
        columns={columns}
        rows={table.page}
        rowKey={(row) => row.name}
        loaded={loaded}
        sort={table.sort}
        onSort={table.onSort}
        empty="No registries yet: add one with bulwark registry add (docs/serve.md)."
        paging={table.paging('registries')}
      />
      <TruncationNote shown={rows.length} total={loaded.data?.total ?? 0} />
    </>
  );
}

function SearchField({
  id,
  label,
  value,
  onInput,
}: {
  id: string;
  label: string;
  value: string;
  onInput: (v: string) => void;
}) {
  return (
    <div class="field">
      <label for={id}>{label}</label>
      <input
        id={id}
        type="search"
        value={value}
        onInput={(e) => onInput((e.target as HTMLInputElement).value)}
      />
    </div>
  );
}

export function RepositoriesPage({ registry }: { registry: string }) {
  const { api } = useApp();
  const [search, setSearch] = useState('');
  const loaded = useLoad(`repositories:${registry}`, (signal) =>
    api.get<RepositoryList>(
      `/api/v1/registries/${encodeURIComponent(registry)}/repositories`,
      { limit: MAX_LIST },
      { signal },
    ),
  );
  const rows = loaded.data?.repositories ?? [];
  const needle = search.trim().toLowerCase();
  const matches = useCallback(
    (row: Repository) => row.repository.toLowerCase().includes(needle),
    [needle],
  );
  const table = useClientTable<Repository>(
    rows,
    { key: 'critical', direction: 'descending' },
    (row, key) =>
      key === 'repository'
        ? row.repository
        : key === 'images'
          ? row.images
          : key === 'last_pushed'
            ? row.last_pushed
            : countValue(row.counts, key),
    needle ? matches : undefined,
  );
  const columns: Column<Repository>[] = [
    {
      key: 'repository',
      label: 'Repository',
      sortable: true,
      rowHeader: true,
      render: (row) => (
        <a href={formatHash(['registries', registry, 'images'], { repository: row.repository })}>
          {row.repository}
        </a>
      ),
    },
    {
      key: 'images',
      label: 'Images',
      numeric: true,
      sortable: true,
      firstDirection: 'descending',
      render: (row) => `${formatCount(row.scanned)} / ${formatCount(row.images)} scanned`,
    },
    ...countColumns<Repository>((row) => row.counts),
    {
      key: 'last_pushed',
      label: 'Last push',
      sortable: true,
      firstDirection: 'descending',
      render: (row) => formatTime(row.last_pushed),
    },
  ];
  return (
    <>
      <Breadcrumb
        items={[{ label: 'Registries', href: formatHash(['registries']) }, { label: registry }]}
      />
      <h1 tabIndex={-1}>Repositories of {registry}</h1>
      <form class="filters" role="search" onSubmit={(e) => e.preventDefault()}>
        <SearchField
          id="repo-search"
          label="Repository name contains"
          value={search}
          onInput={setSearch}
        />
      </form>
      <PagedTable
        caption={`Repositories of ${registry} with their findings by severity`}
        columns={columns}
        rows={table.page}
        rowKey={(row) => row.repository}
        loaded={loaded}
        sort={table.sort}
        onSort={table.onSort}
        empty={needle ? 'No repository matches.' : 'No repositories in this registry yet.'}
        paging={table.paging('repositories')}
      />
      <TruncationNote shown={rows.length} total={loaded.data?.total ?? 0} />
    </>
  );
}

export function ImagesPage({ registry, repository }: { registry: string; repository: string }) {
  const { api } = useApp();
  const loaded = useLoad(`images:${registry}:${repository}`, (signal) =>
    api.get<ImageList>(
      `/api/v1/registries/${encodeURIComponent(registry)}/images`,
      { repository, limit: MAX_LIST },
      { signal },
    ),
  );
  const rows = loaded.data?.images ?? [];
  const table = useClientTable<Image>(
    rows,
    { key: 'last_pushed', direction: 'descending' },
    (row, key) =>
      key === 'digest'
        ? row.digest
        : key === 'last_pushed'
          ? row.last_pushed
          : key === 'tags'
            ? row.tags.join(' ')
            : countValue(row.counts, key),
  );
  const columns: Column<Image>[] = [
    {
      key: 'digest',
      label: 'Digest',
      sortable: true,
      rowHeader: true,
      render: (row) =>
        row.scanned ? (
          <a href={formatHash(['images', row.digest], { registry, repository })} title={row.digest}>
            <code>{shortDigest(row.digest)}</code>
          </a>
        ) : (
          <code title={row.digest}>{shortDigest(row.digest)}</code>
        ),
    },
    {
      key: 'tags',
      label: 'Tags',
      sortable: true,
      render: (row) => (row.tags.length ? row.tags.join(', ') : '—'),
    },
    {
      key: 'os',
      label: 'OS',
      render: (row) => (row.scan ? row.scan.os || '—' : 'not scanned yet'),
    },
    ...countColumns<Image>((row) => row.counts),
    {
      key: 'last_pushed',
      label: 'Last push',
      sortable: true,
      firstDirection: 'descending',
      render: (row) => formatTime(row.last_pushed),
    },
  ];
  return (
    <>
      <Breadcrumb
        items={[
          { label: 'Registries', href: formatHash(['registries']) },
          { label: registry, href: formatHash(['registries', registry]) },
          { label: repository },
        ]}
      />
      <h1 tabIndex={-1}>Images of {repository}</h1>
      <PagedTable
        caption={`Images of ${registry}/${repository}, newest push first`}
        columns={columns}
        rows={table.page}
        rowKey={(row) => row.digest}
        loaded={loaded}
        sort={table.sort}
        onSort={table.onSort}
        empty="No images in this repository."
        paging={table.paging('images')}
      />
      <TruncationNote shown={rows.length} total={loaded.data?.total ?? 0} />
    </>
  );
}
