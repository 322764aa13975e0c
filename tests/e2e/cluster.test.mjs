// Multi-node end-to-end tests of CallServer: a real redis-server and several CallServer node
// processes on loopback, driven by the official SignalR JavaScript client. Run with
// `node --test cluster.test.mjs` (build the server first: `dotnet build src/CallServer`).
//
// Nodes: A, B, C serve the ordinary traffic; V1–V4 are victims that the failure tests kill
// (SIGKILL) or drain (SIGTERM). Redis is restarted by the last test only (no persistence: its data
// is lost, so that test checks refusals and recovery only). METRIC lines are printed on stdout.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  Cluster, TIMERS, api, provisionUser, connect, waitFor, waitForEntry, waitForState, waitClosed,
  assertRefused, hubErrorCode, unconsumed, eventsOf, assertSequencesIncrease, describeEvents, closeAll,
  connections, clientLog, sdp, candidate, readyz, waitReady, pollUntil, median, percentile, metric, metrics,
  recordSnapshot,
} from './support/cluster.mjs';

const cluster = new Cluster({ label: 'cluster' });
let A, B, C, V1, V2, V3, V4, V5, V6, V7;
let anyFailure = false;
const auditLater = []; // calls whose exactly-once delivery is checked again at the end

/** A test whose failure also dumps the nodes' logs at the end. */
function test(name, fn, options = {}) {
  it(name, options, async (t) => {
    try {
      await fn(t);
    } catch (error) {
      if (!options.todo) anyFailure = true;
      throw error;
    }
  });
}

/** Provisions users through A's admin API; tokens come from the nodes in turn (tokens work on every node). */
let tokenTurn = 0;
async function users(...names) {
  // One at a time: password hashing is CPU-heavy, and a CPU-starved node misses its heartbeats.
  const live = cluster.running();
  const provisioned = [];
  for (const name of names) provisioned.push(await provisionUser(cluster, A, live[tokenTurn++ % live.length], name));
  return provisioned;
}

/** Creates and establishes a call from `caller` to `callee`; waits until every callee device rings and the caller sees Ringing. */
async function ring(caller, callee, devices, offer = sdp({ role: 'offer', user: 'alice' })) {
  const created = await caller.hub.invoke('CreateOutgoingCall', callee.username);
  recordSnapshot(caller, created, 'CreateOutgoingCall');
  const callId = created.callId;
  await caller.hub.invoke('EstablishCall', callId, offer);
  for (const device of devices) {
    const [snapshot, sdpOffer] = await waitFor(device, 'IncomingCall', (s) => s.callId === callId);
    assert.equal(sdpOffer, offer);
    assert.equal(snapshot.state, 'Ringing');
  }
  await waitForState(caller, callId, 'Dialing');
  await waitForState(caller, callId, 'Ringing');
  return callId;
}

/** Rings and accepts on `device`: both reach InCall. */
async function inCall(caller, callee, device, others = []) {
  const callId = await ring(caller, callee, [device, ...others]);
  await device.hub.invoke('AcceptCall', callId, sdp({ role: 'answer', user: 'bob' }));
  await waitFor(caller, 'RemoteDescription', (id) => id === callId);
  await waitForState(device, callId, 'Answering');
  await waitForState(device, callId, 'InCall');
  await waitForState(caller, callId, 'InCall');
  for (const other of others) await waitForState(other, callId, 'Ended', 'AnsweredElsewhere');
  return callId;
}

