// What every page of the notifier does with the user's token: it arrives in the address bar's
// hash (#token=…), moves to sessionStorage and leaves the address bar; API calls carry it.
const key = 'invoice-signal-token';

export function readToken() {
  const hash = new URLSearchParams(location.hash.slice(1));
  const fromHash = hash.get('token');
  if (fromHash) {
    sessionStorage.setItem(key, fromHash);
    hash.delete('token');
    history.replaceState(null, '', `${location.pathname}${hash.toString() ? `#${hash}` : ''}`);
  }
  return sessionStorage.getItem(key);
}

/** A JSON API call with the token; a refusal throws with the problem's detail. */
export async function callApi(token, path, init = {}) {
  const res = await fetch(path, { ...init, headers: { ...(init.headers ?? {}), authorization: `Bearer ${token}` } });
  const body = res.headers.get('content-type')?.includes('json') ? await res.json() : null;
  if (!res.ok) throw new Error(body?.detail ?? `${res.status} ${res.statusText}`);
  return body;
}
