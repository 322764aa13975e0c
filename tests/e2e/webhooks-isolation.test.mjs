// Webhooks with a bad receiver beside a good one (issue 20), on three nodes sharing one real redis-server: one
// receiver is down (connections refused), one hangs (never answers; each attempt times out), one is live. Each has
// its own queue, so the live one gets every event of every call, in order per call, at its normal latency (measured
// against a first batch of calls made while all three answered); the webhook leader is SIGKILLed in the middle and
// changes none of that; then the dead one comes back and gets its whole backlog in order. The official SignalR
// client; every wait is bounded; METRIC lines on stdout.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  Cluster, provisionUser, connect, waitFor, waitForState, waitReady, closeAll, sdp, metric, metrics, pollUntil, scrape, clientLog, median, percentile,
} from './support/cluster.mjs';
import { WebhookReceiver, senderOf } from './support/webhook-receiver.mjs';

const cluster = new Cluster({ label: 'webhooks-isolation' });
const TYPES = ['call.created', 'call.ringing', 'call.answered', 'call.ended'];
const BASELINE_CALLS = 40;
const CALLS = 200;
const PAIRS = 4;
const receivers = {};
let V, A, B;
let leaderId;
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

/** Caller/callee pairs, callers on A and callees on B, connected once and reused for every call. */
async function pairs(count) {
  const made = [];
  for (let i = 0; i < count; i++) {
    const alice = await provisionUser(cluster, A, A, `alice${i}`);
    const bob = await provisionUser(cluster, A, B, `bob${i}`);
    made.push({ a: await connect(A, `alice${i}`, alice), b: await connect(B, `bob${i}`, bob), bob });
  }
  return made;
}

/** One whole call of a pair: created, ringing, answered, ended by the caller; returns its id. */
async function wholeCall({ a, b, bob }) {
  const created = await a.hub.invoke('CreateOutgoingCall', bob.username);
  await a.hub.invoke('EstablishCall', created.callId, sdp({ role: 'offer', user: 'alice' }));
  await waitFor(b, 'IncomingCall', (s) => s.callId === created.callId);
  await b.hub.invoke('AcceptCall', created.callId, sdp({ role: 'answer', user: 'bob' }));
  await waitForState(a, created.callId, 'InCall');
  await a.hub.invoke('EndCall', created.callId);
  await waitForState(a, created.callId, 'Ended', 'EndedLocally');
  await waitForState(b, created.callId, 'Ended');
  return created.callId;
}

/** `count` calls over the pairs, each pair calling back to back; `midway` runs once half of them are made. */
async function calls(made, count, midway) {
  const ids = [];
  let triggered = false;
  await Promise.all(made.map(async (pair) => {
    while (ids.length < count) {
      ids.push(null);
      const slot = ids.length - 1;
      ids[slot] = await wholeCall(pair);
      if (midway && !triggered && ids.filter(Boolean).length >= count / 2) {
        triggered = true;
        await midway();
      }
    }
  }));
  return ids;
}

/** Every event of `callIds` that `receiver` took (2xx), first receipt of each id: event timestamp → received (ms). */
function latencies(receiver, callIds) {
  const wanted = new Set(callIds);
  const seen = new Set();
  return receiver.received
    .filter((r) => wanted.has(r.callId) && r.status === 200 && !seen.has(r.id) && seen.add(r.id))
    .map((r) => r.wallAt - Date.parse(r.event.timestamp));
}

const allDelivered = (receiver, callIds) => (all) =>
  callIds.every((id) => TYPES.every((type) => all.some((r) => r.callId === id && r.type === type && r.status === 200)));

