// Users the app vouches for, on three nodes sharing a real redis-server: a user minted by the app's backend
// (POST /api/v1/user-tokens) and a user of the app's identity provider (a loopback OpenID Connect stand-in)
// call each other and a password user with the official SignalR client; deleting one closes its connections
// on every node.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import {
  Cluster, api, provisionUser, connect, waitFor, waitForState, waitReady, waitClosed, closeAll, sdp, clientLog,
} from './support/cluster.mjs';
import { OidcStandIn } from './support/oidc-stand-in.mjs';

const cluster = new Cluster({ label: 'identity' });
const BACKEND_KEY = `backend-${randomBytes(12).toString('hex')}`;
let idp;
let A, B, C;
let failed = false;

function test(name, fn) {
  it(name, async () => {
    try {
      await fn();
    } catch (error) {
      failed = true;
      throw error;
    }
  });
}

/** Rings `callee` (a connection) from `caller` and accepts: both InCall; returns the call id. */
async function callAndAnswer(caller, callee, calleeUsername) {
  const created = await caller.hub.invoke('CreateOutgoingCall', calleeUsername);
  await caller.hub.invoke('EstablishCall', created.callId, sdp({ role: 'offer', user: 'caller' }));
  const [incoming] = await waitFor(callee, 'IncomingCall', (s) => s.callId === created.callId);
  await callee.hub.invoke('AcceptCall', created.callId, sdp({ role: 'answer', user: 'callee' }));
  await waitForState(caller, created.callId, 'InCall');
  return { callId: created.callId, incoming };
}

describe('users from the app\'s backend and identity provider, across nodes on Redis', { timeout: 120_000 }, () => {
  before(async () => {
    idp = await new OidcStandIn().start();
    await cluster.startRedis();
    const env = {
      Auth__BackendApiKeys__0: BACKEND_KEY,
      Auth__ExternalIssuers__0__Authority: idp.issuer,
      Auth__ExternalIssuers__0__Audience: 'callserver-e2e',
      Auth__ExternalIssuers__0__UsernameClaim: 'preferred_username',
    };
    [A, B, C] = await Promise.all(['A', 'B', 'C'].map((name) => cluster.startNode(name, env)));
    await Promise.all([A, B, C].map((node) => waitReady(node)));
  }, { timeout: 90_000 });

  after(async () => {
    await closeAll();
    await cluster.stopAll();
    await idp?.stop();
    if (failed) process.stderr.write(`\n${cluster.logs()}\n----- client log -----\n${clientLog.slice(-60).join('\n')}\n`);
  });

  test('a backend-minted user on A, an identity provider\'s user on B and a password user on C call each other; each sees the others\' addresses and names', async () => {
    const suffix = randomBytes(3).toString('hex');
    const minted = await api(A, 'POST', '/api/v1/user-tokens', {
      headers: { 'X-Api-Key': BACKEND_KEY },
      body: { username: `app-${suffix}`, displayName: 'App User' },
    });
    assert.equal(minted.status, 200, minted.text);
    const appUser = { username: `app-${suffix}`, token: minted.json.accessToken, address: minted.json.address };
    const idpUser = { username: `idp-${suffix}`, token: idp.token({ sub: `idp|${suffix}`, preferred_username: `idp-${suffix}`, name: 'Idp User' }) };
    const passwordUser = await provisionUser(cluster, A, C, 'pw');

    // The identity provider's token names its user on every node (GET /api/v1/auth/me), created on first use.
    for (const node of [A, B, C]) {
      const me = await api(node, 'GET', '/api/v1/auth/me', { token: idpUser.token });
      assert.equal(me.status, 200, me.text);
      assert.equal(me.json.address, `idp-${suffix}@callserver.local`);
    }
    idpUser.address = `idp-${suffix}@callserver.local`;

    const app = await connect(A, 'app', appUser);
    const id = await connect(B, 'idp', idpUser);
    const pw = await connect(C, 'pw', passwordUser);

    const first = await callAndAnswer(app, id, idpUser.username);
    assert.deepEqual([first.incoming.remoteAddress, first.incoming.remoteDisplayName], [appUser.address, 'App User']);
    const second = await callAndAnswer(id, pw, passwordUser.username);
    assert.deepEqual([second.incoming.remoteAddress, second.incoming.remoteDisplayName], [idpUser.address, 'Idp User']);
    const third = await callAndAnswer(pw, app, appUser.username);
    assert.equal(third.incoming.remoteAddress, passwordUser.address);
    for (const [conn, callId] of [[app, first.callId], [id, second.callId], [pw, third.callId]]) await conn.hub.invoke('EndCall', callId);

    // Deleting the identity provider's user and the minted user closes their connections, wherever they are.
    const moreIdp = await connect(C, 'idp#2', idpUser);
    for (const username of [idpUser.username, appUser.username]) {
      const deleted = await api(A, 'DELETE', `/api/v1/users/${username}`, { headers: { 'X-Admin-Key': cluster.adminKey } });
      assert.equal(deleted.status, 204, deleted.text);
    }
    await Promise.all([waitClosed(id, 10_000), waitClosed(moreIdp, 10_000), waitClosed(app, 10_000)]);
    assert.equal(pw.closed, false, 'the password user stays connected');

    // The minted token no longer counts; the provider's names its user again (created on first use).
    assert.equal((await api(B, 'GET', '/api/v1/call-history', { token: appUser.token })).status, 401);
    assert.equal((await api(B, 'GET', '/api/v1/auth/me', { token: idpUser.token })).status, 200);
  });
});
