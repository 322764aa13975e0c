import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isAnonymousToken, renewalDelayMs, renewalPathOf, tokenClaims } from '../src/token-renewal.js';
import { CallService } from '../src/call-service.js';

const base64url = (object) => Buffer.from(JSON.stringify(object)).toString('base64url');
const jwt = (claims) => `${base64url({ alg: 'HS256', typ: 'JWT' })}.${base64url(claims)}.signature`;

test('an anonymous token is renewed a fifth of its remaining life early, at least 5 s and at most 60 s', () => {
  const now = 1_700_000_000_000;
  const expiringIn = (seconds) => jwt({ sub: 'anonymous-1@x', role: 'anonymous', exp: now / 1000 + seconds });
  assert.equal(renewalDelayMs(expiringIn(900), now), 840_000); // 15 min: 60 s early
  assert.equal(renewalDelayMs(expiringIn(100), now), 80_000); // 100 s: 20 s early
  assert.equal(renewalDelayMs(expiringIn(10), now), 5_000); // 10 s: 5 s early
  assert.equal(renewalDelayMs(expiringIn(3), now), 0); // due now
  assert.equal(renewalDelayMs(jwt({ sub: 'a' }), now), null); // no expiry
  assert.equal(renewalDelayMs('not a jwt', now), null);
});

test('only anonymous tokens count as anonymous', () => {
  assert.equal(isAnonymousToken(jwt({ sub: 'anonymous-1@x', role: 'anonymous' })), true);
  assert.equal(isAnonymousToken(jwt({ sub: 'alice@x', role: 'user' })), false);
  assert.equal(isAnonymousToken('garbage'), false);
  assert.deepEqual(tokenClaims(jwt({ sub: 'alice@x' })), { sub: 'alice@x' });
});

test('renewAnonymousToken posts the current token as a bearer to the renew endpoint and returns the new one', async () => {
  const requests = [];
  const fetch = async (url, init) => {
    requests.push({ url, init });
    return { ok: true, status: 200, json: async () => ({ accessToken: 'new-token', expiresAt: '2026-11-28T03:00:00Z', address: 'anonymous-1@x' }) };
  };
  const renewed = await CallService.renewAnonymousToken({ baseUrl: 'http://127.0.0.1:5080/', accessToken: 'old-token', fetch });
  assert.equal(renewed.accessToken, 'new-token');
  assert.equal(requests.length, 1);
  assert.equal(requests[0].url, 'http://127.0.0.1:5080/api/v1/anonymous-tokens/renew');
  assert.equal(requests[0].init.method, 'POST');
  assert.equal(requests[0].init.headers.authorization, 'Bearer old-token');
});

test('a refused renewal rejects with the problem code', async () => {
  const fetch = async () => ({ ok: false, status: 403, json: async () => ({ code: 'Forbidden', detail: 'only an anonymous token is renewed this way' }) });
  await assert.rejects(CallService.renewAnonymousToken({ baseUrl: 'http://127.0.0.1:5080', accessToken: 'user-token', fetch }), (error) => error.code === 'Forbidden');
});

test('the server renews anonymous tokens and user tokens its app\'s backend minted; password and IdP tokens are not renewed', async () => {
  assert.equal(renewalPathOf(jwt({ sub: 'anonymous-1@x', role: 'anonymous' })), '/api/v1/anonymous-tokens/renew');
  assert.equal(renewalPathOf(jwt({ sub: 'app-user@x', role: 'user', token_kind: 'backend' })), '/api/v1/user-tokens/renew');
  assert.equal(renewalPathOf(jwt({ sub: 'alice@x', role: 'user' })), null);
  assert.equal(renewalPathOf(jwt({ sub: 'idp|123', iss: 'https://idp.example' })), null);

  const requests = [];
  const fetch = async (url, init) => {
    requests.push({ url, init });
    return { ok: true, status: 200, json: async () => ({ accessToken: 'new-token', expiresAt: '2026-11-28T03:00:00Z', address: 'app-user@x' }) };
  };
  const minted = jwt({ sub: 'app-user@x', role: 'user', token_kind: 'backend' });
  await CallService.renewToken({ baseUrl: 'http://127.0.0.1:5080', accessToken: minted, fetch });
  assert.equal(requests[0].url, 'http://127.0.0.1:5080/api/v1/user-tokens/renew');
  assert.equal(requests[0].init.headers.authorization, `Bearer ${minted}`);
});

test('connect asks the server who the token names (an identity provider\'s sub is not a CallServer address)', async () => {
  const { connectOverFakeHub } = await import('./support/fake-connection.mjs');
  const requests = [];
  const fetch = async (url, init) => {
    requests.push({ url, init });
    return { ok: true, status: 200, json: async () => ({ address: 'dana@callserver.local', displayName: 'Dana', anonymous: false }) };
  };
  const idpToken = jwt({ sub: 'auth0|5f3a', iss: 'https://idp.example', exp: Math.floor(Date.now() / 1000) + 600 });
  const { service } = await connectOverFakeHub({ baseUrl: 'http://127.0.0.1:5080', accessToken: idpToken, fetch, logger: { info() {}, warn() {}, error() {}, log() {} } });
  assert.equal(service.getLocalAddress(), 'dana@callserver.local');
  assert.equal(requests[0].url, 'http://127.0.0.1:5080/api/v1/auth/me');
  assert.equal(requests[0].init.headers.authorization, `Bearer ${idpToken}`);
  await service.disconnect();
});
