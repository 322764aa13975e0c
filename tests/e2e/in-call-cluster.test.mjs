// During the call (issue 18), on three nodes sharing a real redis-server, with the official SignalR client:
// call waiting and busy (the devices in calls are read from Redis by the node of the caller), HoldAndAccept and
// EndAndAccept across nodes, DTMF, custom parameters, the end reason text and quality reports, each with its bad
// input; and what reaches the webhook record (a loopback receiver), the history and the admin call lookup.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  Cluster, api, provisionUser, connect, waitFor, waitForState, waitReady, closeAll, sdp, clientLog, assertRefused, pollUntil, unconsumed,
} from './support/cluster.mjs';
import { WebhookReceiver } from './support/webhook-receiver.mjs';

const cluster = new Cluster({ label: 'in-call' });
let receiver;
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

const SAMPLE = { rttMs: 35.2, jitterMs: 2.5, packetLossPercent: 0, mos: 4.36, audioBitrateKbps: 30.1 };

const admin = (node, method, route, body) => api(node, method, route, { headers: { 'X-Admin-Key': cluster.adminKey }, body });

/** `caller` (a connection) calls `calleeUsername`; `callee` (a connection) answers; both InCall. */
async function inCall(caller, callee, calleeUsername, { parameters } = {}) {
  const created = await caller.hub.invoke('CreateOutgoingCall', calleeUsername);
  await caller.hub.invoke('EstablishCall', created.callId, sdp({ role: 'offer', user: 'caller' }), parameters ?? null);
  await waitFor(callee, 'IncomingCall', (s) => s.callId === created.callId);
  await callee.hub.invoke('AcceptCall', created.callId, sdp({ role: 'answer', user: 'callee' }));
  await waitForState(caller, created.callId, 'InCall');
  await waitForState(callee, created.callId, 'InCall');
  return created.callId;
}

/** alice on A in a call with bob on B; carol on C. */
async function threeUsers() {
  const alice = await provisionUser(cluster, A, A, 'alice');
  const bob = await provisionUser(cluster, A, B, 'bob');
  const carol = await provisionUser(cluster, A, C, 'carol');
  const a = await connect(A, 'alice', alice);
  const b = await connect(B, 'bob', bob);
  const c = await connect(C, 'carol', carol);
  const first = await inCall(a, b, bob.username);
  return { alice, bob, carol, a, b, c, first };
}

