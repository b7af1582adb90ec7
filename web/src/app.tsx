// The app shell: the session (login ↔ pages), the hash router, the navigation with a skip link,
// and focus moved to the new page's heading when the page (not just its filters) changes.
import { useEffect, useLayoutEffect, useMemo, useRef, useState } from 'preact/hooks';
import { ApiClient } from './api/client';
import type { WhoAmI } from './api/types';
import { AppContext } from './components/context';
import { AlertsPage } from './pages/Alerts';
import { ContainersPage, ResourcePage } from './pages/Containers';
import { ExemptionsPage } from './pages/Exemptions';
import { FindingsPage } from './pages/Findings';
import { Login } from './pages/Login';
import { OverviewPage } from './pages/Overview';
import { RecommendationPage, RecommendationsPage } from './pages/Recommendations';
import { ImagesPage, RegistriesPage, RepositoriesPage } from './pages/Registries';
import { formatHash, parseHash, type Route } from './state/hash';
import { endSession, loadToken, takeLoginMessage } from './state/session';

const NAV: { label: string; href: string; section: string }[] = [
  { label: 'Overview', href: formatHash(['overview']), section: 'overview' },
  { label: 'Recommendations', href: formatHash(['recommendations']), section: 'recommendations' },
  { label: 'Exemptions', href: formatHash(['exemptions']), section: 'exemptions' },
  { label: 'Containers', href: formatHash(['containers']), section: 'containers' },
  { label: 'Registries', href: formatHash(['registries']), section: 'registries' },
  { label: 'Security alerts', href: formatHash(['alerts']), section: 'alerts' },
];

function useHashRoute(): Route {
  const [hash, setHash] = useState(window.location.hash);
  useEffect(() => {
    const changed = () => setHash(window.location.hash);
    window.addEventListener('hashchange', changed);
    return () => window.removeEventListener('hashchange', changed);
  }, []);
  return useMemo(() => parseHash(hash), [hash]);
}

function page(route: Route) {
  const [section, a, b] = route.path;
  if (section === 'overview' && a === undefined)
    return { title: 'Overview', body: <OverviewPage /> };
  if (section === 'registries' && a === undefined)
    return { title: 'Registries', body: <RegistriesPage /> };
  if (section === 'registries' && b === undefined)
    return { title: a, body: <RepositoriesPage registry={a} /> };
  if (section === 'registries' && b === 'images' && route.query.repository) {
    const repository = route.query.repository;
    return { title: repository, body: <ImagesPage registry={a} repository={repository} /> };
  }
  if (section === 'images' && a !== undefined && b === undefined) {
    return { title: 'Findings', body: <FindingsPage digest={a} /> };
  }
  if (section === 'recommendations' && a === undefined)
    return { title: 'Recommendations', body: <RecommendationsPage /> };
  if (section === 'recommendations' && b === undefined)
    return { title: a, body: <RecommendationPage id={a} /> };
  if (section === 'exemptions' && a === undefined)
    return { title: 'Exemptions', body: <ExemptionsPage /> };
  if (section === 'containers' && a === undefined)
    return { title: 'Containers', body: <ContainersPage /> };
  if (section === 'resources' && a !== undefined && b === undefined)
    return { title: 'Resource', body: <ResourcePage id={a} /> };
  if (section === 'alerts' && a === undefined)
    return { title: 'Security alerts', body: <AlertsPage /> };
  return {
    title: 'Not found',
    body: (
      <>
        <h1 tabIndex={-1}>No such page</h1>
        <p>
          Nothing lives at this address. Go to the{' '}
          <a href={formatHash(['registries'])}>registries</a>.
        </p>
      </>
    ),
  };
}

export function App() {
  const route = useHashRoute();
  const [user, setUser] = useState<WhoAmI | null>(null);
  const [token, setToken] = useState(loadToken());
  const [message, setMessage] = useState(() => takeLoginMessage());
  const main = useRef<HTMLElement>(null);

  const api = useMemo(
    () =>
      new ApiClient({
        token: loadToken,
        onUnauthorized: (reason) => {
          endSession();
          setUser(null);
          setToken(null);
          setMessage(`You were logged out: ${reason}. Log in again.`);
        },
      }),
    [],
  );

  // A token from an earlier visit in this tab: check it (and learn who it is) once.
  useEffect(() => {
    if (!token || user) return;
    api.get<WhoAmI>('/api/v1/whoami').then(
      (who) => {
        if (who.role === 'ingest') {
          endSession();
          setToken(null);
          setMessage('Ingest tokens cannot read the API. Log in with a reader or admin token.');
        } else {
          setUser(who);
        }
      },
      () => undefined, // 401 already ended the session; other errors show on the pages
    );
  }, [token]);

  // Focus goes to the new page's heading when the user moves to another page or has just
  // logged in (the form they were in is gone), not on the first load: the skip link stays the
  // first Tab stop there. A layout effect, so the focus moves in the same task as the page
  // appears; and not waiting for whoami, which may answer after the first move.
  const pathKey = route.path.join('/');
  const shownPath = useRef<string | null>(null);
  const focusNext = useRef(false);
  useLayoutEffect(() => {
    if (!token) return;
    const moved = shownPath.current !== null && shownPath.current !== pathKey;
    shownPath.current = pathKey;
    if (!moved && !focusNext.current) return;
    focusNext.current = false;
    const heading = main.current?.querySelector<HTMLElement>('h1');
    (heading ?? main.current)?.focus();
  }, [pathKey, token]);

  if (route.path.length === 0 && token) {
    window.location.replace(formatHash(['overview']));
  }

  if (!token) {
    return (
      <Login
        api={api}
        message={message}
        onLogin={(who) => {
          focusNext.current = true;
          setMessage('');
          setUser(who);
          setToken(loadToken());
          if (route.path.length === 0) window.location.hash = formatHash(['overview']);
        }}
      />
    );
  }

  const current = page(route);
  document.title = `${current.title} · bulwark`;
  const section = route.path[0] ?? '';
  return (
    <AppContext.Provider value={{ api, user, route }}>
      <a
        class="skip"
        href="#main"
        onClick={(event) => {
          event.preventDefault(); // "#main" would be a route here
          main.current?.focus();
        }}
      >
        Skip to content
      </a>
      <header class="top">
        <span class="brand">bulwark</span>
        <nav aria-label="Main">
          <ul>
            {NAV.map((item) => (
              <li key={item.section}>
                <a
                  href={item.href}
                  aria-current={
                    section === item.section ||
                    (item.section === 'registries' && section === 'images') ||
                    (item.section === 'containers' && section === 'resources')
                      ? 'page'
                      : undefined
                  }
                >
                  {item.label}
                </a>
              </li>
            ))}
          </ul>
        </nav>
        <div class="who">
          {user && (
            <span>
              {user.name} <span class="muted">({user.role})</span>
            </span>
          )}
          <button
            type="button"
            onClick={() => {
              endSession();
              setUser(null);
              setToken(null);
              setMessage('You logged out.');
            }}
          >
            Log out
          </button>
        </div>
      </header>
      <main id="main" ref={main} tabIndex={-1}>
        {current.body}
      </main>
    </AppContext.Provider>
  );
}
