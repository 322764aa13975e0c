// The failover scenario of the Redis deployments with replicas (issue 19), shared by sentinel.test.mjs and
// redis-cluster-failover.test.mjs: two nodes; a call in progress (alice on A with bob on B), one ringing (carol on A
// to dave on B), and alice muting and unmuting through the failover; then the primary (of the call's data) is
// SIGKILLed. Every call either goes on, the same for both parties, or both are told it ended; every command is
// taken or refused Unavailable, none lost silently; both nodes are ready again; new calls work. METRIC lines:
// how long the failover took as the nodes saw it.
import assert from 'node:assert/strict';
import {
  api, provisionUser, connect, waitFor, waitForState, readyz, sdp, metric, pollUntil, hubErrorCode,
} from './cluster.mjs';

/** Invokes until it is not refused `Unavailable` (the store failing over), for at most `deadlineMs`. */
export async function whenStoreIsBack(description, invoke, deadlineMs = 20_000) {
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

/**
 * Runs the scenario on nodes `A` and `B` of `cluster`. `failover.kill({ inCall, ringing })` SIGKILLs a primary
 * and resolves with `{ killedAt, promoted }` (`promoted`: a promise that resolves once a replica serves in its
 * place); `failover.promotedMeaning` describes that moment for the METRIC line; `label` prefixes the metrics.
 */
export async function primaryKilledMidCall({ cluster, A, B, failover, label }) {
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

  const { killedAt, promoted } = await failover.kill({ inCall, ringing });
  await promoted;
  const promotedAfter = performance.now() - killedAt;

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
  metric(`${label}_promoted_after_kill`, promotedAfter, 'ms', failover.promotedMeaning);
  metric(`${label}_commands_back_after_kill`, backAfter, 'ms', '(SIGKILL → both nodes ready and a hub command answered)');
  metric(`${label}_mutes_refused_unavailable`, outcomes.unavailable, '', `(of ${outcomes.ok + outcomes.unavailable} Mute/Unmute sent through the failover)`);

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
}
