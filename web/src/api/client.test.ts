import { describe, expect, it } from 'vitest';
import { ApiClient, ApiError, buildQuery } from './client';

interface Sent {
  url: string;
  init: RequestInit;
}

// A fetch that records what it was asked and answers `status` with `body`.
function fakeFetch(status: number, body: string, sent: Sent[] = []): typeof fetch {
  return (async (url: RequestInfo | URL, init?: RequestInit) => {
    sent.push({ url: String(url), init: init ?? {} });
    return new Response(status === 204 ? null : body, { status });
  }) as typeof fetch;
}

function headersOf(init: RequestInit): Record<string, string> {
  return init.headers as Record<string, string>;
}

describe('buildQuery', () => {
  it('leaves out empty values and encodes the rest in order', () => {
    expect(
      buildQuery({ repository: 'library/debian', q: '', x: null, y: undefined, limit: 50 }),
    ).toBe('?repository=library%2Fdebian&limit=50');
    expect(buildQuery({})).toBe('');
    expect(buildQuery({ fixable: true, q: 'a b&c' })).toBe('?fixable=true&q=a%20b%26c');
  });
});

describe('ApiClient', () => {
  it('sends the session token as a bearer token and returns the JSON', async () => {
    const sent: Sent[] = [];
    const api = new ApiClient({
      token: () => 'bwk_abc',
      fetch: fakeFetch(200, '{"total":3}', sent),
    });
    const answer = await api.get<{ total: number }>('/api/v1/registries', { limit: 10 });
    expect(answer.total).toBe(3);
    expect(sent[0].url).toBe('/api/v1/registries?limit=10');
    expect(headersOf(sent[0].init).Authorization).toBe('Bearer bwk_abc');
    expect(sent[0].init.method).toBe('GET');
  });

  it('POSTs a JSON body and DELETEs with no body, taking 204 as done', async () => {
    const sent: Sent[] = [];
    const api = new ApiClient({ token: () => 't', fetch: fakeFetch(201, '{"id":3}', sent) });
    const created = await api.post<{ id: number }>('/api/v1/posture/exemptions', { reason: 'r' });
    expect(created.id).toBe(3);
    expect(sent[0].init.method).toBe('POST');
    expect(sent[0].init.body).toBe('{"reason":"r"}');
    expect(headersOf(sent[0].init)['Content-Type']).toBe('application/json');
    const deleting = new ApiClient({ token: () => 't', fetch: fakeFetch(204, '', sent) });
    await expect(deleting.delete('/api/v1/posture/exemptions/3')).resolves.toBeUndefined();
    expect(sent[1].init.method).toBe('DELETE');
    expect(sent[1].init.body).toBeUndefined();
  });

  it("rejects a refused exemption with the server's 4xx message", async () => {
    const api = new ApiClient({
      token: () => 't',
      fetch: fakeFetch(
        409,
        '{"error":{"code":"conflict","message":"exemption 2 already covers this; revoke it first"}}',
      ),
    });
    const error = (await api
      .post('/api/v1/posture/exemptions', {})
      .catch((e: unknown) => e)) as ApiError;
    expect(error.status).toBe(409);
    expect(error.message).toBe('exemption 2 already covers this; revoke it first');
  });

  it('sends no Authorization header without a token', async () => {
    const sent: Sent[] = [];
    const api = new ApiClient({ token: () => null, fetch: fakeFetch(200, '{}', sent) });
    await api.get('/api/v1/status');
    expect(headersOf(sent[0].init).Authorization).toBeUndefined();
  });

  it("turns the server's error body into an ApiError with its code and message", async () => {
    const api = new ApiClient({
      token: () => 't',
      fetch: fakeFetch(404, '{"error":{"code":"not_found","message":"no registry named \'x\'"}}'),
    });
    const error = await api.get('/api/v1/registries/x').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).status).toBe(404);
    expect((error as ApiError).code).toBe('not_found');
    expect((error as ApiError).message).toBe("no registry named 'x'");
  });

  it('names the status when the error body is not the API error shape', async () => {
    const api = new ApiClient({
      token: () => 't',
      fetch: fakeFetch(502, '<html>bad gateway</html>'),
    });
    const error = (await api.get('/x').catch((e: unknown) => e)) as ApiError;
    expect(error.status).toBe(502);
    expect(error.message).toBe('HTTP status 502');
  });

  it('ends the session on 401 with the server message', async () => {
    const reasons: string[] = [];
    const api = new ApiClient({
      token: () => 'expired',
      onUnauthorized: (message) => reasons.push(message),
      fetch: fakeFetch(
        401,
        '{"error":{"code":"unauthorized","message":"the token is unknown, revoked or expired"}}',
      ),
    });
    const error = (await api.get('/api/v1/alerts').catch((e: unknown) => e)) as ApiError;
    expect(error.status).toBe(401);
    expect(reasons).toEqual(['the token is unknown, revoked or expired']);
  });

  it('leaves the session alone when a token being tried at login gets 401', async () => {
    const reasons: string[] = [];
    const sent: Sent[] = [];
    const api = new ApiClient({
      token: () => 'session',
      onUnauthorized: (message) => reasons.push(message),
      fetch: fakeFetch(401, '{"error":{"code":"unauthorized","message":"no"}}', sent),
    });
    await expect(api.get('/api/v1/whoami', undefined, { token: 'candidate' })).rejects.toThrow(
      'no',
    );
    expect(reasons).toEqual([]);
    expect(headersOf(sent[0].init).Authorization).toBe('Bearer candidate');
  });

  it('does not end the session on 403', async () => {
    const reasons: string[] = [];
    const api = new ApiClient({
      token: () => 't',
      onUnauthorized: (message) => reasons.push(message),
      fetch: fakeFetch(
        403,
        '{"error":{"code":"forbidden","message":"this route needs the reader role"}}',
      ),
    });
    const error = (await api.get('/api/v1/registries').catch((e: unknown) => e)) as ApiError;
    expect(error.code).toBe('forbidden');
    expect(reasons).toEqual([]);
  });

  it('reports a server that does not answer as status 0', async () => {
    const api = new ApiClient({
      token: () => 't',
      fetch: (async () => {
        throw new TypeError('fetch failed');
      }) as typeof fetch,
    });
    const error = (await api.get('/api/v1/status').catch((e: unknown) => e)) as ApiError;
    expect(error.status).toBe(0);
    expect(error.code).toBe('network');
  });

  it('refuses a successful answer that is not JSON', async () => {
    const api = new ApiClient({ token: () => 't', fetch: fakeFetch(200, 'not json') });
    const error = (await api.get('/api/v1/status').catch((e: unknown) => e)) as ApiError;
    expect(error.code).toBe('bad_response');
  });

  it('sends PUT bodies as JSON and accepts 204', async () => {
    const sent: Sent[] = [];
    const api = new ApiClient({ token: () => 't', fetch: fakeFetch(204, '', sent) });
    await expect(
      api.put('/api/v1/alerts/1/status', { status: 'dismissed' }),
    ).resolves.toBeUndefined();
    expect(sent[0].init.method).toBe('PUT');
    expect(sent[0].init.body).toBe('{"status":"dismissed"}');
    expect(headersOf(sent[0].init)['Content-Type']).toBe('application/json');
  });
});
