// A signed-in user's session kept in localStorage, so that a page opened later (by a click on a call
// notification, or by the user) connects by itself and the server rings it. Anonymous sessions are not
// kept; an expired one is forgotten.

const KEY = 'callserver.softphone.session';

/** Keeps `{ accessToken, address, expiresAt }` of a user's session. */
export function saveSession(session) {
  if (session.anonymous) return;
  try {
    localStorage.setItem(KEY, JSON.stringify({ accessToken: session.accessToken, address: session.address, expiresAt: session.expiresAt }));
  } catch {
    // storage refused: the page asks to sign in next time
  }
}

/** The kept session when it has not expired (with a minute to spare), else null (and it is forgotten). */
export function loadSession(now = Date.now()) {
  let kept = null;
  let saved = null;
  try {
    kept = localStorage.getItem(KEY);
    saved = JSON.parse(kept ?? 'null');
  } catch {
    saved = null;
  }
  const expires = Date.parse(saved?.expiresAt ?? '');
  if (!saved?.accessToken || !saved.address || !(expires - 60_000 > now)) {
    if (kept !== null) clearSession();
    return null;
  }
  return { accessToken: saved.accessToken, address: saved.address, expiresAt: saved.expiresAt, anonymous: false };
}

export function clearSession() {
  try {
    localStorage.removeItem(KEY);
  } catch {
    // nothing kept
  }
}
