// Push wake-up across nodes sharing one real redis-server, with a loopback APNs (h2c) that verifies the
// ES256 provider token, the headers and the payload: a callee whose only device is a push registration
// rings through the push, wakes on another node and accepts; a node killed while a push service holds
// its push leaves it to another node (the outbox in Redis); a gone token deletes the registration.
// The official SignalR client; METRIC lines on stdout.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import {
  Cluster, api, provisionUser, connect, waitFor, waitForState, waitReady, closeAll, sdp, metric, metrics, pollUntil, clientLog,
} from './support/cluster.mjs';
import { ApnsStandIn, generateApnsKey } from './support/push-stand-in.mjs';

const cluster = new Cluster({ label: 'push' });
const key = generateApnsKey();
const KEY_ID = 'KEY1234567';
const TEAM_ID = 'TEAM123456';
const TOPIC = 'com.example.softphone';
const CLAIM_AFTER_MS = 2_000;
let apns;
let A, B, V;
let env;
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

/** The node's id (its push requests' user-agent names it), from its log at start. */
function learnId(node) {
  node.id = /Listening on callserver:node:(\S+)/.exec(node.tail.join(''))?.[1];
  assert.ok(node.id, `node ${node.name}'s id is in its log`);
}

/** A node started in place of `killed` (same name; the tests after use A and B). */
async function replace(killed) {
  const node = await cluster.startNode(killed.name, env);
  await waitReady(node);
  learnId(node);
  if (killed === A) A = node;
  if (killed === B) B = node;
  if (killed === V) V = node;
}

const token = () => randomBytes(32).toString('hex');

async function registerApns(node, user, deviceToken, registrationId = 'iphone') {
  const put = await api(node, 'PUT', `/api/v1/push-registrations/${registrationId}`, { token: user.token, body: { platform: 'apns', token: deviceToken } });
  assert.equal(put.status, 200, put.text);
}

/** Alice (connected to `callerNode`) and bob, whose only device is an APNs registration made on `bobNode`. */
async function aliceAndPushOnlyBob(callerNode, bobNode) {
  const alice = await provisionUser(cluster, A, callerNode, 'alice');
  const bob = await provisionUser(cluster, A, bobNode, 'bob');
  const bobToken = token();
  await registerApns(bobNode, bob, bobToken);
  const a = await connect(callerNode, `alice@${callerNode.name}`, alice);
  return { alice, bob, bobToken, a };
}