/** Polls `check` (which throws or returns false when the condition fails) until `untilMs` (performance.now()); fails at the first violation. */
async function holdsUntil(description, untilMs, check) {
  while (performance.now() < untilMs) {
    const ok = await check();
    assert.ok(ok !== false, `${description} stopped holding`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('CallServer cluster: several nodes sharing calls through Redis', { timeout: 175_000 }, () => {
  before(async () => {
    await cluster.startRedis();
    [A, B, C, V1, V2, V3, V4, V5, V6, V7] = await cluster.startNodes('A', 'B', 'C', 'V1', 'V2', 'V3', 'V4', 'V5', 'V6', 'V7');
    // Warm every node up (JIT, password hashing, first hub connection) before anything is timed, so
    // that no node stalls long enough to miss its heartbeats (Redis:NodeTimeout is short here).
    const warm = await provisionUser(cluster, A, A, 'warmup');
    for (const node of cluster.running()) {
      await api(node, 'POST', '/api/v1/auth/token', { body: { username: warm.username, password: warm.password } });
      const conn = await connect(node, 'warmup', warm);
      await conn.hub.invoke('GetActiveCalls');
      await conn.hub.stop();
    }
  }, { timeout: 90_000 });

  after(async () => {
    await closeAll();
    await cluster.stopAll();
    if (anyFailure) {
      process.stderr.write(`\n${cluster.logs()}\n----- client log (last 80) -----\n${clientLog.slice(-80).join('\n')}\n`);
    }
    if (metrics.length) {
      console.log(`\nMETRIC summary:\n${metrics.join('\n')}`);
    }
  });

  // -------------------------------------------------------------------------------------------
  // 1. Every operation of the contract, each party on another node
  // -------------------------------------------------------------------------------------------

  test('1. a whole call across three nodes: alice on A, bob on B and C; every event once and in order', async () => {
    const [alice, bob, carol] = await users('alice', 'bob', 'carol');
    const a = await connect(A, 'alice', alice);
    const b1 = await connect(B, 'bob#1', bob);
    const b2 = await connect(C, 'bob#2', bob);
    const c = await connect(C, 'carol', carol);

    // Create and establish: both of bob's devices ring, on two other nodes.
    const created = await a.hub.invoke('CreateOutgoingCall', bob.username);
    recordSnapshot(a, created, 'CreateOutgoingCall');
    const callId = created.callId;
    assert.equal(created.state, 'Initial');
    assert.equal(created.remoteAddress, bob.address);
    const offer = sdp({ role: 'offer', user: 'alice' });
    await a.hub.invoke('EstablishCall', callId, offer);
    for (const device of [b1, b2]) {
      const [snapshot, sdpOffer] = await waitFor(device, 'IncomingCall', (s) => s.callId === callId);
      assert.equal(sdpOffer, offer);
      assert.equal(snapshot.state, 'Ringing');
      assert.equal(snapshot.direction, 'incoming');
      assert.equal(snapshot.remoteAddress, alice.address);
    }
    await waitForState(a, callId, 'Dialing');
    await waitForState(a, callId, 'Ringing');

    // A candidate sent while ringing is kept for the device that will accept.
    const early = candidate(1);
    await a.hub.invoke('SendIceCandidate', callId, early);

    // Any node reads the call (REST with alice's token on C, bob's on A).
    const restAlice = await api(C, 'GET', `/api/v1/calls/${callId}`, { token: alice.token });
    assert.equal(restAlice.status, 200, restAlice.text);
    assert.equal(restAlice.json.state, 'Ringing');
    assert.equal(restAlice.json.direction, 'outgoing');
    const restBob = await api(A, 'GET', `/api/v1/calls/${callId}`, { token: bob.token });
    assert.equal(restBob.status, 200, restBob.text);
    assert.equal(restBob.json.direction, 'incoming');

    // Accept on B: C stops ringing with AnsweredElsewhere, alice gets the answer, both InCall.
    const answer = sdp({ role: 'answer', user: 'bob' });
    await b1.hub.invoke('AcceptCall', callId, answer);
    const elsewhere = await waitForState(b2, callId, 'Ended', 'AnsweredElsewhere');
    assert.equal(elsewhere.statusCode, 9904);
    const [, type, remoteSdp] = await waitFor(a, 'RemoteDescription', (id) => id === callId);
    assert.equal(type, 'answer');
    assert.equal(remoteSdp, answer);
    await waitForState(b1, callId, 'Answering');
    const [, kept] = await waitFor(b1, 'IceCandidate', (id) => id === callId);
    assert.deepEqual(kept, early);
    await waitForState(b1, callId, 'InCall');
    await waitForState(a, callId, 'InCall');
    await assertRefused(b2.hub.invoke('AcceptCall', callId, answer), 'InvalidState');

    // ICE both ways, A <-> B.
    const fromAlice = candidate(2, '1');
    await a.hub.invoke('SendIceCandidate', callId, fromAlice);
    assert.deepEqual((await waitFor(b1, 'IceCandidate', (id, cand) => cand.candidate === fromAlice.candidate))[1], fromAlice);
    const fromBob = candidate(3);
    await b1.hub.invoke('SendIceCandidate', callId, fromBob);
    assert.deepEqual((await waitFor(a, 'IceCandidate', (id, cand) => cand.candidate === fromBob.candidate))[1], fromBob);

    // Alice holds; bob answers from B.
    const holdOffer = sdp({ role: 'offer', user: 'alice', audio: 'sendonly', video: 'sendonly' });
    const hold1 = await a.hub.invoke('HoldCall', callId, holdOffer);
    const [, reqHold1, opHold1, sdpHold1] = await waitFor(b1, 'RenegotiationRequested', (id) => id === callId);
    assert.equal(reqHold1, hold1);
    assert.equal(opHold1, 'HoldCall');
    assert.equal(sdpHold1, holdOffer);
    await assertRefused(b1.hub.invoke('HoldCall', callId, sdp({ role: 'offer', user: 'bob', audio: 'inactive' })), 'OperationInProgress');
    const holdAnswer = sdp({ role: 'answer', user: 'bob', audio: 'recvonly', video: 'recvonly' });
    await b1.hub.invoke('AnswerRenegotiation', callId, hold1, holdAnswer);
    const [, doneHold1, doneOpHold1, okHold1, errHold1, ansHold1] = await waitFor(a, 'CallOperationCompleted', (id, op) => op === hold1);
    assert.deepEqual([doneHold1, doneOpHold1, okHold1, errHold1 ?? null, ansHold1], [hold1, 'HoldCall', true, null, holdAnswer]);
    assert.equal((await waitForState(a, callId, 'OnHold')).localHold, true);
    assert.equal((await waitForState(b1, callId, 'RemotelyHeld')).remoteHold, true);
    await assertRefused(a.hub.invoke('HoldCall', callId, holdOffer), 'AlreadyOnHold');
    await assertRefused(b1.hub.invoke('UnholdCall', callId, sdp({ role: 'offer', user: 'bob' })), 'NotOnHold');

    // Bob holds too (inactive offer): OnDoubleHold on both nodes.
    const hold2 = await b1.hub.invoke('HoldCall', callId, sdp({ role: 'offer', user: 'bob', audio: 'inactive', video: 'inactive' }));
    assert.equal((await waitFor(a, 'RenegotiationRequested', (id) => id === callId))[1], hold2);
    await a.hub.invoke('AnswerRenegotiation', callId, hold2, sdp({ role: 'answer', user: 'alice', audio: 'inactive', video: 'inactive' }));
    assert.equal((await waitFor(b1, 'CallOperationCompleted', (id, op) => op === hold2))[3], true);
    await waitForState(a, callId, 'OnDoubleHold');
    await waitForState(b1, callId, 'OnDoubleHold');

    // Both unhold (sendrecv offers).
    const unhold1 = await a.hub.invoke('UnholdCall', callId, sdp({ role: 'offer', user: 'alice' }));
    assert.equal((await waitFor(b1, 'RenegotiationRequested', (id) => id === callId))[2], 'UnholdCall');
    await b1.hub.invoke('AnswerRenegotiation', callId, unhold1, sdp({ role: 'answer', user: 'bob', audio: 'sendonly', video: 'sendonly' }));
    assert.equal((await waitFor(a, 'CallOperationCompleted', (id, op) => op === unhold1))[3], true);
    await waitForState(a, callId, 'RemotelyHeld');
    await waitForState(b1, callId, 'OnHold');
    const unhold2 = await b1.hub.invoke('UnholdCall', callId, sdp({ role: 'offer', user: 'bob' }));
    assert.equal((await waitFor(a, 'RenegotiationRequested', (id) => id === callId))[2], 'UnholdCall');
    await a.hub.invoke('AnswerRenegotiation', callId, unhold2, sdp({ role: 'answer', user: 'alice' }));
    assert.equal((await waitFor(b1, 'CallOperationCompleted', (id, op) => op === unhold2))[3], true);
    await waitForState(a, callId, 'InCall');
    await waitForState(b1, callId, 'InCall');

    // Bob's VideoStop, refused by alice with RejectRenegotiation: nothing changes.
    const stopByBob = await b1.hub.invoke('VideoStop', callId, sdp({ role: 'offer', user: 'bob', video: 'recvonly' }));
    assert.equal((await waitFor(a, 'RenegotiationRequested', (id) => id === callId))[2], 'VideoStop');
    await a.hub.invoke('RejectRenegotiation', callId, stopByBob, 'not now');
    const [, , , okStop, errStop] = await waitFor(b1, 'CallOperationCompleted', (id, op) => op === stopByBob);
    assert.equal(okStop, false);
    assert.match(errStop, /^Rejected: not now/);

    // Bob mutes and unmutes on B: alice on A sees remoteMuted.
    await b1.hub.invoke('Mute', callId);
    assert.equal((await waitFor(a, 'MediaAttributesChanged', (s) => s.callId === callId))[0].media.remoteMuted, true);
    assert.equal((await waitFor(b1, 'MediaAttributesChanged', (s) => s.callId === callId))[0].media.localMuted, true);
    await b1.hub.invoke('Mute', callId); // idempotent: no event
    await b1.hub.invoke('Unmute', callId);
    assert.equal((await waitFor(a, 'MediaAttributesChanged', (s) => s.callId === callId))[0].media.remoteMuted, false);
    assert.equal((await waitFor(b1, 'MediaAttributesChanged', (s) => s.callId === callId))[0].media.localMuted, false);

    // Alice stops video (offer sends none), then starts it again (offer sends video).
    await assertRefused(a.hub.invoke('VideoStart', callId, sdp({ role: 'offer', user: 'alice' })), 'InvalidState');
    await assertRefused(a.hub.invoke('VideoStop', callId, sdp({ role: 'offer', user: 'alice' })), 'InvalidSdp');
    const videoStop = await a.hub.invoke('VideoStop', callId, sdp({ role: 'offer', user: 'alice', video: 'recvonly' }));
    assert.equal((await waitFor(b1, 'RenegotiationRequested', (id) => id === callId))[2], 'VideoStop');
    await b1.hub.invoke('AnswerRenegotiation', callId, videoStop, sdp({ role: 'answer', user: 'bob', video: 'sendonly' }));
    assert.equal((await waitFor(a, 'CallOperationCompleted', (id, op) => op === videoStop))[3], true);
    const aliceNoVideo = (await waitFor(a, 'MediaAttributesChanged', (s) => s.callId === callId))[0];
    assert.deepEqual([aliceNoVideo.media.localVideo, aliceNoVideo.media.remoteVideo], [false, true]);
    assert.equal((await waitFor(b1, 'MediaAttributesChanged', (s) => s.callId === callId))[0].media.remoteVideo, false);
    await assertRefused(a.hub.invoke('VideoStart', callId, sdp({ role: 'offer', user: 'alice', video: 'recvonly' })), 'InvalidSdp');
    const videoStart = await a.hub.invoke('VideoStart', callId, sdp({ role: 'offer', user: 'alice', video: 'sendrecv' }));
    assert.equal((await waitFor(b1, 'RenegotiationRequested', (id) => id === callId))[2], 'VideoStart');
    await b1.hub.invoke('AnswerRenegotiation', callId, videoStart, sdp({ role: 'answer', user: 'bob' }));
    assert.equal((await waitFor(a, 'CallOperationCompleted', (id, op) => op === videoStart))[3], true);
    assert.equal((await waitFor(a, 'MediaAttributesChanged', (s) => s.callId === callId))[0].media.localVideo, true);
    assert.equal((await waitFor(b1, 'MediaAttributesChanged', (s) => s.callId === callId))[0].media.remoteVideo, true);

    // Reads from every node agree.
    assert.deepEqual((await a.hub.invoke('GetActiveCalls')).map((s) => s.callId), [callId]);
    assert.equal((await b1.hub.invoke('GetCall', callId)).state, 'InCall');
    await assertRefused(c.hub.invoke('GetCall', callId), 'CallNotFound');

    // Bob ends on B.
    await b1.hub.invoke('EndCall', callId);
    assert.equal((await waitForState(b1, callId, 'Ended', 'EndedLocally')).statusCode, 9901);
    assert.equal((await waitForState(a, callId, 'Ended', 'EndedRemotely')).statusCode, 9905);
    await assertRefused(a.hub.invoke('EndCall', callId), 'InvalidState');

    // Exactly once, in order: the whole event list of each connection.
    assert.deepEqual(eventsOf(a, callId), [
      'CallStatusChanged:Dialing', 'CallStatusChanged:Ringing',
      'RemoteDescription', 'CallStatusChanged:InCall',
      'IceCandidate',
      'CallOperationCompleted', 'CallStatusChanged:OnHold',
      'RenegotiationRequested', 'CallStatusChanged:OnDoubleHold',
      'CallOperationCompleted', 'CallStatusChanged:RemotelyHeld',
      'RenegotiationRequested', 'CallStatusChanged:InCall',
      'RenegotiationRequested',
      'MediaAttributesChanged:InCall', 'MediaAttributesChanged:InCall',
      'CallOperationCompleted', 'MediaAttributesChanged:InCall',
      'CallOperationCompleted', 'MediaAttributesChanged:InCall',
      'CallStatusChanged:Ended/EndedRemotely',
    ], `alice's events:\n${describeEvents(a)}`);
    assert.deepEqual(eventsOf(b1, callId), [
      'IncomingCall:Ringing',
      'CallStatusChanged:Answering', 'IceCandidate', 'CallStatusChanged:InCall',
      'IceCandidate',
      'RenegotiationRequested', 'CallStatusChanged:RemotelyHeld',
      'CallOperationCompleted', 'CallStatusChanged:OnDoubleHold',
      'RenegotiationRequested', 'CallStatusChanged:OnHold',
      'CallOperationCompleted', 'CallStatusChanged:InCall',
      'CallOperationCompleted',
      'MediaAttributesChanged:InCall', 'MediaAttributesChanged:InCall',
      'RenegotiationRequested', 'MediaAttributesChanged:InCall',
      'RenegotiationRequested', 'MediaAttributesChanged:InCall',
      'CallStatusChanged:Ended/EndedLocally',
    ], `bob#1's events:\n${describeEvents(b1)}`);
    assert.deepEqual(eventsOf(b2, callId), ['IncomingCall:Ringing', 'CallStatusChanged:Ended/AnsweredElsewhere']);
    assert.deepEqual(c.received, [], 'carol hears nothing');
    for (const conn of [a, b1, b2]) {
      assertSequencesIncrease(conn, callId);
      assert.deepEqual(unconsumed(conn).map((e) => e.event), [], `${conn.label}: unexpected events:\n${describeEvents(conn)}`);
    }
  });

  test('1b. ringing across nodes: ignore on C, reject on B; forward from B to carol on A; cancel by the caller', async () => {
    const [alice, bob, carol] = await users('alice', 'bob', 'carol');
    const a = await connect(A, 'alice', alice);
    const b1 = await connect(B, 'bob#1', bob);
    const b2 = await connect(C, 'bob#2', bob);
    const c = await connect(A, 'carol', carol);

    // Ignore on C stops C alone; reject on B ends the call for alice.
    const call1 = await ring(a, bob, [b1, b2]);
    await b2.hub.invoke('IgnoreCall', call1);
    assert.equal((await waitForState(b2, call1, 'Ended', 'Ignored')).statusCode, 9903);
    await b1.hub.invoke('RejectCall', call1);
    assert.equal((await waitForState(a, call1, 'Ended', 'Rejected')).statusCode, 603);
    assert.equal((await waitForState(b1, call1, 'Ended', 'Rejected')).statusCode, 9902);
    assert.deepEqual(eventsOf(a, call1), ['CallStatusChanged:Dialing', 'CallStatusChanged:Ringing', 'CallStatusChanged:Ended/Rejected']);
    assert.deepEqual(eventsOf(b2, call1), ['IncomingCall:Ringing', 'CallStatusChanged:Ended/Ignored']);

    // Forward from B to carol (on A): both bob devices end Forwarded; carol rings; alice sees the new address.
    const call2 = await ring(a, bob, [b1, b2]);
    await b1.hub.invoke('ForwardCall', call2, carol.username);
    assert.equal((await waitForState(b1, call2, 'Ended', 'Forwarded')).statusCode, 9908);
    assert.equal((await waitForState(b2, call2, 'Ended', 'Forwarded')).statusCode, 9908);
    const [atCarol] = await waitFor(c, 'IncomingCall', (s) => s.callId === call2);
    assert.equal(atCarol.remoteAddress, alice.address);
    const [moved] = await waitFor(a, 'CallStatusChanged', (s) => s.callId === call2 && s.remoteAddress === carol.address);
    assert.notEqual(moved.state, 'Ended');
    await assertRefused(c.hub.invoke('ForwardCall', call2, bob.username), 'ForwardLoop');

    // Alice cancels: carol's device ends Canceled.
    await a.hub.invoke('EndCall', call2);
    assert.equal((await waitForState(c, call2, 'Ended', 'Canceled')).statusCode, 487);
    await waitForState(a, call2, 'Ended', 'EndedLocally');
    for (const conn of [a, b1, b2, c]) {
      assertSequencesIncrease(conn, call1);
      assertSequencesIncrease(conn, call2);
      assert.deepEqual(unconsumed(conn).map((e) => e.event), [], `${conn.label}: unexpected events:\n${describeEvents(conn)}`);
    }
  });

  test('1c. PullCall across nodes: bob#2 on C pulls the call bob#1 took on B; alice on A answers and never sees it end; a pull racing one from A moves it once', async () => {
    const [alice, bob] = await users('alice', 'bob');
    const a = await connect(A, 'alice', alice);
    const b1 = await connect(B, 'bob#1', bob);
    const callId = await inCall(a, bob, b1);
    // bob's other devices connect during the call (a device that rang and lost the answer race may pull
    // too: see the Chromium test; here each connection's audit stays one end per call).
    const b2 = await connect(C, 'bob#2', bob);
    const b3 = await connect(A, 'bob#3', bob);

    const onOthers = await b2.hub.invoke('GetCallsOnOtherDevices');
    assert.ok(onOthers.some((c) => c.callId === callId && c.state === 'InCall'), 'bob#2 lists the call on bob#1');

    // Two devices of bob pull at once, from C and from A: exactly one pull is taken.
    const offer = sdp({ role: 'offer', user: 'bob' });
    const outcomes = await Promise.allSettled([b2.hub.invoke('PullCall', callId, offer), b3.hub.invoke('PullCall', callId, offer)]);
    const taken = outcomes.filter((o) => o.status === 'fulfilled');
    assert.equal(taken.length, 1, `exactly one pull taken: ${outcomes.map((o) => o.status === 'fulfilled' ? 'ok' : hubErrorCode(o.reason)).join(', ')}`);
    assert.equal(hubErrorCode(outcomes.find((o) => o.status === 'rejected').reason), 'OperationInProgress');
    const winner = outcomes[0].status === 'fulfilled' ? b2 : b3;
    const loser = winner === b2 ? b3 : b2;
    const operationId = taken[0].value;

    const [, requested, operation, sdpOffer] = await waitFor(a, 'RenegotiationRequested', (id) => id === callId);
    assert.deepEqual([requested, operation, sdpOffer], [operationId, 'PullCall', offer]);
    await a.hub.invoke('AnswerRenegotiation', callId, operationId, sdp({ role: 'answer', user: 'alice' }));
    const [, completedId, completedOp, succeeded] = await waitFor(winner, 'CallOperationCompleted', (id) => id === callId);
    assert.deepEqual([completedId, completedOp, succeeded], [operationId, 'PullCall', true]);
    await waitForState(winner, callId, 'InCall');
    assert.equal((await waitForState(b1, callId, 'Ended', 'MovedToAnotherDevice')).statusCode, 9904);

    // The call goes on between alice and the winner; alice never saw it end; the loser never had it.
    await assertRefused(b1.hub.invoke('EndCall', callId), 'InvalidState');
    await winner.hub.invoke('EndCall', callId);
    await waitForState(a, callId, 'Ended', 'EndedRemotely');
    assert.deepEqual(eventsOf(a, callId).filter((e) => e.startsWith('CallStatusChanged:Ended')), ['CallStatusChanged:Ended/EndedRemotely']);
    assert.deepEqual(eventsOf(loser, callId), []);
  });

  test('1d. transfers across nodes: bob on B transfers alice on A to carol on C (blind), both parties transfer at once (one is taken), and a consultative transfer', async () => {
    const [alice, bob, carol] = await users('alice', 'bob', 'carol');
    const a = await connect(A, 'alice', alice);
    const b = await connect(B, 'bob', bob);
    const c = await connect(C, 'carol', carol);

    // Blind: alice places the new call from A, carol answers on C, bob on B hears every step once.
    const callId = await inCall(a, bob, b);
    const newCallId = await b.hub.invoke('TransferCall', callId, carol.username);
    const [, requestedId, target, transferredBy] = await waitFor(a, 'TransferRequested', (id) => id === callId);
    assert.deepEqual([requestedId, transferredBy], [newCallId, bob.address]);
    assert.match(target, new RegExp(carol.username));
    await waitForState(a, callId, 'RemotelyHeld');
    await a.hub.invoke('EstablishCall', newCallId, sdp({ role: 'offer', user: 'alice' }));
    const [incoming] = await waitFor(c, 'IncomingCall', (s) => s.callId === newCallId);
    assert.equal(incoming.transferredBy, bob.address);
    await c.hub.invoke('AcceptCall', newCallId, sdp({ role: 'answer', user: 'carol' }));
    await waitForState(a, newCallId, 'InCall');
    await waitForState(a, callId, 'Ended', 'Transferred');
    await waitForState(b, callId, 'Ended', 'Transferred');
    // Ringing and Succeeded may be applied by two nodes and so arrive in either order, Ringing even after the end: wait for both.
    await Promise.all(['Ringing', 'Succeeded'].map((state) => waitFor(b, 'TransferProgress', (id, s) => id === callId && s === state)));
    const progress = b.received.filter((e) => e.event === 'TransferProgress' && e.args[0] === callId).map((e) => e.args[1]);
    // Each state once.
    assert.equal(progress[0], 'Trying');
    assert.deepEqual([...progress].sort(), ['Ringing', 'Succeeded', 'Trying']);
    assert.deepEqual((await b.hub.invoke('GetActiveCalls')).map((x) => x.callId), []);
    await c.hub.invoke('EndCall', newCallId);
    await waitForState(a, newCallId, 'Ended', 'EndedRemotely');

    // Both parties transfer at once, from A and from B: exactly one is taken, the other's new call is gone.
    const second = await inCall(a, bob, b);
    const outcomes = await Promise.allSettled([
      a.hub.invoke('TransferCall', second, carol.username), b.hub.invoke('TransferCall', second, carol.username)]);
    assert.equal(outcomes.filter((o) => o.status === 'fulfilled').length, 1,
      `one transfer taken: ${outcomes.map((o) => (o.status === 'fulfilled' ? 'ok' : hubErrorCode(o.reason))).join(', ')}`);
    assert.equal(hubErrorCode(outcomes.find((o) => o.status === 'rejected').reason), 'OperationInProgress');
    const [transferor, transferee] = outcomes[0].status === 'fulfilled' ? [a, b] : [b, a];
    const secondNew = outcomes.find((o) => o.status === 'fulfilled').value;
    await waitFor(transferee, 'TransferRequested', (id, n) => id === second && n === secondNew);
    await pollUntil('the refused transfer\'s call is gone', async () => (await transferee.hub.invoke('GetActiveCalls')).length === 2);
    await transferee.hub.invoke('EndCall', secondNew); // the transferee refuses: the transfer fails, the call stays held
    assert.equal((await waitFor(transferor, 'TransferProgress', (id, state) => id === second && state === 'Failed'))[2], 'Canceled');
    await transferor.hub.invoke('EndCall', second);
    await waitForState(transferee, second, 'Ended', 'EndedRemotely');

    // Consultative: bob holds alice (A) and carol (C), then connects them; carol is offered the new call only on C.
    const first = await inCall(a, bob, b);
    const consult = await inCall(b, carol, c);
    for (const [callToHold, other] of [[first, a], [consult, c]]) {
      const holdId = await b.hub.invoke('HoldCall', callToHold, sdp({ role: 'offer', user: 'bob', audio: 'sendonly' }));
      await waitFor(other, 'RenegotiationRequested', (id, op) => id === callToHold && op === holdId);
      await other.hub.invoke('AnswerRenegotiation', callToHold, holdId, sdp({ role: 'answer', user: 'other', audio: 'recvonly' }));
      await waitForState(b, callToHold, 'OnHold');
    }
    const joined = await b.hub.invoke('ConsultativeTransfer', first, consult);
    await waitFor(a, 'TransferRequested', (id, n) => id === first && n === joined);
    await waitFor(c, 'TransferConnected', (id, n) => id === consult && n === joined);
    await a.hub.invoke('EstablishCall', joined, sdp({ role: 'offer', user: 'alice' }));
    const [offered] = await waitFor(c, 'IncomingCall', (s) => s.callId === joined);
    assert.equal(offered.replacesCallId, consult);
    await c.hub.invoke('AcceptCall', joined, sdp({ role: 'answer', user: 'carol' }));
    await waitForState(a, joined, 'InCall');
    for (const [conn, id] of [[a, first], [b, first], [b, consult], [c, consult]]) await waitForState(conn, id, 'Ended', 'Transferred');
    await a.hub.invoke('EndCall', joined);
    await waitForState(c, joined, 'Ended', 'EndedRemotely');
  });

  // -------------------------------------------------------------------------------------------
  // 2. Racing accepts on two nodes
  // -------------------------------------------------------------------------------------------

  test('2. racing accepts from B and C, 10 fresh calls: exactly one wins, the other gets InvalidState and AnsweredElsewhere', async () => {
    const [alice, bob] = await users('alice', 'bob');
    const a = await connect(A, 'alice', alice);
    const b1 = await connect(B, 'bob#1', bob);
    const b2 = await connect(C, 'bob#2', bob);
    const wins = { [b1.label]: 0, [b2.label]: 0 };
    for (let round = 0; round < 10; round++) {
      const callId = await ring(a, bob, [b1, b2]);
      const outcomes = await Promise.allSettled([
        b1.hub.invoke('AcceptCall', callId, sdp({ role: 'answer', user: 'bob' })),
        b2.hub.invoke('AcceptCall', callId, sdp({ role: 'answer', user: 'bob' })),
      ]);
      const won = outcomes.filter((o) => o.status === 'fulfilled');
      assert.equal(won.length, 1, `round ${round}: exactly one accept wins: ${JSON.stringify(outcomes.map((o) => o.status === 'fulfilled' ? 'ok' : o.reason.message))}`);
      const loserIndex = outcomes.findIndex((o) => o.status === 'rejected');
      const [winner, loser] = loserIndex === 0 ? [b2, b1] : [b1, b2];
      assert.equal(hubErrorCode(outcomes[loserIndex].reason), 'InvalidState', outcomes[loserIndex].reason.message);
      wins[winner.label]++;

      assert.equal((await waitForState(loser, callId, 'Ended', 'AnsweredElsewhere')).statusCode, 9904);
      await waitForState(winner, callId, 'Answering');
      await waitForState(winner, callId, 'InCall');
      await waitFor(a, 'RemoteDescription', (id) => id === callId);
      await waitForState(a, callId, 'InCall');
      await a.hub.invoke('EndCall', callId);
      await waitForState(a, callId, 'Ended', 'EndedLocally');
      await waitForState(winner, callId, 'Ended', 'EndedRemotely');
      assert.deepEqual(eventsOf(loser, callId), ['IncomingCall:Ringing', 'CallStatusChanged:Ended/AnsweredElsewhere']);
      assert.deepEqual(eventsOf(a, callId), ['CallStatusChanged:Dialing', 'CallStatusChanged:Ringing', 'RemoteDescription',
        'CallStatusChanged:InCall', 'CallStatusChanged:Ended/EndedLocally']);
    }
    console.log(`# racing accepts: wins ${JSON.stringify(wins)}`);
    for (const conn of [a, b1, b2]) {
      assert.deepEqual(unconsumed(conn).map((e) => e.event), [], `${conn.label}: unexpected events:\n${describeEvents(conn)}`);
    }
  });

  // -------------------------------------------------------------------------------------------
  // Delivery latency: cross-node vs one node
  // -------------------------------------------------------------------------------------------

  test('2b. 40 simultaneous CreateOutgoingCall of one caller from devices on A, B and C: exactly Calls:MaxCallsPerCaller (10) are created on Redis', async () => {
    const [alice, bob] = await users('alice', 'bob');
    const devices = [await connect(A, 'alice#A', alice), await connect(B, 'alice#B', alice), await connect(C, 'alice#C', alice)];
    const results = await Promise.all(Array.from({ length: 40 }, (_, i) => {
      const device = devices[i % devices.length];
      return device.hub.invoke('CreateOutgoingCall', bob.username).then((call) => ({ callId: call.callId, device }), (error) => hubErrorCode(error));
    }));
    const created = results.filter((r) => r !== 'RateLimited');
    assert.equal(created.length, 10, `results: ${JSON.stringify(results.map((r) => r.callId ?? r))}`);
    assert.equal(results.filter((r) => r === 'RateLimited').length, 30);
    const active = await devices[1].hub.invoke('GetActiveCalls');
    assert.deepEqual(active.map((c) => c.callId).sort(), created.map((c) => c.callId).sort());
    // Ending one makes room for exactly one more.
    await created[0].device.hub.invoke('EndCall', created[0].callId);
    const more = await Promise.all(Array.from({ length: 5 }, (_, i) =>
      devices[i % devices.length].hub.invoke('CreateOutgoingCall', bob.username).then(() => 'ok', (error) => hubErrorCode(error))));
    assert.deepEqual(more.sort(), ['RateLimited', 'RateLimited', 'RateLimited', 'RateLimited', 'ok']);
  });

  test('latency: Mute -> remote MediaAttributesChanged, 50 round trips across nodes (A -> B) and on one node (A -> A)', async () => {
    const [alice1, bob1, alice2, bob2] = await users('alice', 'bob', 'alice', 'bob');
    const pairs = {
      'cross-node': [await connect(A, 'alice', alice1), await connect(B, 'bob', bob1), bob1],
      'single-node': [await connect(A, 'alice', alice2), await connect(A, 'bob', bob2), bob2],
    };
    const samples = { 'cross-node': [], 'single-node': [] };
    const calls = {};
    for (const [name, [caller, device, callee]] of Object.entries(pairs)) {
      calls[name] = await inCall(caller, callee, device);
    }
    // Interleave the two so that both see the same machine load; 5 warm-up rounds are not counted.
    for (let round = -5; round < 50; round++) {
      for (const [name, [caller, device]] of Object.entries(pairs)) {
        const callId = calls[name];
        const muted = (round + 5) % 2 === 0; // Mute first (Unmute of an unmuted call sends nothing)
        const start = performance.now();
        await caller.hub.invoke(muted ? 'Mute' : 'Unmute', callId);
        const entry = await waitForEntry(device, 'MediaAttributesChanged', (s) => s.callId === callId && s.media.remoteMuted === muted);
        await waitFor(caller, 'MediaAttributesChanged', (s) => s.callId === callId && s.media.localMuted === muted);
        if (round >= 0) samples[name].push(entry.at - start);
      }
    }
    for (const name of Object.keys(samples)) {
      metric(`${name.replace('-', '_')}_mute_to_remote_event_median`, median(samples[name]), 'ms',
        `(n=${samples[name].length}, p90=${percentile(samples[name], 90).toFixed(1)}ms, min=${Math.min(...samples[name]).toFixed(1)}ms)`);
    }

    // IncomingCall latency as well: EstablishCall on A -> IncomingCall on B (cross) or A (single), 20 calls each.
    const ringSamples = { 'cross-node': [], 'single-node': [] };
    for (let round = 0; round < 20; round++) {
      for (const [name, [caller, device, callee]] of Object.entries(pairs)) {
        const created = await caller.hub.invoke('CreateOutgoingCall', callee.username);
        const start = performance.now();
        await caller.hub.invoke('EstablishCall', created.callId, sdp({ role: 'offer', user: 'alice' }));
        const entry = await waitForEntry(device, 'IncomingCall', (s) => s.callId === created.callId);
        ringSamples[name].push(entry.at - start);
        await waitForState(caller, created.callId, 'Ringing');
        await caller.hub.invoke('EndCall', created.callId);
        await waitForState(device, created.callId, 'Ended', 'Canceled');
      }
    }
    for (const name of Object.keys(ringSamples)) {
      metric(`${name.replace('-', '_')}_establish_to_incoming_call_median`, median(ringSamples[name]), 'ms',
        `(n=${ringSamples[name].length}, p90=${percentile(ringSamples[name], 90).toFixed(1)}ms)`);
    }
  });

  // -------------------------------------------------------------------------------------------
  // 3. The caller's node dies mid-call
  // -------------------------------------------------------------------------------------------

  test('3. SIGKILL of the caller\'s node mid-call: ResumeCall on another node keeps the call; without it the other party gets ConnectionLost', async () => {
    const [alice, bob, alice2, bob2] = await users('alice', 'bob', 'alice', 'bob');
    // Call 1: alice on V1 (to be killed) resumes on B. Call 2: alice2 on V2 (killed too) never resumes.
    const a = await connect(V1, 'alice', alice);
    const b = await connect(C, 'bob', bob);
    const callId = await inCall(a, bob, b);
    const a2 = await connect(V2, 'alice2', alice2);
    const b2 = await connect(B, 'bob2', bob2);
    const lostCallId = await inCall(a2, bob2, b2);

    const [killedAt] = await Promise.all([cluster.kill(V1, 'SIGKILL'), cluster.kill(V2, 'SIGKILL')]);
    await waitClosed(a);
    const resumed = await connect(B, 'alice(resumed)', alice);
    const snapshot = await resumed.hub.invoke('ResumeCall', callId);
    const failoverMs = performance.now() - killedAt;
    recordSnapshot(resumed, snapshot, 'ResumeCall');
    assert.equal(snapshot.state, 'InCall');
    assert.equal(snapshot.direction, 'outgoing');
    metric('failover_kill_to_resume', failoverMs, 'ms', `(client noticed the close after ${(a.closedAt - killedAt).toFixed(1)}ms)`);

    // The call goes on: bob's mute and hold reach alice's new connection on B.
    await b.hub.invoke('Mute', callId);
    assert.equal((await waitFor(resumed, 'MediaAttributesChanged', (s) => s.callId === callId))[0].media.remoteMuted, true);
    await waitFor(b, 'MediaAttributesChanged', (s) => s.callId === callId && s.media.localMuted);

    // Without ResumeCall, bob2 sees Ended/ConnectionLost after the node timeout and the grace.
    const lostEntry = await waitForEntry(b2, 'CallStatusChanged', (s) => s.callId === lostCallId && s.state === 'Ended',
      TIMERS.nodeTimeoutMs + TIMERS.reconnectGraceMs + 10_000);
    const lost = lostEntry.args[0];
    assert.equal(lost.endReason, 'ConnectionLost');
    assert.equal(lost.statusCode, 9906);
    metric('connection_lost_after_kill', lostEntry.at - killedAt, 'ms',
      `(node timeout ${TIMERS.nodeTimeoutMs}ms + grace ${TIMERS.reconnectGraceMs}ms = ${TIMERS.nodeTimeoutMs + TIMERS.reconnectGraceMs}ms)`);

    // By now the grace period has long passed for call 1 too: it is still up, and a hold from bob works.
    assert.equal((await resumed.hub.invoke('GetCall', callId)).state, 'InCall');
    const holdId = await b.hub.invoke('HoldCall', callId, sdp({ role: 'offer', user: 'bob', audio: 'sendonly' }));
    const [, reqId, op] = await waitFor(resumed, 'RenegotiationRequested', (id) => id === callId);
    assert.deepEqual([reqId, op], [holdId, 'HoldCall']);
    await resumed.hub.invoke('AnswerRenegotiation', callId, holdId, sdp({ role: 'answer', user: 'alice', audio: 'recvonly' }));
    assert.equal((await waitFor(b, 'CallOperationCompleted', (id, opId) => opId === holdId))[3], true);
    await waitForState(b, callId, 'OnHold');
    await waitForState(resumed, callId, 'RemotelyHeld');
    await resumed.hub.invoke('EndCall', callId);
    await waitForState(b, callId, 'Ended', 'EndedRemotely');
    await waitForState(resumed, callId, 'Ended', 'EndedLocally');

    assert.deepEqual(eventsOf(b, callId), [
      'IncomingCall:Ringing', 'CallStatusChanged:Answering', 'CallStatusChanged:InCall',
      'MediaAttributesChanged:InCall', 'CallOperationCompleted', 'CallStatusChanged:OnHold', 'CallStatusChanged:Ended/EndedRemotely',
    ], `bob's events, exactly once and in order across the failover:\n${describeEvents(b)}`);
    assert.ok(!eventsOf(b, callId).some((e) => e.startsWith('CallStatusChanged:Ended/ConnectionLost')), 'call 1 never ended ConnectionLost');
    for (const conn of [b, resumed, b2]) {
      assertSequencesIncrease(conn, callId);
      assertSequencesIncrease(conn, lostCallId);
      assert.deepEqual(unconsumed(conn).map((e) => e.event), [], `${conn.label}: unexpected events:\n${describeEvents(conn)}`);
    }
  });

  test('3b. SIGKILL mid-transfer: the transferor\'s node dies after TransferCall, the transfer completes without it; the transferee\'s node dies, the transfer fails by its timers and the call stays', async () => {
    const [alice, bob, carol, alice2, bob2] = await users('alice', 'bob', 'carol', 'alice', 'bob');

    // The transferor's node (V6) dies: alice on A and carol on C connect, the old call ends Transferred.
    const a = await connect(A, 'alice', alice);
    const b = await connect(V6, 'bob', bob);
    const c = await connect(C, 'carol', carol);
    const callId = await inCall(a, bob, b);
    const newCallId = await b.hub.invoke('TransferCall', callId, carol.username);
    await waitFor(a, 'TransferRequested', (id) => id === callId);
    await cluster.kill(V6, 'SIGKILL');
    await a.hub.invoke('EstablishCall', newCallId, sdp({ role: 'offer', user: 'alice' }));
    await waitFor(c, 'IncomingCall', (s) => s.callId === newCallId);
    await c.hub.invoke('AcceptCall', newCallId, sdp({ role: 'answer', user: 'carol' }));
    await waitForState(a, newCallId, 'InCall');
    await waitForState(a, callId, 'Ended', 'Transferred');
    const bobBack = await connect(B, 'bob(back)', bob);
    assert.equal((await bobBack.hub.invoke('GetCall', callId)).endReason, 'Transferred');
    await assertRefused(bobBack.hub.invoke('ResumeCall', callId), 'InvalidState');
    for (const [conn, expected] of [[a, [newCallId]], [c, [newCallId]], [bobBack, []]]) {
      assert.deepEqual((await conn.hub.invoke('GetActiveCalls')).map((x) => x.callId), expected, `${conn.label} is in exactly its calls`);
    }
    await a.hub.invoke('EndCall', newCallId);
    await waitForState(c, newCallId, 'Ended', 'EndedRemotely');

    // The transferee's node (V7) dies before it placed the new call: the new call's setup timer ends it, the
    // transfer fails (bob hears why), alice resumes on B and the call is where it was: held by bob.
    const a2 = await connect(V7, 'alice2', alice2);
    const b2 = await connect(B, 'bob2', bob2);
    const held = await inCall(a2, bob2, b2);
    await b2.hub.invoke('TransferCall', held, carol.username);
    await waitFor(a2, 'TransferRequested', (id) => id === held);
    await cluster.kill(V7, 'SIGKILL');
    const resumed = await connect(A, 'alice2(resumed)', alice2);
    assert.equal((await resumed.hub.invoke('ResumeCall', held)).state, 'RemotelyHeld');
    const [, , reason] = await waitFor(b2, 'TransferProgress', (id, state) => id === held && state === 'Failed', TIMERS.ringTimeoutMs + 10_000);
    assert.ok(['Failed', 'Timeout'].includes(reason), reason);
    assert.deepEqual((await resumed.hub.invoke('GetActiveCalls')).map((x) => x.callId), [held]);
    assert.equal((await b2.hub.invoke('GetCall', held)).state, 'OnHold');
    const unholdId = await b2.hub.invoke('UnholdCall', held, sdp({ role: 'offer', user: 'bob' }));
    await waitFor(resumed, 'RenegotiationRequested', (id, op) => id === held && op === unholdId);
    await resumed.hub.invoke('AnswerRenegotiation', held, unholdId, sdp({ role: 'answer', user: 'alice' }));
    await waitForState(b2, held, 'InCall');
    await b2.hub.invoke('EndCall', held);
    await waitForState(resumed, held, 'Ended', 'EndedRemotely');
  });

  // -------------------------------------------------------------------------------------------
  // 4. The node that armed a ring timer dies while the call rings
  // -------------------------------------------------------------------------------------------

  test('4. SIGKILL of the node that ran EstablishCall (armed the ring timer): the timer fires once on a surviving node', async () => {
    const [alice, bob] = await users('alice', 'bob');
    const a = await connect(V3, 'alice', alice);
    const b1 = await connect(B, 'bob#1', bob);
    const b2 = await connect(C, 'bob#2', bob);

    const created = await a.hub.invoke('CreateOutgoingCall', bob.username);
    recordSnapshot(a, created, 'CreateOutgoingCall');
    const callId = created.callId;
    const establishStart = performance.now();
    await a.hub.invoke('EstablishCall', callId, sdp({ role: 'offer', user: 'alice' }));
    const establishEnd = performance.now();
    await waitFor(b1, 'IncomingCall', (s) => s.callId === callId);
    await waitFor(b2, 'IncomingCall', (s) => s.callId === callId);
    await waitForState(a, callId, 'Ringing');

    await cluster.kill(V3, 'SIGKILL');
    await waitClosed(a);
    const resumed = await connect(A, 'alice(resumed)', alice);
    const snapshot = await resumed.hub.invoke('ResumeCall', callId);
    recordSnapshot(resumed, snapshot, 'ResumeCall');
    assert.equal(snapshot.state, 'Ringing');
    assert.ok(performance.now() < establishStart + TIMERS.ringTimeoutMs, 'resumed before the ring timeout');

    const deadline = TIMERS.ringTimeoutMs + 10_000;
    const endedAtAlice = await waitForEntry(resumed, 'CallStatusChanged', (s) => s.callId === callId && s.state === 'Ended', deadline);
    assert.equal(endedAtAlice.args[0].endReason, 'NoAnswer');
    assert.equal(endedAtAlice.args[0].statusCode, 487);
    for (const device of [b1, b2]) {
      const [ended] = await waitFor(device, 'CallStatusChanged', (s) => s.callId === callId && s.state === 'Ended', deadline);
      assert.equal(ended.endReason, 'NoAnswer');
    }
    const lateLow = endedAtAlice.at - (establishEnd + TIMERS.ringTimeoutMs);
    const lateHigh = endedAtAlice.at - (establishStart + TIMERS.ringTimeoutMs);
    metric('ring_timer_of_killed_node_fired_after_due', lateHigh, 'ms',
      `(between ${lateLow.toFixed(1)} and ${lateHigh.toFixed(1)}ms after its due time; ring timeout ${TIMERS.ringTimeoutMs}ms, poll ${TIMERS.timerPollIntervalMs}ms)`);
    const firedOn = cluster.running().filter((node) => cluster.grep(node, new RegExp(`Call ${callId} ended`)).length > 0).map((n) => n.name);
    console.log(`# ring timer of call ${callId} ended it on node(s) ${firedOn.join(', ')}`);
    assert.equal(firedOn.length, 1, `exactly one node ended the call: ${firedOn}`);
    assert.notEqual(firedOn[0], 'V3');

    // Exactly once so far (the audit at the end checks again after the claim lease has passed).
    for (const conn of [resumed, b1, b2]) {
      assert.equal(eventsOf(conn, callId).filter((e) => e.startsWith('CallStatusChanged:Ended')).length, 1, `${conn.label}: one Ended`);
      assertSequencesIncrease(conn, callId);
    }
    assert.deepEqual(eventsOf(resumed, callId), ['CallStatusChanged:Ended/NoAnswer']);
    auditLater.push({ conns: [resumed, b1, b2], callId, what: 'ring timer of a killed node' });
  });

  test('4b. 30 ringing devices on A, B and C send candidates as fast as they can around the ring timer\'s due time: the timer is neither lost nor delayed', async () => {
    const [alice, bob] = await users('alice', 'bob');
    const a = await connect(A, 'alice', alice);
    const nodes = [A, B, C];
    const devices = [];
    for (let i = 0; i < 30; i++) devices.push(await connect(nodes[i % nodes.length], `bob#${i}`, bob));

    const created = await a.hub.invoke('CreateOutgoingCall', bob.username);
    recordSnapshot(a, created, 'CreateOutgoingCall');
    const callId = created.callId;
    await a.hub.invoke('EstablishCall', callId, sdp({ role: 'offer', user: 'alice' }));
    const establishEnd = performance.now();
    for (const device of devices) await waitFor(device, 'IncomingCall', (s) => s.callId === callId);
    const due = establishEnd + TIMERS.ringTimeoutMs;

    // Every device starts its burst 300 ms before the timer is due and sends, one after another, until
    // it is refused for good: the call's record is saved by 30 devices on three nodes at once while the
    // timer wants its turn.
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, due - 300 - performance.now())));
    const outcomes = {};
    const count = (what) => { outcomes[what] = (outcomes[what] ?? 0) + 1; };
    await Promise.all(devices.map(async (device, d) => {
      for (let n = 0; n < 64; n++) {
        try {
          await device.hub.invoke('SendIceCandidate', callId, candidate(d * 100 + n));
          count('ok');
        } catch (error) {
          const code = hubErrorCode(error);
          count(code);
          if (code !== 'PayloadTooLarge' && code !== 'Unavailable') return; // the call has ended for this device
        }
      }
    }));

    const endedAtAlice = await waitForEntry(a, 'CallStatusChanged', (s) => s.callId === callId && s.state === 'Ended', TIMERS.ringTimeoutMs + 5_000);
    assert.equal(endedAtAlice.args[0].endReason, 'NoAnswer');
    const late = endedAtAlice.at - due;
    metric('ring_timer_under_contention_fired_after_due', late, 'ms', `(30 devices, outcomes ${JSON.stringify(outcomes)})`);
    assert.ok(late < 1_000, `the ring timer fired ${late.toFixed(0)} ms after its due time under contention (outcomes ${JSON.stringify(outcomes)})`);
    assert.ok((outcomes.ok ?? 0) <= 256, `at most 256 candidates kept from all ringing devices: ${JSON.stringify(outcomes)}`);
    assert.equal(outcomes.Unavailable ?? 0, 0, `no command gave up on contention: ${JSON.stringify(outcomes)}`);
    for (const device of devices) {
      const [ended] = await waitFor(device, 'CallStatusChanged', (s) => s.callId === callId && s.state === 'Ended');
      assert.equal(ended.endReason, 'NoAnswer');
    }
    assert.deepEqual(eventsOf(a, callId), ['CallStatusChanged:Dialing', 'CallStatusChanged:Ringing', 'CallStatusChanged:Ended/NoAnswer']);
    await Promise.all(devices.map((device) => device.hub.stop()));
  });

  // -------------------------------------------------------------------------------------------
  // 6. A node drains (SIGTERM) while holding bob's bound device
  // -------------------------------------------------------------------------------------------

  test('6. SIGTERM of the node holding bob\'s bound device: ServerDraining, bob resumes on another node, the call survives', async () => {
    const [alice, bob] = await users('alice', 'bob');
    const a = await connect(A, 'alice', alice);
    const b = await connect(V4, 'bob', bob);
    const callId = await inCall(a, bob, b);

    // Watch /readyz of the draining node while it shuts down (bounded: until the process exits).
    const readySeen = new Set();
    let exited = false;
    const watcher = (async () => { while (!exited) readySeen.add(await readyz(V4)); })();
    const termAt = performance.now();
    const killed = cluster.kill(V4, 'SIGTERM').then((at) => { exited = true; return at; });
    // The contract's added event: ServerDraining, then the node closes the connection (the brief accepts a bare close).
    await waitClosed(b, 10_000); // the node closes every connection as it stops
    const draining = b.received.find((e) => e.event === 'ServerDraining');
    const sawDraining = Boolean(draining);
    if (draining) draining.consumed = true;
    console.log(`# drain: ServerDraining ${sawDraining ? `received ${(draining.at - termAt).toFixed(0)}ms after SIGTERM` : 'NOT received'}; ` +
      `connection closed ${(b.closedAt - termAt).toFixed(0)}ms after SIGTERM (${b.closeError?.message ?? 'no error'})`);
    assert.ok(sawDraining || b.closed, 'bob is told to move (ServerDraining) or his connection is closed');

    const moved = await connect(B, 'bob(resumed)', bob);
    const snapshot = await moved.hub.invoke('ResumeCall', callId);
    recordSnapshot(moved, snapshot, 'ResumeCall');
    assert.equal(snapshot.state, 'InCall');
    metric('drain_sigterm_to_resume', performance.now() - termAt, 'ms');
    await killed;
    await watcher;
    console.log(`# drain: V4 /readyz answers seen during the shutdown: ${[...readySeen].map((x) => x || 'no answer').join(', ')}`);

    // The call survives beyond the grace period; alice is never told it ended; operations work.
    await holdsUntil('alice\'s call stays InCall through the grace period', termAt + TIMERS.reconnectGraceMs + 1_500,
      async () => (await a.hub.invoke('GetCall', callId)).state === 'InCall');
    await a.hub.invoke('Mute', callId);
    assert.equal((await waitFor(moved, 'MediaAttributesChanged', (s) => s.callId === callId))[0].media.remoteMuted, true);
    await waitFor(a, 'MediaAttributesChanged', (s) => s.callId === callId);
    const holdId = await moved.hub.invoke('HoldCall', callId, sdp({ role: 'offer', user: 'bob', audio: 'inactive' }));
    await waitFor(a, 'RenegotiationRequested', (id, op) => op === holdId);
    await a.hub.invoke('AnswerRenegotiation', callId, holdId, sdp({ role: 'answer', user: 'alice', audio: 'inactive' }));
    assert.equal((await waitFor(moved, 'CallOperationCompleted', (id, op) => op === holdId))[3], true);
    await waitForState(a, callId, 'RemotelyHeld');
    await waitForState(moved, callId, 'OnHold');
    await a.hub.invoke('EndCall', callId);
    await waitForState(moved, callId, 'Ended', 'EndedRemotely');
    await waitForState(a, callId, 'Ended', 'EndedLocally');
    assert.ok(!eventsOf(a, callId).some((e) => e.includes('ConnectionLost')), `alice never lost the call:\n${describeEvents(a)}`);
    for (const conn of [a, moved]) {
      assertSequencesIncrease(conn, callId);
      assert.deepEqual(unconsumed(conn).map((e) => e.event), [], `${conn.label}: unexpected events:\n${describeEvents(conn)}`);
    }
    console.log(`# drain: node V4 log: ${cluster.grep(V4, /Draining|Application is shutting down|disconnected/).join(' | ')}`);
  });

  // -------------------------------------------------------------------------------------------
  // A node that is only paused (not dead) longer than Redis:NodeTimeout is reaped by the others
  // -------------------------------------------------------------------------------------------

  test('7. a node paused (SIGSTOP) past the node timeout and resumed (SIGCONT): it closes its connections and the call resumes elsewhere', async () => {
    const [alice, bob] = await users('alice', 'bob');
    const a = await connect(A, 'alice', alice);
    const b = await connect(V5, 'bob', bob);
    const callId = await inCall(a, bob, b);
    const nodeId = /Listening on \S*:node:(\S+)/.exec(V5.tail.join(''))?.[1];
    assert.ok(nodeId, 'V5 logged its node id');

    process.kill(-V5.child.pid, 'SIGSTOP');
    try {
      // Bounded poll: until a live node has reaped the paused one (Redis:NodeTimeout after its last beat).
      await pollUntil(`a node reaps the paused V5 (${nodeId})`,
        () => cluster.running().some((node) => cluster.grep(node, new RegExp(`Node ${nodeId} is dead`)).length > 0),
        { deadlineMs: TIMERS.nodeTimeoutMs + 5_000 });
    } finally {
      process.kill(-V5.child.pid, 'SIGCONT');
    }
    const resumedAt = performance.now();
    await waitReady(V5, { deadlineMs: 5_000 });

    // Rule 12: the reaper started the grace of bob's call; the resumed node learns it was reaped (its
    // tombstone) and closes its connections, as a dead node's would be, so bob reconnects and resumes.
    await pollUntil("bob's connection on the reaped V5 is closed", () => b.closed, { deadlineMs: 5_000 });
    console.log(`# paused node V5: bob's connection closed ${(performance.now() - resumedAt).toFixed(0)}ms after SIGCONT`);
    const b2 = await connect(A, 'bob (resumed)', bob);
    const resumed = await b2.hub.invoke('ResumeCall', callId);
    assert.equal(resumed.state, 'InCall');
    await b2.hub.invoke('Mute', callId);
    await waitFor(a, 'MediaAttributesChanged', (s) => s.callId === callId && s.media.remoteMuted);
    assert.ok(!eventsOf(a, callId).some((e) => e.startsWith('CallStatusChanged:Ended')), "alice's call did not end");
  });

  // -------------------------------------------------------------------------------------------
  // Audit: no duplicate events anywhere, after every claim lease has run out
  // -------------------------------------------------------------------------------------------

  test('audit: no connection got the same event twice, and no call ended twice on a connection', async () => {
    // The ring timer test's claim lease (Redis:TimerClaimLease) must have passed, so that a second firing would show.
    for (const { conns, callId, what } of auditLater) {
      for (const conn of conns) {
        assert.equal(eventsOf(conn, callId).filter((e) => e.startsWith('CallStatusChanged:Ended')).length, 1, `${what}: ${conn.label} one Ended`);
      }
    }
    for (const conn of connections) {
      const seen = new Set();
      for (const e of conn.received) {
        const key = `${e.event} ${JSON.stringify(e.args)}`;
        assert.ok(!seen.has(key), `${conn.label}: duplicate ${key.slice(0, 200)}`);
        seen.add(key);
      }
      const ends = new Map();
      for (const s of conn.snapshots.filter((x) => x.state === 'Ended' && x.source === 'CallStatusChanged')) {
        ends.set(s.callId, (ends.get(s.callId) ?? 0) + 1);
      }
      for (const [callId, count] of ends) assert.equal(count, 1, `${conn.label}: call ${callId} ended ${count} times`);
      for (const callId of new Set(conn.snapshots.map((s) => s.callId))) assertSequencesIncrease(conn, callId);
    }
  });

  // -------------------------------------------------------------------------------------------
  // 5a. Redis stalls (SIGSTOP): every wait on it is bounded by Redis:OperationTimeout
  // -------------------------------------------------------------------------------------------

  test('5a. Redis stalled (SIGSTOP) mid-call past Redis:OperationTimeout: Unavailable and /readyz 503 within the bound, /healthz 200; after SIGCONT the call is intact', async () => {
    const [alice, bob] = await users('alice', 'bob');
    const a = await connect(A, 'alice', alice);
    const b = await connect(B, 'bob', bob);
    const callId = await inCall(a, bob, b);
    const bound = TIMERS.redisOperationTimeoutMs;
    const slack = 1_500; // scheduling on a shared 2-core machine; the answer must come at about the bound, not after the stall
    const stallMs = 6 * bound;
    const answered = [];
    async function withinBound(what, request) {
      const started = performance.now();
      const result = await request();
      const elapsed = performance.now() - started;
      answered.push(`${what} ${elapsed.toFixed(0)} ms`);
      assert.ok(elapsed <= bound + slack, `${what} answered after ${elapsed.toFixed(0)} ms; the bound is ${bound} ms`);
      return result;
    }

    cluster.pauseRedis();
    const pausedAt = performance.now();
    try {
      await withinBound('HoldCall', () => assertRefused(a.hub.invoke('HoldCall', callId, sdp({ role: 'offer', user: 'alice', audio: 'sendonly', video: 'sendonly' })), 'Unavailable'));
      await withinBound('Mute', () => assertRefused(b.hub.invoke('Mute', callId), 'Unavailable'));
      await withinBound('GetCall', () => assertRefused(b.hub.invoke('GetCall', callId), 'Unavailable'));
      await withinBound('CreateOutgoingCall', () => assertRefused(a.hub.invoke('CreateOutgoingCall', bob.username), 'Unavailable'));
      const login = await withinBound('POST auth/token', () => api(A, 'POST', '/api/v1/auth/token', { body: { username: alice.username, password: alice.password } }));
      assert.equal(login.status, 503, login.text);
      assert.equal(login.json?.code, 'Unavailable', login.text);
      const read = await withinBound('GET calls/{id}', () => api(B, 'GET', `/api/v1/calls/${callId}`, { token: bob.token }));
      assert.equal(read.status, 503, read.text);
      assert.equal(read.json?.code, 'Unavailable', read.text);
      for (const node of [A, B, C]) {
        assert.equal(await withinBound(`/readyz ${node.name}`, () => readyz(node)), 503);
        const health = await withinBound(`/healthz ${node.name}`, () => api(node, 'GET', '/healthz'));
        assert.equal(health.status, 200);
      }
      // A new connection is refused (closed by the server) within the bound too.
      await withinBound('new connection', async () => {
        await assert.rejects(connect(C, 'alice-during-stall', alice));
      });
      // Stay stalled past several bounds, so that the recovery below follows a real stall.
      while (performance.now() - pausedAt < stallMs) await new Promise((resolve) => setTimeout(resolve, 100));
      assert.equal(a.hub.state, 'Connected', 'hub connections stay open while Redis is stalled');
      assert.equal(b.hub.state, 'Connected', 'hub connections stay open while Redis is stalled');
    } finally {
      cluster.resumeRedis();
    }
    console.log(`# answered during the stall: ${answered.join(', ')}`);

    const resumedAt = performance.now();
    const live = cluster.running();
    await Promise.all(live.map((node) => waitReady(node, { deadlineMs: 15_000 })));
    metric('redis_stall_resumed_to_all_nodes_ready', performance.now() - resumedAt, 'ms', `(${live.length} nodes)`);

    // The call is intact: both still InCall, nothing the refused commands asked for happened.
    for (const [conn, remote] of [[a, bob], [b, alice]]) {
      const snapshot = await conn.hub.invoke('GetCall', callId);
      assert.equal(snapshot.state, 'InCall');
      assert.equal(snapshot.remoteAddress, remote.address);
      assert.equal(snapshot.localHold, false);
      assert.equal(snapshot.remoteHold, false);
      assert.equal(snapshot.media.localMuted, false);
      assert.equal(snapshot.pendingOperationId ?? null, null);
    }
    // And it works: mute reaches the other node, hold completes, the call ends on both sides.
    await b.hub.invoke('Mute', callId);
    await waitFor(a, 'MediaAttributesChanged', (s) => s.callId === callId && s.media.remoteMuted);
    const holdId = await a.hub.invoke('HoldCall', callId, sdp({ role: 'offer', user: 'alice', audio: 'sendonly', video: 'sendonly' }));
    const [, renegotiationId] = await waitFor(b, 'RenegotiationRequested', (id, operationId) => id === callId && operationId === holdId);
    await b.hub.invoke('AnswerRenegotiation', callId, renegotiationId, sdp({ role: 'answer', user: 'bob', audio: 'recvonly', video: 'recvonly' }));
    await waitFor(a, 'CallOperationCompleted', (id, operationId, operation, succeeded) => id === callId && operationId === holdId && succeeded === true);
    await a.hub.invoke('EndCall', callId);
    await waitForState(b, callId, 'Ended', 'EndedRemotely');
    // A login works again.
    const login = await api(A, 'POST', '/api/v1/auth/token', { body: { username: alice.username, password: alice.password } });
    assert.equal(login.status, 200, login.text);
  });

  // -------------------------------------------------------------------------------------------
  // 5. Redis goes away and comes back (last: its data is lost)
  // -------------------------------------------------------------------------------------------

  test('5. Redis restart: Unavailable and /readyz 503 while it is down; the nodes recover unaided', async () => {
    const [alice, bob] = await users('alice', 'bob');
    const a = await connect(A, 'alice', alice);
    const b = await connect(B, 'bob', bob);
    const callId = await inCall(a, bob, b);
    const nodes = [A, B, C];

    await cluster.stopRedis('SIGTERM');
    const downAt = performance.now();
    await assertRefused(a.hub.invoke('CreateOutgoingCall', bob.username), 'Unavailable');
    await assertRefused(a.hub.invoke('Mute', callId), 'Unavailable');
    await assertRefused(b.hub.invoke('GetCall', callId), 'Unavailable');
    for (const node of nodes) {
      await pollUntil(`${node.name} /readyz 503 while Redis is down`, async () => (await readyz(node)) === 503, { deadlineMs: 10_000 });
    }
    const refusedRest = await api(A, 'POST', '/api/v1/users', { body: { username: 'nobody-x', password: 'long-enough-password' }, headers: { 'X-Admin-Key': cluster.adminKey } });
    console.log(`# POST /api/v1/users while Redis is down: ${refusedRest.status} ${refusedRest.json?.code ?? refusedRest.text.slice(0, 100)}`);
    assert.equal(refusedRest.status, 503, refusedRest.text);
    assert.equal(a.hub.state, 'Connected', 'hub connections stay open while Redis is away');
    console.log(`# Redis down for ${(performance.now() - downAt).toFixed(0)} ms of checks`);

    await cluster.startRedis();
    const upAt = performance.now();
    // Every running node, not only A, B and C: users() asks them all for tokens in turn.
    const running = cluster.running();
    await Promise.all(running.map((node) => waitReady(node, { deadlineMs: 30_000 })));
    metric('redis_restart_to_all_nodes_ready', performance.now() - upAt, 'ms', `(${running.length} nodes)`);

    // New users and calls work across nodes (the old data is gone: no persistence in the test).
    const [alice2, bob2] = await users('alice', 'bob');
    const a2 = await connect(A, 'alice2', alice2);
    const b21 = await connect(B, 'bob2#1', bob2);
    const b22 = await connect(C, 'bob2#2', bob2);
    const newCall = await pollUntil('a cross-node call after the restart rings (presence needs the nodes\' heartbeats back)', async () => {
      const created = await a2.hub.invoke('CreateOutgoingCall', bob2.username);
      await a2.hub.invoke('EstablishCall', created.callId, sdp({ role: 'offer', user: 'alice' }));
      const [first] = await waitFor(a2, 'CallStatusChanged', (s) => s.callId === created.callId);
      if (first.state === 'Ended') {
        console.log(`# a call right after the Redis restart ended ${first.endReason}; trying again`);
        return false;
      }
      return created.callId;
    }, { deadlineMs: 10_000, intervalMs: 200 });
    await waitFor(b21, 'IncomingCall', (s) => s.callId === newCall);
    await waitFor(b22, 'IncomingCall', (s) => s.callId === newCall);
    await b22.hub.invoke('AcceptCall', newCall, sdp({ role: 'answer', user: 'bob' }));
    await waitForState(b21, newCall, 'Ended', 'AnsweredElsewhere');
    await waitForState(a2, newCall, 'InCall');
    await b22.hub.invoke('Mute', newCall);
    await waitFor(a2, 'MediaAttributesChanged', (s) => s.callId === newCall && s.media.remoteMuted);
    await a2.hub.invoke('EndCall', newCall);
    await waitForState(b22, newCall, 'Ended', 'EndedRemotely');

    // The connections that lived through the outage: their old call is gone with the data, and both
    // parties were told so (Ended, Failed) by the nodes that had seen it, without asking.
    await waitForState(a, callId, 'Ended', 'Failed');
    await waitForState(b, callId, 'Ended', 'Failed');
    await assertRefused(a.hub.invoke('GetCall', callId), 'CallNotFound');
  });
});
