// Webhooks across nodes sharing one real redis-server, to a loopback receiver that verifies every
// Standard Webhooks signature with node:crypto: one node at a time (the leader, a lease in Redis) delivers
// each call's events in order; a leader killed while a call.ended is in flight leaves it to another node,
// which delivers it again (same webhook-id) in order; a receiver that was down gets the whole backlog in
// order once it is back. The official SignalR client; METRIC lines on stdout.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  Cluster, api, provisionUser, connect, waitFor, waitForState, waitReady, closeAll, sdp, metric, metrics, pollUntil, scrape, clientLog, median, percentile,
} from './support/cluster.mjs';
import { WebhookReceiver, senderOf } from './support/webhook-receiver.mjs';

const cluster = new Cluster({ label: 'webhooks' });
const LEASE_MS = 2_000; // the events a leader had taken can be claimed after half of it
const TYPES = ['call.created', 'call.ringing', 'call.answered', 'call.ended'];
let receiver;
let A, B, V;
const nodeIds = {};
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

/** The id of the node that logged it took the webhooks lease (its first line saying so). */
async function leaderIdOf(node) {
  const line = await pollUntil(`node ${node.name} delivers the webhooks`, async () => cluster.grep(node, /Node \S+ delivers the webhooks now/)[0], { deadlineMs: 15_000, intervalMs: 100 });
  return /Node (\S+) delivers the webhooks now/.exec(line)[1];
}

/** alice on `callerNode` calls bob on `calleeNode`, bob answers, alice ends; returns the call id. */
async function answeredCall(callerNode, calleeNode, { beforeEnd } = {}) {
  const alice = await provisionUser(cluster, callerNode, callerNode, 'alice');
  const bob = await provisionUser(cluster, callerNode, calleeNode, 'bob');
  const a = await connect(callerNode, 'alice', alice);
  const b = await connect(calleeNode, 'bob', bob);
  const created = await a.hub.invoke('CreateOutgoingCall', bob.username);
  await a.hub.invoke('EstablishCall', created.callId, sdp({ role: 'offer', user: 'alice' }));
  await waitFor(b, 'IncomingCall', (s) => s.callId === created.callId);
  await b.hub.invoke('AcceptCall', created.callId, sdp({ role: 'answer', user: 'bob' }));
  await waitForState(a, created.callId, 'InCall');
  await beforeEnd?.(created.callId);
  await a.hub.invoke('EndCall', created.callId);
  await waitForState(a, created.callId, 'Ended', 'EndedLocally');
  await Promise.all([a.hub.stop(), b.hub.stop()]);
  return created.callId;
}