describe('during the call across nodes on Redis', { timeout: 150_000 }, () => {
  before(async () => {
    receiver = await new WebhookReceiver().start();
    await cluster.startRedis();
    const env = {
      Webhooks__Endpoints__0__Url: receiver.url,
      Webhooks__Endpoints__0__Secret: receiver.secret,
      Webhooks__PollInterval: '00:00:00.100',
    };
    [A, B, C] = await Promise.all(['A', 'B', 'C'].map((name) => cluster.startNode(name, env)));
    await Promise.all([A, B, C].map((node) => waitReady(node)));
  }, { timeout: 90_000 });

  after(async () => {
    await closeAll();
    await cluster.stopAll();
    await receiver?.stop();
    if (failed) process.stderr.write(`\n${cluster.logs()}\n----- client log -----\n${clientLog.slice(-60).join('\n')}\n`);
  });

  test('call waiting: carol on C calls bob, busy on B with alice on A; bob\'s device rings flagged waiting; HoldAndAccept holds alice and answers carol; EndAndAccept ends it with a reason', async () => {
    const { bob, a, b, c, first } = await threeUsers();
    const second = (await c.hub.invoke('CreateOutgoingCall', bob.username)).callId;
    await c.hub.invoke('EstablishCall', second, sdp({ role: 'offer', user: 'carol' }));
    const [incoming] = await waitFor(b, 'IncomingCall', (s) => s.callId === second);
    assert.equal(incoming.waiting, true);
    await waitForState(c, second, 'Ringing');

    await assertRefused(b.hub.invoke('HoldAndAccept', second, second, sdp({ role: 'answer', user: 'bob' }), sdp({ role: 'offer', user: 'bob', audio: 'sendonly', video: 'sendonly' })), 'InvalidArgument');
    await assertRefused(b.hub.invoke('HoldAndAccept', second, first, 'not sdp', sdp({ role: 'offer', user: 'bob', audio: 'sendonly', video: 'sendonly' })), 'InvalidSdp');
    const operationId = await b.hub.invoke('HoldAndAccept', second, first, sdp({ role: 'answer', user: 'bob' }), sdp({ role: 'offer', user: 'bob', audio: 'sendonly', video: 'sendonly' }));
    assert.equal(typeof operationId, 'string');
    await waitForState(c, second, 'InCall');
    const [, requestedOperationId, operation] = await waitFor(a, 'RenegotiationRequested', (id, op) => id === first && op === operationId);
    assert.equal(requestedOperationId, operationId);
    assert.equal(operation, 'HoldCall');
    await a.hub.invoke('AnswerRenegotiation', first, operationId, sdp({ role: 'answer', user: 'alice', audio: 'recvonly', video: 'recvonly' }));
    await waitForState(a, first, 'RemotelyHeld');
    await waitForState(b, first, 'OnHold');

    // Dave on A calls bob too: bob ends carol's call to take dave's.
    const dave = await provisionUser(cluster, A, A, 'dave');
    const d = await connect(A, 'dave', dave);
    const third = (await d.hub.invoke('CreateOutgoingCall', bob.username)).callId;
    await d.hub.invoke('EstablishCall', third, sdp({ role: 'offer', user: 'dave' }));
    assert.equal((await waitFor(b, 'IncomingCall', (s) => s.callId === third))[0].waiting, true);
    await b.hub.invoke('EndAndAccept', third, second, sdp({ role: 'answer', user: 'bob' }), 'taking another call', { line: '3' });
    const [ended] = await waitFor(c, 'CallStatusChanged', (s) => s.callId === second && s.state === 'Ended');
    assert.equal(ended.endReason, 'EndedRemotely');
    assert.equal(ended.endReasonText, 'taking another call');
    await waitForState(d, third, 'InCall');
    const [, line] = await waitFor(d, 'CustomParametersReceived', (id) => id === third);
    assert.deepEqual(line, { line: '3' });
    assert.equal((await a.hub.invoke('GetCall', first)).state, 'RemotelyHeld', 'alice\'s call is still held');
  });

  test('busy: bob set to Busy on C\'s admin API, in a call on B; carol\'s call ends Busy (486); his idle laptop on A rings alone when it is connected', async () => {
    const { bob, b, c } = await threeUsers();
    const patched = await admin(C, 'PATCH', `/api/v1/users/${bob.username}`, { busyPolicy: 'Busy' });
    assert.equal(patched.status, 200, patched.text);
    assert.equal(patched.json.busyPolicy, 'Busy');
    const refused = await admin(A, 'PATCH', `/api/v1/users/${bob.username}`, { busyPolicy: 'Later' });
    assert.equal(refused.status, 400, refused.text);
    assert.equal((await admin(B, 'GET', `/api/v1/users/${bob.username}`)).json.busyPolicy, 'Busy');

    const busyCall = (await c.hub.invoke('CreateOutgoingCall', bob.username)).callId;
    await c.hub.invoke('EstablishCall', busyCall, sdp({ role: 'offer', user: 'carol' }));
    const [busy] = await waitFor(c, 'CallStatusChanged', (s) => s.callId === busyCall && s.state === 'Ended');
    assert.deepEqual([busy.endReason, busy.statusCode], ['Busy', 486]);
    assert.equal(unconsumed(b, 'IncomingCall').filter((e) => e.args[0].callId === busyCall).length, 0);
    await receiver.waitDelivered(busyCall, 'call.ended', 10_000);
    assert.equal(receiver.of(busyCall).at(-1).event.data.record.callerEnd.reason, 'Busy');

    const laptop = await connect(A, 'bob-laptop', bob);
    const rings = (await c.hub.invoke('CreateOutgoingCall', bob.username)).callId;
    await c.hub.invoke('EstablishCall', rings, sdp({ role: 'offer', user: 'carol' }));
    const [onLaptop] = await waitFor(laptop, 'IncomingCall', (s) => s.callId === rings);
    assert.equal(onLaptop.waiting ?? null, null);
    await waitForState(c, rings, 'Ringing');
    assert.equal(unconsumed(b, 'IncomingCall').filter((e) => e.args[0].callId === rings).length, 0);
  });

  test('DTMF: alice on A sends digits, bob on B gets DtmfReceived; bad digits are InvalidArgument; a burst is RateLimited', async () => {
    const { a, b, first } = await threeUsers();
    await a.hub.invoke('SendDtmf', first, '1234#*,A');
    const [, digits] = await waitFor(b, 'DtmfReceived', (id) => id === first);
    assert.equal(digits, '1234#*,A');
    await b.hub.invoke('SendDtmf', first, '0');
    assert.equal((await waitFor(a, 'DtmfReceived', (id) => id === first))[1], '0');
    for (const bad of ['', '12x', 'abc', '1'.repeat(65)]) {
      await assertRefused(a.hub.invoke('SendDtmf', first, bad), 'InvalidArgument');
    }

    let limited = false;
    for (let i = 0; i < 40 && !limited; i++) {
      try {
        await a.hub.invoke('SendDtmf', first, '5');
      } catch (error) {
        assert.match(error.message, /RateLimited/);
        limited = true;
      }
    }
    assert.ok(limited, 'a burst of 40 SendDtmf was not limited');
  });

  test('custom parameters and the end reason text: sent on A, seen on B and C, in the record, the history and the admin lookup; bad ones refused', async () => {
    const alice = await provisionUser(cluster, A, A, 'alice');
    const bob = await provisionUser(cluster, A, B, 'bob');
    const a = await connect(A, 'alice', alice);
    const phone = await connect(B, 'bob-phone', bob);
    const laptop = await connect(C, 'bob-laptop', bob);
    const callId = (await a.hub.invoke('CreateOutgoingCall', bob.username)).callId;
    await assertRefused(a.hub.invoke('EstablishCall', callId, sdp({ role: 'offer', user: 'alice' }), { 'bad key': 'v' }), 'InvalidArgument');
    await assertRefused(a.hub.invoke('EstablishCall', callId, sdp({ role: 'offer', user: 'alice' }), Object.fromEntries(Array.from({ length: 17 }, (_, i) => [`k${i}`, 'v']))), 'InvalidArgument');
    await assertRefused(a.hub.invoke('EstablishCall', callId, sdp({ role: 'offer', user: 'alice' }), { k: 'v'.repeat(513) }), 'InvalidArgument');
    assert.equal((await a.hub.invoke('GetCall', callId)).state, 'Initial');

    await a.hub.invoke('EstablishCall', callId, sdp({ role: 'offer', user: 'alice' }), { ticket: 'T-7' });
    for (const device of [phone, laptop]) {
      const [incoming] = await waitFor(device, 'IncomingCall', (s) => s.callId === callId);
      assert.deepEqual(incoming.customParameters, { ticket: 'T-7' });
    }
    await a.hub.invoke('SendCustomParameters', callId, { queue: 'vip' });
    for (const device of [phone, laptop]) {
      assert.deepEqual((await waitFor(device, 'CustomParametersReceived', (id) => id === callId))[1], { queue: 'vip' });
    }

    await laptop.hub.invoke('AcceptCall', callId, sdp({ role: 'answer', user: 'bob' }), { agent: 'bob' });
    assert.deepEqual((await waitFor(a, 'CustomParametersReceived', (id) => id === callId))[1], { agent: 'bob' });
    await waitForState(a, callId, 'InCall');
    await assertRefused(laptop.hub.invoke('SendCustomParameters', callId, { k: 5 }), 'InvalidArgument');
    await assertRefused(laptop.hub.invoke('EndCall', callId, 'x'.repeat(257)), 'InvalidArgument');

    // Quality from both sides (the other party hears nothing of it); the admin sees it on any node.
    await a.hub.invoke('ReportQuality', callId, SAMPLE);
    await assertRefused(a.hub.invoke('ReportQuality', callId, SAMPLE), 'RateLimited');
    await assertRefused(a.hub.invoke('ReportQuality', callId, { ...SAMPLE, mos: 9 }), 'InvalidArgument');
    await assertRefused(a.hub.invoke('ReportQuality', callId, { rttMs: 1 }), 'InvalidArgument');
    await laptop.hub.invoke('ReportQuality', callId, { ...SAMPLE, rttMs: 80, packetLossPercent: 1.5, mos: 3.9 });
    const lookup = await admin(B, 'GET', `/api/v1/admin/calls/${callId}`);
    assert.equal(lookup.status, 200, lookup.text);
    assert.equal(lookup.json.quality.caller.samples, 1);
    assert.equal(lookup.json.quality.callee.rttMs.max, 80);
    assert.deepEqual(lookup.json.customParameters.caller, { queue: 'vip', ticket: 'T-7' });
    assert.equal((await api(B, 'GET', `/api/v1/admin/calls/${callId}`)).status, 401);

    await laptop.hub.invoke('EndCall', callId, 'Solved', { survey: 'yes' });
    const [ended] = await waitFor(a, 'CallStatusChanged', (s) => s.callId === callId && s.state === 'Ended');
    assert.equal(ended.endReasonText, 'Solved');
    assert.deepEqual((await waitFor(a, 'CustomParametersReceived', (id, p) => id === callId && 'survey' in p))[1], { survey: 'yes' });

    await receiver.waitDelivered(callId, 'call.ended', 10_000);
    const record = receiver.of(callId).at(-1).event.data.record;
    assert.equal(record.endReasonText, 'Solved');
    assert.deepEqual(record.customParameters, { caller: { queue: 'vip', ticket: 'T-7' }, callee: { agent: 'bob', survey: 'yes' } });
    assert.equal(record.quality.caller.samples, 1);
    assert.equal(record.quality.caller.mos.avg, 4.36);
    assert.equal(record.quality.callee.packetLossPercent.max, 1.5);
    assert.equal(record.quality.callee.worstWindow.samples, 1);

    const history = await pollUntil('alice\'s history on C has the call', async () => {
      const read = await api(C, 'GET', '/api/v1/call-history', { token: alice.token });
      return read.json?.find((e) => e.callId === callId) ?? false;
    }, { deadlineMs: 10_000 });
    assert.equal(history.endReasonText, 'Solved');
    assert.deepEqual(history.customParameters.callee, { agent: 'bob', survey: 'yes' });
    assert.equal(history.quality.callee.samples, 1);
  });
});
