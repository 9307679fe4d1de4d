// The REST client: JSON over fetch with the session cookie and the CSRF header the server requires for changes.

const BASE = '/callpark/api/v1';

/** An error answer of the API: HTTP status plus the body {error, message, violations}. */
export class ApiError extends Error {
  constructor(status, body) {
    super((body && body.message) || `HTTP ${status}`);
    this.status = status;
    this.error = (body && body.error) || 'HTTP_' + status;
    this.violations = (body && Array.isArray(body.violations)) ? body.violations : [];
  }
}

let onUnauthenticated = () => {};

/** Called whenever a request (other than the login itself) answers 401: the session is gone. */
export function setUnauthenticatedHandler(fn) {
  onUnauthenticated = fn;
}

export async function request(method, path, body) {
  const headers = { 'X-Requested-With': 'callpark', Accept: 'application/json' };
  const init = { method, headers, credentials: 'same-origin', cache: 'no-store' };
  if (body !== undefined) {
    headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  let res;
  try {
    res = await fetch(BASE + path, init);
  } catch (e) {
    throw new ApiError(0, { error: 'NETWORK', message: 'The server cannot be reached.' });
  }
  let data = null;
  const text = await res.text();
  if (text) {
    try {
      data = JSON.parse(text);
    } catch (e) {
      data = { message: text.slice(0, 200) };
    }
  }
  if (!res.ok) {
    if (res.status === 401 && !(method === 'POST' && path === '/session')) onUnauthenticated();
    throw new ApiError(res.status, data);
  }
  return data;
}

const enc = encodeURIComponent;

export const api = {
  login: (user, password) => request('POST', '/session', { user, password }),
  session: () => request('GET', '/session'),
  logout: () => request('DELETE', '/session'),
  tenants: () => request('GET', '/tenants'),
  users: (t) => request('GET', `/tenants/${enc(t)}/users`),
  ringGroups: (t) => request('GET', `/tenants/${enc(t)}/ring-groups`),
  parkGroups: (t) => request('GET', `/tenants/${enc(t)}/park-groups`),
  createGroup: (t, g) => request('POST', `/tenants/${enc(t)}/park-groups`, g),
  updateGroup: (t, name, g) => request('PUT', `/tenants/${enc(t)}/park-groups/${enc(name)}`, g),
  deleteGroup: (t, name) => request('DELETE', `/tenants/${enc(t)}/park-groups/${enc(name)}`),
  settings: (t) => request('GET', `/tenants/${enc(t)}/settings`),
  saveSettings: (t, s) => request('PUT', `/tenants/${enc(t)}/settings`, s),
  calls: () => request('GET', '/calls'),
  hangUp: (t, id) => request('DELETE', `/tenants/${enc(t)}/calls/${enc(id)}`),
  send: (t, id, extension) => request('POST', `/tenants/${enc(t)}/calls/${enc(id)}/send`, { extension }),
  sendToMe: (t, id) => request('POST', `/tenants/${enc(t)}/calls/${enc(id)}/send`, { to: 'me' }),
  eventsUrl: () => BASE + '/events',
  history: (q) => request('GET', `/history?${new URLSearchParams(q)}`),
  historyCall: (id) => request('GET', `/history/${enc(id)}`),
};
