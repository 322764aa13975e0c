// Redis Sentinel (issue 19): two nodes whose Redis:Configuration names three sentinels and the service, a
// primary and a replica, all real processes on loopback. The primary is SIGKILLed while calls are in progress
// (one in a call, one ringing, one whose caller keeps muting and unmuting through the failover): every call
// either goes on, the same for both parties, or both are told it ended; no node stays unready; new calls work.
// METRIC lines: how long the failover took as the nodes saw it.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  Cluster, api, provisionUser, connect, waitFor, waitForState, waitReady, readyz, closeAll, sdp, metric, metrics, pollUntil, clientLog, hubErrorCode,
} from './support/cluster.mjs';
import { RedisSentinelSet } from './support/sentinel.mjs';

const cluster = new Cluster({ label: 'sentinel' });
let redis;
let A, B;
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

/** Invokes until it is not refused `Unavailable` (the store failing over), for at most `deadlineMs`. */
async function whenStoreIsBack(description, invoke, deadlineMs = 20_000) {
  return pollUntil(description, async () => {
    try {
      return { value: await invoke() };
    } catch (error) {
      if (hubErrorCode(error) === 'Unavailable') return false;
      throw error;
    }
  }, { deadlineMs, intervalMs: 100 }).then((result) => result.value);
}

/** What each party's device sees of `callId` now, read on its own node. */
async function views(callId, ...connections) {
  return Promise.all(connections.map((c) => whenStoreIsBack(`GetCall ${callId}`, () => c.hub.invoke('GetCall', callId))));
}