describe('webhooks across nodes on Redis', { timeout: 180_000 }, () => {
  before(async () => {
    receiver = await new WebhookReceiver().start();
    await cluster.startRedis();
    const env = {
      Webhooks__Endpoints__0__Url: receiver.url,
      Webhooks__Endpoints__0__Secret: receiver.secret,
      Webhooks__LeaderLease: '00:00:02',
      Webhooks__PollInterval: '00:00:00.100',
      Webhooks__Timeout: '00:00:10',
      Webhooks__MaxRetryDelay: '00:00:02',
    };
    // V first, so that it is the leader: the node the second test kills.
    V = await cluster.startNode('V', env);
    await waitReady(V);
    nodeIds.V = await leaderIdOf(V);
    [A, B] = await Promise.all(['A', 'B'].map((name) => cluster.startNode(name, env)));
    await Promise.all([A, B].map((node) => waitReady(node)));
  }, { timeout: 90_000 });

  after(async () => {
    await closeAll();
    await cluster.stopAll();
    await receiver?.stop();
    if (failed) process.stderr.write(`\n${cluster.logs()}\n----- client log -----\n${clientLog.slice(-60).join('\n')}\n`);
    if (metrics.length) console.log(`\nMETRIC summary:\n${metrics.join('\n')}`);
  });

  test('a call across A and B reaches the receiver as created → ringing → answered → ended, once each, signed, from the leader', async () => {
    const callId = await answeredCall(A, B);
    await receiver.waitDelivered(callId, 'call.ended', 10_000);

    const got = receiver.of(callId);
    assert.deepEqual(got.map((r) => r.type), TYPES);
    assert.deepEqual(got.map((r) => r.status), [200, 200, 200, 200]);
    assert.equal(new Set(got.map((r) => r.id)).size, 4, 'four webhook-ids');
    for (const r of got) {
      assert.deepEqual(r.problems, []);
      assert.equal(senderOf(r.userAgent), nodeIds.V, `sent by the leader V: ${r.userAgent}`);
      assert.match(r.userAgent, /^CallServer-Webhooks\/1 /);
      assert.equal(r.event.data.callId, callId);
    }
    const record = got[3].event.data.record;
    assert.equal(record.callId, callId);
    assert.equal(record.callerEnd.reason, 'EndedLocally');
    assert.ok(record.durationSeconds >= 0);

    const latencies = got.map((r) => r.wallAt - Date.parse(r.event.timestamp));
    metric('webhook_delivery_latency_median', median(latencies), 'ms', '(event timestamp → received by the receiver, leader on another node, 4 events)');
    metric('webhook_delivery_latency_max', Math.max(...latencies), 'ms');

    const text = await scrape(V);
    assert.match(text, /callserver_webhooks_deliveries_total\{[^}]*outcome="delivered"[^}]*type="call.ended"[^}]*\} [1-9]/);
    assert.match(text, /callserver_webhooks_deliveries_total\{[^}]*endpoint="[A-Za-z0-9._-]+"[^}]*outcome="delivered"/); // per receiver
    assert.match(text, /callserver_webhooks_delivery_duration_seconds_count\{?[^\n]* [1-9]/);
  });

  test('call history on Redis: after a call from A to B that bob did not answer, each sees it on the other node as they saw it; bob\'s device hears CallHistoryChanged', async () => {
    const alice = await provisionUser(cluster, A, A, 'alice');
    const bob = await provisionUser(cluster, A, B, 'bob');
    const a = await connect(A, 'alice', alice);
    const b = await connect(B, 'bob', bob);
    const changes = [];
    b.hub.on('CallHistoryChanged', (change) => changes.push(change));
    const created = await a.hub.invoke('CreateOutgoingCall', bob.username);
    await a.hub.invoke('EstablishCall', created.callId, sdp({ role: 'offer', user: 'alice' }));
    await waitFor(b, 'IncomingCall', (s) => s.callId === created.callId);
    await a.hub.invoke('EndCall', created.callId);
    await waitForState(a, created.callId, 'Ended', 'EndedLocally');

    await pollUntil('bob\'s device hears that his history changed', async () => changes.some((c) => c.change === 'added' && c.callId === created.callId), { deadlineMs: 10_000 });
    const bobs = await api(A, 'GET', '/api/v1/call-history', { token: bob.token });
    assert.equal(bobs.status, 200, bobs.text);
    assert.deepEqual(
      { callId: bobs.json[0].callId, direction: bobs.json[0].direction, remote: bobs.json[0].remoteAddress, missed: bobs.json[0].missed, reason: bobs.json[0].endReason },
      { callId: created.callId, direction: 'incoming', remote: alice.address, missed: true, reason: 'Canceled' });
    const alices = await pollUntil('alice\'s history has the call', async () => {
      const read = await api(B, 'GET', '/api/v1/call-history', { token: alice.token });
      return read.json?.find((e) => e.callId === created.callId) ?? false;
    }, { deadlineMs: 10_000 });
    assert.equal(alices.direction, 'outgoing');
    assert.equal(alices.remoteAddress, bob.address);
    assert.equal(alices.missed, false);

    // Deleting on one node: gone on the other, and the device hears it.
    const deleted = await api(B, 'DELETE', `/api/v1/call-history/${created.callId}`, { token: bob.token });
    assert.equal(deleted.status, 204, deleted.text);
    await pollUntil('bob\'s device hears the removal', async () => changes.some((c) => c.change === 'removed' && c.callId === created.callId), { deadlineMs: 5_000 });
    const after = await api(A, 'GET', '/api/v1/call-history', { token: bob.token });
    assert.equal(after.json.some((e) => e.callId === created.callId), false);
    await Promise.all([a.hub.stop(), b.hub.stop()]);
  });

  test('the leader is killed while call.ended is in flight: another node delivers it again (same webhook-id), in order', async () => {
    let held;
    const callId = await answeredCall(A, B, {
      beforeEnd: async (id) => {
        await receiver.waitDelivered(id, 'call.answered', 10_000);
        receiver.hold(id, 'call.ended');
      },
    });
    held = await receiver.waitUntil('call.ended in flight on V', (all) => all.find((r) => r.callId === callId && r.type === 'call.ended'), 10_000);
    assert.equal(senderOf(held.userAgent), nodeIds.V);
    assert.equal(held.status, 'held');

    const killedAt = await cluster.kill(V, 'SIGKILL');
    // The killed node's connection drops first (else, on a loaded machine, the 200 could go to a socket not yet closed).
    await receiver.waitUntil('the held request drops with its node', () => held.status === 'abandoned', 10_000);
    receiver.release(callId, 'call.ended'); // from now on the receiver answers at once

    // A call made while no node delivers: its events wait in Redis for the next leader.
    const meanwhile = await answeredCall(A, B);

    const again = await receiver.waitUntil(
      'call.ended delivered by another node',
      (all) => all.find((r) => r.callId === callId && r.type === 'call.ended' && r.status === 200),
      LEASE_MS * 4 + 10_000);
    const failover = again.at - killedAt;
    assert.notEqual(senderOf(again.userAgent), nodeIds.V, `sent again by another node: ${again.userAgent}`);
    assert.equal(again.id, held.id, 'the same webhook-id');
    assert.deepEqual(again.problems, []);
    assert.deepEqual(receiver.firstDelivered(callId), TYPES);
    metric('webhook_failover_redelivery_after_kill', failover, 'ms', `(SIGKILL of the leader → call.ended delivered by another node; Webhooks:LeaderLease ${LEASE_MS} ms, claim ${LEASE_MS / 2} ms)`);
    assert.ok(failover < LEASE_MS * 3, `failover in ${failover.toFixed(0)} ms`);

    await receiver.waitDelivered(meanwhile, 'call.ended', 10_000);
    assert.deepEqual(receiver.firstDelivered(meanwhile), TYPES, 'the call made during the failover, in order');
    for (const r of receiver.of(meanwhile)) assert.notEqual(senderOf(r.userAgent), nodeIds.V);
  });

  test('a receiver down for 10 calls gets the whole backlog in order once it is back', async () => {
    const N = 10;
    await receiver.down();
    const downAt = performance.now();
    const callIds = [];
    for (let i = 0; i < N; i++) callIds.push(await answeredCall(A, B));

    // The leader (A or B) sees every event of those calls waiting.
    const backlog = await pollUntil('the leader reports the backlog', async () => {
      const texts = await Promise.all([A, B].map(scrape));
      const values = texts.map((t) => Number(/^callserver_webhooks_backlog\{?\}? (\d+)/m.exec(t)?.[1] ?? -1));
      return Math.max(...values) >= N * TYPES.length ? Math.max(...values) : false;
    }, { deadlineMs: 10_000, intervalMs: 100 });
    const downFor = performance.now() - downAt;

    await receiver.up();
    const upAt = performance.now();
    await receiver.waitUntil('every backlog call ended delivered', (all) => callIds.every((id) => all.some((r) => r.callId === id && r.type === 'call.ended' && r.status === 200)), 60_000);
    const delivered = receiver.received.filter((r) => callIds.includes(r.callId) && r.status === 200);
    const drain = Math.max(...delivered.map((r) => r.at)) - upAt;
    for (const id of callIds) assert.deepEqual(receiver.firstDelivered(id), TYPES, `call ${id} in order`);
    for (const r of delivered) assert.deepEqual(r.problems, []);

    metric('webhook_backlog_events', backlog, '', `(${N} calls × 4 events while the receiver was down ${(downFor / 1000).toFixed(1)} s; the leader's callserver_webhooks_backlog)`);
    metric('webhook_backlog_drain', drain, 'ms', '(receiver back → every backlog event delivered; Webhooks:MaxRetryDelay 2 s)');
    const duplicates = delivered.length - new Set(delivered.map((r) => r.id)).size;
    metric('webhook_backlog_duplicates', duplicates, '', '(events delivered twice)');
    const latencies = delivered.map((r) => r.wallAt - Date.parse(r.event.timestamp));
    metric('webhook_backlog_latency_p95', percentile(latencies, 95), 'ms', '(event timestamp → received, backlog events)');
  });
});
