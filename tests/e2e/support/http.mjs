// REST helpers for the end-to-end tests: a JSON request, and a user provisioned through the admin API
// with its token. Shared by the single-server and the cluster tests.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';

/** A JSON request to `baseUrl + route`: `{status, contentType, json, text}`. */
export async function requestJson(baseUrl, method, route, { body, headers = {}, token } = {}) {
  const response = await fetch(`${baseUrl}${route}`, {
    method,
    headers: {
      ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...headers,
    },
    body: body !== undefined ? JSON.stringify(body) : undefined,
    signal: AbortSignal.timeout(10_000),
  });
  const text = await response.text();
  let json;
  try { json = text ? JSON.parse(text) : undefined; } catch { json = undefined; }
  return { status: response.status, contentType: response.headers.get('content-type') ?? '', json, text };
}

/**
 * Creates the user `<name>-<random>` (or `username`) through the admin API at `adminUrl` and gets it
 * a token from `tokenUrl` (the same server by default): `{username, password, address, token}`.
 */
export async function provisionUser({ adminUrl, tokenUrl = adminUrl, adminKey, name, username }) {
  username ??= `${name}-${randomBytes(4).toString('hex')}`;
  const password = `pw-${randomBytes(12).toString('hex')}`;
  const created = await requestJson(adminUrl, 'POST', '/api/v1/users', {
    body: { username, password },
    headers: { 'X-Admin-Key': adminKey },
  });
  assert.equal(created.status, 201, `POST ${adminUrl}/api/v1/users for ${username}: ${created.status} ${created.text}`);
  assert.equal(created.json.address, `${username}@callserver.local`);

  const issued = await requestJson(tokenUrl, 'POST', '/api/v1/auth/token', { body: { username, password } });
  assert.equal(issued.status, 200, `POST ${tokenUrl}/api/v1/auth/token for ${username}: ${issued.status} ${issued.text}`);
  assert.equal(typeof issued.json.accessToken, 'string');
  assert.equal(issued.json.address, created.json.address);
  assert.ok(Date.parse(issued.json.expiresAt) > Date.now(), 'the token expires in the future');
  return { username, password, address: created.json.address, token: issued.json.accessToken };
}
