// The public HTTP API: sign-in, and JSON calls with the bearer token. The token is kept in
// memory and in sessionStorage (gone when the tab closes), never in a URL.
const KEY = 'erp.token';
let token = null;
try { token = sessionStorage.getItem(KEY); } catch { /* storage may be off */ }

let onSignedOut = () => {};

// ApiError carries the HTTP status, the google.rpc.Status message and its ErrorInfo reason.
export class ApiError extends Error {
  constructor(status, message, reason, metadata) {
    super(message);
    this.status = status;
    this.reason = reason || '';
    this.metadata = metadata || {};
  }
}

export function signedIn() { return !!token; }

export function whenSignedOut(fn) { onSignedOut = fn; }

export function signOut() {
  token = null;
  try { sessionStorage.removeItem(KEY); } catch { /* ignore */ }
}

function randomId() {
  const b = new Uint8Array(16);
  crypto.getRandomValues(b);
  return Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
}
export { randomId };

async function call(method, path, body, auth = true) {
  const headers = { Accept: 'application/json' };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (auth && token) headers.Authorization = 'Bearer ' + token;
  let resp;
  try {
    resp = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body),
      credentials: 'omit', cache: 'no-store', referrerPolicy: 'no-referrer' });
  } catch {
    throw new ApiError(0, 'network', 'NETWORK');
  }
  let data = null;
  const text = await resp.text();
  if (text) {
    try { data = JSON.parse(text); } catch { data = { message: text }; }
  }
  if (!resp.ok) {
    const info = (data?.details || []).find((d) => d.reason) || {};
    const err = new ApiError(resp.status, data?.message || resp.statusText, info.reason, info.metadata);
    if (resp.status === 401 && auth) {
      signOut();
      onSignedOut(err);
    }
    throw err;
  }
  return data;
}

export async function login(username, password) {
  const r = await call('POST', '/v1/auth:login', { username, password }, false);
  token = r.accessToken;
  try { sessionStorage.setItem(KEY, token); } catch { /* memory only */ }
  return r;
}

export const get = (path) => call('GET', path);

// cached answers a GET once per page load (or null when it fails, e.g. 403 for a role
// that may not read that resource): names of items, suppliers and customers on lists.
const answers = new Map();
export function cached(path) {
  if (!answers.has(path)) answers.set(path, get(path).catch(() => null));
  return answers.get(path);
}

// name answers what people call a catalog entry: "SKU name" for items, the name otherwise,
// or "#id" when it cannot be read.
export async function name(kind, id) {
  if (!id) return '';
  const r = await cached(`/v1/${kind}/${id}`);
  const x = r && (r.item || r.supplier || r.customer || r);
  if (!x) return '#' + id;
  return kind === 'items' ? `${x.sku || ''} ${x.name || ''}`.trim() || '#' + id : x.name || '#' + id;
}
export const post = (path, body = {}) => call('POST', path, body);

// query builds "?a=1&b=2" from the non-empty values.
export function query(params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '') q.set(k, String(v));
  const s = q.toString();
  return s ? '?' + s : '';
}
