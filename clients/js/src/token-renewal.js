// When an anonymous token should be renewed: its identity lives only in the token, and the hub closes a
// connection when its token expires, so the SDK renews it (POST /api/v1/anonymous-tokens/renew) ahead of
// its expiry; the automatic reconnect then presents the new token and resumes the calls.

/** The claims of a JWT (its payload), or null. */
export function tokenClaims(token) {
  try {
    const payload = token.split('.')[1].replace(/-/g, '+').replace(/_/g, '/');
    return JSON.parse(decodeURIComponent(escape(atob(payload.padEnd(Math.ceil(payload.length / 4) * 4, '=')))));
  } catch {
    return null;
  }
}

/** True for a token of an anonymous caller. */
export function isAnonymousToken(token) {
  return tokenClaims(token)?.role === 'anonymous';
}

/** True for a user token the app's backend minted (POST /api/v1/user-tokens): it renews itself too. */
export function isBackendMintedToken(token) {
  return tokenClaims(token)?.token_kind === 'backend';
}

/** The path that renews `token`, or null when the server does not renew it (a password user's token, an IdP's). */
export function renewalPathOf(token) {
  if (isAnonymousToken(token)) return '/api/v1/anonymous-tokens/renew';
  if (isBackendMintedToken(token)) return '/api/v1/user-tokens/renew';
  return null;
}

/**
 * Milliseconds from `nowMs` until the token should be renewed: a fifth of its remaining life before it
 * expires, at least 5 s and at most 60 s early; 0 when that time has come; null without an expiry.
 */
export function renewalDelayMs(token, nowMs) {
  const exp = tokenClaims(token)?.exp;
  if (typeof exp !== 'number') return null;
  const remaining = exp * 1000 - nowMs;
  const early = Math.min(60_000, Math.max(5_000, remaining / 5));
  return Math.max(0, remaining - early);
}