describe('webhooks: a receiver that is down or hangs holds back no other (issue 20)', { timeout: 300_000 }, () => {
  before(async () => {
    for (const name of ['live', 'dead', 'hanging']) receivers[name] = await new WebhookReceiver().start();
    await cluster.startRedis();
    const env = {
      Webhooks__LeaderLease: '00:00:02',
      Webhooks__PollInterval: '00:00:00.100',
      Webhooks__Timeout: '00:00:02',
      Webhooks__MaxRetryDelay: '00:00:02',
      Webhooks__MaxAttempts: '100000',
      Webhooks__MaxInFlight: '16',
      Webhooks__FailingWarningAfter: '00:00:03',
    };
    for (const [index, name] of ['live', 'dead', 'hanging'].entries()) {
      Object.assign(env, {
        [`Webhooks__Endpoints__${index}__Id`]: name,
        [`Webhooks__Endpoints__${index}__Url`]: receivers[name].url,
        [`Webhooks__Endpoints__${index}__Secret`]: receivers[name].secret,
      });
    }
    // V first, so that it is the leader: the node killed in the middle. The calls run on A and B.
    V = await cluster.startNode('V', env);
    await waitReady(V);
    const line = await pollUntil('V delivers the webhooks', async () => cluster.grep(V, /Node \S+ delivers the webhooks now/)[0], { deadlineMs: 15_000, intervalMs: 100 });
    leaderId = /Node (\S+) delivers the webhooks now/.exec(line)[1];
    [A, B] = await Promise.all(['A', 'B'].map((name) => cluster.startNode(name, env)));
    await Promise.all([A, B].map((node) => waitReady(node)));
  }, { timeout: 120_000 });

  after(async () => {
    await closeAll();
    await cluster.stopAll();
    for (const receiver of Object.values(receivers)) await receiver.stop();
    if (failed) process.stderr.write(`\n${cluster.logs()}\n----- client log -----\n${clientLog.slice(-60).join('\n')}\n`);
    if (metrics.length) console.log(`\nMETRIC summary:\n${metrics.join('\n')}`);
  });

  test(`${CALLS} calls while one receiver is down and one hangs, the leader killed midway: the live one gets every event in order at its normal latency; the dead one its backlog once back`, async () => {
    const made = await pairs(PAIRS);

    // The baseline: every receiver answers.
    const baseline = await calls(made, BASELINE_CALLS);
    await receivers.live.waitUntil('the baseline delivered', allDelivered(receivers.live, baseline), 30_000);
    const before = latencies(receivers.live, baseline);

    await receivers.dead.down();
    receivers.hanging.hang();

    // Beside a dead and a hanging receiver, no failover: the live one's latency against the baseline.
    const beside = await calls(made, CALLS / 2);
    await receivers.live.waitUntil('every event at the live receiver', allDelivered(receivers.live, beside), 60_000);
    const during = latencies(receivers.live, beside);
    const summary = (values) => `p50 ${median(values).toFixed(0)} ms, p99 ${percentile(values, 99).toFixed(0)} ms, ${values.length} events`;
    metric('webhook_live_latency_p50_all_answering', median(before), 'ms', `(${summary(before)})`);
    metric('webhook_live_latency_p50_beside_dead_and_hanging', median(during), 'ms', `(${summary(during)})`);
    assert.ok(median(during) <= 2 * percentile(before, 99) + 100, `live ${summary(during)} against all answering ${summary(before)}`);

    // The leader SIGKILLed midway through the next calls: still every event of every call, in order, from the old and the new leader.
    let killedAt = null;
    const across = await calls(made, CALLS / 2, async () => {
      killedAt = await cluster.kill(V, 'SIGKILL');
    });
    assert.ok(killedAt !== null, 'the leader was killed midway');
    await receivers.live.waitUntil('every event at the live receiver across the failover', allDelivered(receivers.live, across), 60_000);
    const failover = latencies(receivers.live, across);
    metric('webhook_live_latency_p50_across_leader_kill', median(failover), 'ms', `(${summary(failover)}; Webhooks:LeaderLease 2 s)`);
    const callIds = [...beside, ...across];
    for (const id of callIds) assert.deepEqual(receivers.live.firstDelivered(id), TYPES, `call ${id} in order at the live receiver`);
    const senders = new Set(receivers.live.received.filter((r) => across.includes(r.callId)).map((r) => senderOf(r.userAgent)));
    assert.ok(senders.size >= 1 && [...senders].some((id) => id !== leaderId), `the new leader delivered: ${[...senders].join(', ')}`);

    // The hanging receiver was tried (and timed out) meanwhile; the dead one's events wait in its own queue.
    assert.ok(receivers.hanging.received.some((r) => r.status === 'held' || r.status === 'abandoned'), 'the hanging receiver was tried');
    const successor = [A, B];
    const backlog = await pollUntil('the new leader reports the dead receiver\'s backlog', async () => {
      const texts = await Promise.all(successor.map(scrape));
      const values = texts.map((t) => Number(/^callserver_webhooks_endpoint_backlog\{endpoint="dead"\} (\d+)/m.exec(t)?.[1] ?? -1));
      return Math.max(...values) > 0 ? Math.max(...values) : false;
    }, { deadlineMs: 15_000, intervalMs: 200 });
    metric('webhook_dead_receiver_backlog', backlog, '', '(callserver_webhooks_endpoint_backlog{endpoint="dead"} on the new leader)');
    const warned = await pollUntil('a WebhookEndpointFailing warning names the dead receiver', async () =>
      [A, B].some((node) => cluster.grep(node, /Webhook endpoint dead .*has failed for/).length > 0), { deadlineMs: 15_000, intervalMs: 200 });
    assert.ok(warned);

    // The dead receiver comes back: its whole backlog, every call in order, each event delivered.
    await receivers.dead.up();
    const upAt = performance.now();
    await receivers.dead.waitUntil('the dead receiver\'s backlog delivered', allDelivered(receivers.dead, callIds), 90_000);
    for (const id of callIds) assert.deepEqual(receivers.dead.firstDelivered(id), TYPES, `call ${id} in order at the receiver that was down`);
    metric('webhook_dead_receiver_backlog_drain', performance.now() - upAt, 'ms', `(${CALLS * TYPES.length} events, receiver back → all delivered; Webhooks:MaxRetryDelay 2 s, MaxInFlight 16)`);
    for (const name of ['live', 'dead']) {
      for (const r of receivers[name].received.filter((x) => callIds.includes(x.callId))) assert.deepEqual(r.problems, []);
    }

    receivers.hanging.stopHanging();
    await receivers.hanging.waitUntil('the hanging receiver gets the events once it answers', allDelivered(receivers.hanging, callIds), 120_000);
    for (const id of callIds) assert.deepEqual(receivers.hanging.firstDelivered(id), TYPES, `call ${id} in order at the receiver that hung`);
  });
});
