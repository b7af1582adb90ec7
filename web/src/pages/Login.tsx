// The login page: one token field. The token is checked with GET /api/v1/whoami before it is
// kept; ingest tokens cannot read the API and are refused here.
import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiError, type ApiClient } from '../api/client';
import type { WhoAmI } from '../api/types';
import { saveToken } from '../state/session';

interface LoginProps {
  api: ApiClient;
  message: string;
  onLogin: (user: WhoAmI) => void;
}

export function Login({ api, message, onLogin }: LoginProps) {
  const [token, setToken] = useState('');
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  const input = useRef<HTMLInputElement>(null);
  useEffect(() => input.current?.focus(), []);

  async function submit(event: Event) {
    event.preventDefault();
    const secret = token.trim();
    if (!secret) {
      setError('Enter a token.');
      return;
    }
    setBusy(true);
    setError('');
    try {
      const user = await api.get<WhoAmI>('/api/v1/whoami', undefined, { token: secret });
      if (user.role === 'ingest') {
        setError(
          `“${user.name}” is an ingest token: it may send data but not read it. Use a reader or admin token.`,
        );
        return;
      }
      saveToken(secret);
      onLogin(user);
    } catch (failure) {
      const status = failure instanceof ApiError ? failure.status : 0;
      setError(
        status === 401
          ? 'The server does not know this token (or it was revoked or has expired).'
          : `Cannot log in: ${failure instanceof Error ? failure.message : String(failure)}`,
      );
      input.current?.focus();
    } finally {
      setBusy(false);
    }
  }

  return (
    <main id="main" class="login" tabIndex={-1}>
      <h1>bulwark</h1>
      {message && (
        <p class="notice" role="status">
          {message}
        </p>
      )}
      <form onSubmit={submit} aria-describedby="token-help">
        <label for="token">API token</label>
        <input
          id="token"
          ref={input}
          type="password"
          autoComplete="off"
          spellcheck={false}
          value={token}
          aria-invalid={error ? 'true' : undefined}
          aria-describedby={error ? 'token-error' : 'token-help'}
          onInput={(event) => setToken((event.target as HTMLInputElement).value)}
        />
        <p id="token-help" class="help">
          A reader or admin token from <code>bulwark token create</code>. It is kept in this tab
          only and sent to this server only.
        </p>
        {error && (
          <p id="token-error" class="error" role="alert">
            <span aria-hidden="true">⚠ </span>
            {error}
          </p>
        )}
        <button type="submit" class="primary" disabled={busy}>
          {busy ? 'Checking…' : 'Log in'}
        </button>
      </form>
    </main>
  );
}