describe('push wake-up across nodes on Redis', { timeout: 120_000 }, () => {
  before(async () => {
    apns = await new ApnsStandIn({ publicKey: key.publicKey, keyId: KEY_ID, teamId: TEAM_ID }).start();
    await cluster.startRedis();
    env = {
      Push__Apns__Endpoint: apns.endpoint,
      Push__Apns__TeamId: TEAM_ID,
      Push__Apns__KeyId: KEY_ID,
      Push__Apns__PrivateKey: key.privateKeyPem,
      Push__Apns__Topic: TOPIC,
      Push__ClaimAfter: '00:00:02',
      Push__PollInterval: '00:00:00.100',
      Push__RequestTimeout: '00:00:30',
    };
    [A, B, V] = await Promise.all(['A', 'B', 'V'].map((name) => cluster.startNode(name, env)));
    await Promise.all([A, B, V].map((node) => waitReady(node)));
    [A, B, V].forEach(learnId);
  }, { timeout: 90_000 });

  after(async () => {
    await closeAll();
    await cluster.stopAll();
    await apns?.stop();
    if (failed) process.stderr.write(`\n${cluster.logs()}\n----- client log -----\n${clientLog.slice(-60).join('\n')}\n`);
    if (metrics.length) console.log(`\nMETRIC summary:\n${metrics.join('\n')}`);
  });

  test('a callee whose only device is an APNs registration rings on A\'s call, wakes on B, gets the offer and accepts; the push is canceled', async () => {
    const { alice, bob, bobToken, a } = await aliceAndPushOnlyBob(A, B);

    const created = await a.hub.invoke('CreateOutgoingCall', bob.username);
    const offer = sdp({ role: 'offer', user: 'alice' });
    const establishedAt = performance.now();
    await a.hub.invoke('EstablishCall', created.callId, offer);
    await waitForState(a, created.callId, 'Dialing');
    await waitForState(a, created.callId, 'Ringing');

    const push = await apns.waitForRequest((r) => r.deviceToken === bobToken && r.payload?.type === 'incomingCall' && r.status === 200, 5_000);
    const pushedAt = performance.now();
    assert.deepEqual(push.problems, []);
    assert.equal(push.payload.callId, created.callId);
    assert.equal(push.payload.from, alice.address);
    assert.equal(push.headers['apns-topic'], `${TOPIC}.voip`);
    assert.ok(!push.body.includes('v=0'), 'never the SDP');
    metric('push_establish_to_apns_request', pushedAt - establishedAt, 'ms', '(EstablishCall sent → the stand-in answered the push)');

    // The phone wakes: its app connects to another node and the call rings there.
    const b = await connect(B, 'bob(woken)', bob);
    const [snapshot, offered] = await waitFor(b, 'IncomingCall', (s) => s.callId === created.callId);
    metric('push_to_woken_device_ringing', performance.now() - pushedAt, 'ms', '(push answered → the woken device connected to B and got IncomingCall)');
    assert.equal(snapshot.state, 'Ringing');
    assert.equal(offered, offer);
    await b.hub.invoke('AcceptCall', created.callId, sdp({ role: 'answer', user: 'bob' }));
    await waitForState(a, created.callId, 'InCall');
    await waitForState(b, created.callId, 'InCall');

    const canceled = await apns.waitForRequest((r) => r.deviceToken === bobToken && r.payload?.type === 'callCanceled', 5_000);
    assert.equal(canceled.payload.reason, 'AnsweredElsewhere');
    assert.equal(canceled.payload.callId, created.callId);

    const scraped = await Promise.all([A, B, V].map((node) => fetch(`${node.url}/metrics`).then((r) => r.text())));
    assert.ok(scraped.some((text) => /callserver_push_sent_total\{[^}]*outcome="delivered"[^}]*platform="apns"/.test(text)), 'a delivered APNs push is counted');
    assert.ok(scraped.some((text) => /callserver_push_wake_to_connect_duration_seconds_count\{?[^\n]* [1-9]/.test(text)), 'the wake-to-connect latency is measured');
  });

  test('the node that took a push is killed while the push service holds it: another node sends it again (the outbox in Redis)', async () => {
    const { alice, bob, bobToken, a } = await aliceAndPushOnlyBob(V, A);
    const created = await a.hub.invoke('CreateOutgoingCall', bob.username);
    apns.hangCall(created.callId);
    await a.hub.invoke('EstablishCall', created.callId, sdp({ role: 'offer', user: 'alice' }));

    const first = await apns.waitForRequest((r) => r.payload?.callId === created.callId && r.payload?.type === 'incomingCall', 5_000);
    // Usually V, whose save woke its own worker; but any node's poll may take a new entry first.
    const taker = [A, B, V].find((node) => first.userAgent?.endsWith(`(node ${node.id})`));
    assert.ok(taker, `the push came from one of the nodes: ${first.userAgent}`);
    const killedAt = await cluster.kill(taker, 'SIGKILL');
    // The killed node's stream closes first (else, on a loaded machine, the 200 could go to a stream not yet closed).
    await apns.waitForRequest((r) => r === first && r.abandoned, 10_000);
    apns.release(created.callId); // later attempts are answered at once

    const again = await apns.waitForRequest(
      (r) => r !== first && r.payload?.callId === created.callId && r.payload?.type === 'incomingCall' && r.status === 200,
      CLAIM_AFTER_MS + 8_000);
    const resentAfter = performance.now() - killedAt;
    assert.notEqual(again.userAgent, first.userAgent, `sent again by another node (${first.userAgent} → ${again.userAgent})`);
    assert.deepEqual(again.problems, []);
    metric('push_of_killed_node_resent_after_kill', resentAfter, 'ms', `(Push:ClaimAfter ${CLAIM_AFTER_MS} ms, taken by ${taker.name})`);
    assert.ok(resentAfter >= CLAIM_AFTER_MS - 500, `not taken before the claim period: ${resentAfter.toFixed(0)} ms`);

    // And the woken phone can still answer on a surviving node.
    const b = await connect(taker === B ? A : B, 'bob(woken)', bob);
    await waitFor(b, 'IncomingCall', (s) => s.callId === created.callId);
    if (taker !== V) await replace(taker);
  });

  test('the caller on A cancels a call that rings only by push: the cancel push arrives; a woken phone on B finds nothing to answer', async () => {
    const { alice, bob, bobToken, a } = await aliceAndPushOnlyBob(A, B);
    const created = await a.hub.invoke('CreateOutgoingCall', bob.username);
    await a.hub.invoke('EstablishCall', created.callId, sdp({ role: 'offer', user: 'alice' }));
    await apns.waitForRequest((r) => r.deviceToken === bobToken && r.payload?.type === 'incomingCall' && r.payload.callId === created.callId, 5_000);

    await a.hub.invoke('EndCall', created.callId);
    await waitForState(a, created.callId, 'Ended', 'EndedLocally');
    const canceled = await apns.waitForRequest((r) => r.deviceToken === bobToken && r.payload?.type === 'callCanceled' && r.payload.callId === created.callId, 5_000);
    assert.equal(canceled.payload.reason, 'Canceled');
    assert.deepEqual(canceled.problems, []);

    const b = await connect(B, 'bob(late)', bob);
    assert.deepEqual(await b.hub.invoke('GetActiveCalls'), []);
  });

  test('a push service that holds the push for 5 s delays no event: the call rings, the woken phone on B answers and both are in the call meanwhile', async () => {
    const { alice, bob, bobToken, a } = await aliceAndPushOnlyBob(A, B);
    const created = await a.hub.invoke('CreateOutgoingCall', bob.username);
    apns.hangCall(created.callId);
    const startedAt = performance.now();
    await a.hub.invoke('EstablishCall', created.callId, sdp({ role: 'offer', user: 'alice' }));
    await waitForState(a, created.callId, 'Ringing');
    const held = await apns.waitForRequest((r) => r.payload?.callId === created.callId, 5_000);

    const b = await connect(B, 'bob(woken)', bob);
    await waitFor(b, 'IncomingCall', (s) => s.callId === created.callId);
    await b.hub.invoke('AcceptCall', created.callId, sdp({ role: 'answer', user: 'bob' }));
    await waitForState(a, created.callId, 'InCall');
    const setUpIn = performance.now() - startedAt;
    assert.equal(held.status, undefined, 'the push is still unanswered');
    assert.ok(setUpIn < 5_000, `the call was set up in ${setUpIn.toFixed(0)} ms while its push was held`);
    metric('call_setup_while_push_held', setUpIn, 'ms', '(EstablishCall → InCall, the push service not answering)');
    apns.release(created.callId); // the push service answers after all (5 s or less later)
    await apns.waitForRequest((r) => r.payload?.callId === created.callId && r.payload.type === 'callCanceled', 5_000);
  });

  test('a token APNs calls gone (410) deletes the registration on every node; the next call ends Unavailable', async () => {
    const alice = await provisionUser(cluster, A, A, 'alice');
    const bob = await provisionUser(cluster, A, B, 'bob');
    const bobToken = token();
    await registerApns(B, bob, bobToken);
    apns.answerGone(bobToken);
    const a = await connect(A, 'alice', alice);
    const created = await a.hub.invoke('CreateOutgoingCall', bob.username);
    await a.hub.invoke('EstablishCall', created.callId, sdp({ role: 'offer', user: 'alice' }));
    await apns.waitForRequest((r) => r.deviceToken === bobToken && r.status === 410, 5_000);

    await pollUntil('the registration is deleted', async () => {
      const list = await api(A, 'GET', '/api/v1/push-registrations', { token: bob.token });
      return list.status === 200 && list.json.length === 0;
    }, { deadlineMs: 5_000 });
    const next = await a.hub.invoke('CreateOutgoingCall', bob.username);
    await a.hub.invoke('EstablishCall', next.callId, sdp({ role: 'offer', user: 'alice' }));
    await waitForState(a, next.callId, 'Ended', 'Unavailable');
  });
});