describe('Redis Sentinel: the primary is SIGKILLed mid-call', { timeout: 150_000 }, () => {
  before(async () => {
    redis = await new RedisSentinelSet({ label: 'sentinel' }).start();
    cluster.redisConfiguration = redis.configuration;
    [A, B] = await Promise.all(['A', 'B'].map((name) => cluster.startNode(name)));
    await Promise.all([A, B].map((node) => waitReady(node)));
  }, { timeout: 90_000 });

  after(async () => {
    await closeAll();
    await cluster.stopAll();
    if (failed) process.stderr.write(`\n${cluster.logs()}\n${redis?.logs() ?? ''}\n----- client log -----\n${clientLog.slice(-60).join('\n')}\n`);
    await redis?.stop();
    if (metrics.length) console.log(`\nMETRIC summary:\n${metrics.join('\n')}`);
  });

  test('calls in progress go on or end for both parties; both nodes are ready again; new calls work', async () => {
    const [alice, bob, carol, dave] = await Promise.all(['alice', 'bob', 'carol', 'dave'].map((name, i) => provisionUser(cluster, A, i % 2 ? B : A, name)));
    const a = await connect(A, 'alice', alice);
    const b = await connect(B, 'bob', bob);
    const c = await connect(A, 'carol', carol);
    const d = await connect(B, 'dave', dave);

    // In a call: alice (A) ↔ bob (B).
    const inCall = (await a.hub.invoke('CreateOutgoingCall', bob.username)).callId;
    await a.hub.invoke('EstablishCall', inCall, sdp({ role: 'offer', user: 'alice' }));
    await waitFor(b, 'IncomingCall', (s) => s.callId === inCall);
    await b.hub.invoke('AcceptCall', inCall, sdp({ role: 'answer', user: 'bob' }));
    await waitForState(a, inCall, 'InCall');
    // Ringing: carol (A) → dave (B).
    const ringing = (await c.hub.invoke('CreateOutgoingCall', dave.username)).callId;
    await c.hub.invoke('EstablishCall', ringing, sdp({ role: 'offer', user: 'alice' }));
    await waitFor(d, 'IncomingCall', (s) => s.callId === ringing);
    await waitForState(c, ringing, 'Ringing');

    // Alice mutes and unmutes through the failover: each command is taken or refused Unavailable, never lost silently.
    let muting = true;
    const outcomes = { ok: 0, unavailable: 0, other: [] };
    const churn = (async () => {
      for (let i = 0; muting && i < 2_000; i++) {
        try {
          await a.hub.invoke(i % 2 ? 'Unmute' : 'Mute', inCall);
          outcomes.ok++;
        } catch (error) {
          if (hubErrorCode(error) === 'Unavailable') outcomes.unavailable++;
          else outcomes.other.push(error.message);
        }
      }
    })();

    const { killedAt, port: oldPrimary } = await redis.killPrimary();
    const newPrimary = await redis.waitFailover(oldPrimary);
    const promotedAfter = performance.now() - killedAt;
    assert.notEqual(newPrimary, oldPrimary);

    // Both nodes are (again) ready, and a command goes through.
    for (const node of [A, B]) {
      await pollUntil(`node ${node.name} ready after the failover`, async () => (await readyz(node)) === 200, { deadlineMs: 20_000, intervalMs: 100 });
    }
    await whenStoreIsBack('a command after the failover', () => a.hub.invoke('GetCall', inCall));
    const backAfter = performance.now() - killedAt;
    muting = false;
    await churn;
    assert.deepEqual(outcomes.other, [], 'every mute was taken or refused Unavailable');
    assert.ok(outcomes.ok > 0);
    metric('sentinel_promoted_after_kill', promotedAfter, 'ms', '(SIGKILL of the primary → the sentinels name the replica; down-after-milliseconds 1000)');
    metric('sentinel_commands_back_after_kill', backAfter, 'ms', '(SIGKILL → both nodes ready and a hub command answered)');
    metric('sentinel_mutes_refused_unavailable', outcomes.unavailable, '', `(of ${outcomes.ok + outcomes.unavailable} Mute/Unmute sent through the failover)`);

    // The call in progress: both parties see the same call, and it goes on (or, had its last write been lost,
    // has ended for both).
    const [aliceView, bobView] = await views(inCall, a, b);
    assert.equal(aliceView.sequence, bobView.sequence, 'both parties read the same version');
    assert.equal(aliceView.state === 'Ended', bobView.state === 'Ended', `ended for both or neither: ${aliceView.state} / ${bobView.state}`);
    if (aliceView.state !== 'Ended') {
      assert.equal(aliceView.state, 'InCall');
      // It goes on: a hold completes across the nodes, then the end reaches both.
      const operationId = await whenStoreIsBack('HoldCall', () => a.hub.invoke('HoldCall', inCall, sdp({ role: 'offer', user: 'alice', audio: 'sendonly', video: 'sendonly' })));
      await waitFor(b, 'RenegotiationRequested', (id, op) => id === inCall && op === operationId, 10_000);
      await b.hub.invoke('AnswerRenegotiation', inCall, operationId, sdp({ role: 'answer', user: 'bob', audio: 'recvonly', video: 'recvonly' }));
      await waitForState(a, inCall, 'OnHold', undefined, 10_000);
      await a.hub.invoke('EndCall', inCall);
      await waitForState(b, inCall, 'Ended', 'EndedRemotely', 10_000);
    }

    // The ringing call: dave can still answer it.
    const [carolView, daveView] = await views(ringing, c, d);
    assert.equal(carolView.state === 'Ended', daveView.state === 'Ended', `ended for both or neither: ${carolView.state} / ${daveView.state}`);
    if (carolView.state !== 'Ended') {
      await d.hub.invoke('AcceptCall', ringing, sdp({ role: 'answer', user: 'bob' }));
      await waitForState(c, ringing, 'InCall', undefined, 10_000);
    }

    // A new call across the nodes, on the new primary.
    const after = (await a.hub.invoke('CreateOutgoingCall', dave.username)).callId;
    await a.hub.invoke('EstablishCall', after, sdp({ role: 'offer', user: 'alice' }));
    await waitFor(d, 'IncomingCall', (s) => s.callId === after, 10_000);
    await d.hub.invoke('AcceptCall', after, sdp({ role: 'answer', user: 'bob' }));
    await waitForState(a, after, 'InCall', undefined, 10_000);

    // Users and their tokens survived (they are in the replica too).
    const me = await api(B, 'GET', '/api/v1/auth/me', { token: carol.token });
    assert.equal(me.status, 200, me.text);
  });
});
