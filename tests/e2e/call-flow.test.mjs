// End-to-end test of CallServer: the real server process, driven over loopback by the official
// SignalR JavaScript client (@microsoft/signalr). Run with `npm test` (node --test).
//
// The server is not built here: the dll from `dotnet build` is used when present (override with
// CALLSERVER_DLL), else `dotnet run --project src/CallServer --no-launch-profile`.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { CallServerProcess } from './support/server.mjs';
import { sdp } from './support/sdp.mjs';
import {
  assertRefused, clientLog, connections, describeEvents, openConnection, recordSnapshot, unconsumed, waitFor, waitForState,
} from './support/hub.mjs';
import { storySteps } from './support/steps.mjs';

const OPERATION_TIMEOUT_SECONDS = 2; // Calls:OperationTimeout, short so that rule 10 can be seen quickly

// ---------------------------------------------------------------------------------------------
// The server process (support/server.mjs) and REST
// ---------------------------------------------------------------------------------------------

const server = new CallServerProcess({
  logName: 'server.log',
  env: {
    Calls__OperationTimeout: `00:00:0${OPERATION_TIMEOUT_SECONDS}`,
    Calls__RingTimeout: '00:00:30',
  },
});
const startServer = () => server.start();
const stopServer = () => server.stop();
const serverLog = () => server.log();
const saveServerLog = () => server.saveLog();
const api = (...args) => server.api(...args);
const provisionUser = (name) => server.provisionUser(name);

// ---------------------------------------------------------------------------------------------
// Hub connections with per-event queues
// ---------------------------------------------------------------------------------------------

const connect = (label, user) => openConnection(server.baseUrl, label, user);

// ---------------------------------------------------------------------------------------------
// The test
// ---------------------------------------------------------------------------------------------

describe('CallServer end to end: a whole call over the real server and the official SignalR client', { timeout: 120_000 }, () => {
  const step = storySteps(); // steps depend on each other: the first failure stops the story
  let alice, bob, carol; // users
  let a, b1, b2, c; // hub connections: alice, bob's two devices, carol
  let callId;
  let offer;


  before(async () => {
    try {
      await startServer();
    } catch (error) {
      step.markFailed();
      saveServerLog();
      process.stderr.write(`\n----- server output -----\n${serverLog()}\n----- end of server output -----\n`);
      throw error;
    }
  }, { timeout: 200_000 });

  after(async () => {
    await Promise.allSettled(connections.map((conn) => conn.hub.stop()));
    await stopServer();
    saveServerLog();
    if (step.failed()) {
      process.stderr.write(
        `\n----- server output -----\n${serverLog()}\n----- end of server output -----\n` +
        `\n----- client log -----\n${clientLog.join('\n')}\n----- end of client log -----\n`);
    }
  });

  step('the server is healthy and provisions alice, bob and carol with tokens', async () => {
    const health = await api('GET', '/healthz');
    assert.equal(health.status, 200);

    const closed = await api('POST', '/api/v1/users', { body: { username: 'mallory', password: 'long-enough-password' } });
    assert.equal(closed.status, 401, 'the users API wants X-Admin-Key');
    assert.match(closed.contentType, /application\/problem\+json/);
    assert.equal(closed.json.code, 'Unauthorized');

    alice = await provisionUser('alice');
    bob = await provisionUser('bob');
    carol = await provisionUser('carol');
  });

  step('alice connects once, bob twice (two devices), carol once', async () => {
    a = await connect('alice', alice);
    b1 = await connect('bob#1', bob);
    b2 = await connect('bob#2', bob);
    c = await connect('carol', carol);
    for (const conn of [a, b1, b2, c]) {
      assert.equal(conn.hub.state, 'Connected');
    }
  });

  step('CreateOutgoingCall returns the new call in state Initial', async () => {
    const snapshot = await a.hub.invoke('CreateOutgoingCall', bob.username); // a bare username means the default domain
    recordSnapshot(a, snapshot, 'CreateOutgoingCall');
    callId = snapshot.callId;
    assert.equal(typeof callId, 'string');
    assert.ok(callId.length > 0);
    assert.equal(snapshot.state, 'Initial');
    assert.equal(snapshot.direction, 'outgoing');
    assert.equal(snapshot.localAddress, alice.address);
    assert.equal(snapshot.remoteAddress, bob.address);
    assert.equal(snapshot.endReason ?? null, null);
    assert.equal(typeof snapshot.sequence, 'number');
    assert.equal(snapshot.localHold, false);
    assert.equal(snapshot.remoteHold, false);
  });

  step('EstablishCall with a video offer: both bob devices ring with the offer, alice sees Dialing then Ringing', async () => {
    offer = sdp({ role: 'offer', user: 'alice' });
    await a.hub.invoke('EstablishCall', callId, offer);

    for (const device of [b1, b2]) {
      const [snapshot, sdpOffer] = await waitFor(device, 'IncomingCall', (s) => s.callId === callId);
      assert.equal(sdpOffer, offer, `${device.label} gets the offer verbatim`);
      assert.equal(snapshot.state, 'Ringing');
      assert.equal(snapshot.direction, 'incoming');
      assert.equal(snapshot.localAddress, bob.address);
      assert.equal(snapshot.remoteAddress, alice.address);
      assert.equal(snapshot.media.audio, true);
      assert.equal(snapshot.media.video, true);
      assert.equal(snapshot.media.remoteVideo, true, 'alice offers video');
    }

    const dialing = await waitForState(a, callId, 'Dialing');
    const ringing = await waitForState(a, callId, 'Ringing');
    assert.ok(ringing.sequence > dialing.sequence, 'Ringing comes after Dialing');
    assert.equal(dialing.direction, 'outgoing');

    const statesSeen = a.received.filter((e) => e.event === 'CallStatusChanged').map((e) => e.args[0].state);
    assert.deepEqual(statesSeen, ['Dialing', 'Ringing'], 'alice sees Dialing then Ringing and nothing else');
    assert.equal(unconsumed(c).length, 0, 'carol, no party of the call, hears nothing');
  });

  step('an ICE candidate sent before anyone answered is kept for the device that will accept', async () => {
    await a.hub.invoke('SendIceCandidate', callId, {
      candidate: 'candidate:842163049 1 udp 1677729535 127.0.0.1 50412 typ srflx raddr 0.0.0.0 rport 0 generation 0 ufrag Xa9f network-cost 999',
      sdpMid: '0',
      sdpMLineIndex: 0,
    });
    // Nobody is bound yet: no device gets it now.
    assert.equal(unconsumed(b1, 'IceCandidate').length + unconsumed(b2, 'IceCandidate').length, 0);
  });

  step('bob#1 accepts: bob#2 ends AnsweredElsewhere, alice gets the answer, both reach InCall', async () => {
    const answer = sdp({ role: 'answer', user: 'bob' });
    await b1.hub.invoke('AcceptCall', callId, answer);

    const elsewhere = await waitForState(b2, callId, 'Ended', 'AnsweredElsewhere');
    assert.equal(elsewhere.statusCode, 9904);

    const [descCallId, type, remoteSdp] = await waitFor(a, 'RemoteDescription', (id) => id === callId);
    assert.equal(descCallId, callId);
    assert.equal(type, 'answer');
    assert.equal(remoteSdp, answer);

    await waitForState(b1, callId, 'Answering');
    const bobInCall = await waitForState(b1, callId, 'InCall');
    const aliceInCall = await waitForState(a, callId, 'InCall');
    for (const snapshot of [bobInCall, aliceInCall]) {
      assert.ok(snapshot.answeredAt, 'answeredAt is set');
      assert.equal(snapshot.localHold, false);
      assert.equal(snapshot.remoteHold, false);
      assert.equal(snapshot.media.localVideo, true);
      assert.equal(snapshot.media.remoteVideo, true);
    }
    assert.equal(bobInCall.direction, 'incoming');

    // The candidate kept from before the accept is handed to the accepting device, fields intact.
    const [, early] = await waitFor(b1, 'IceCandidate', (id) => id === callId);
    assert.deepEqual(early, {
      candidate: 'candidate:842163049 1 udp 1677729535 127.0.0.1 50412 typ srflx raddr 0.0.0.0 rport 0 generation 0 ufrag Xa9f network-cost 999',
      sdpMid: '0',
      sdpMLineIndex: 0,
    });
  });

  step('ICE candidates flow both ways with their fields intact', async () => {
    const fromAlice = {
      candidate: 'candidate:1467250027 1 udp 2122260223 127.0.0.1 46243 typ host generation 0 ufrag Xa9f network-id 1',
      sdpMid: '1',
      sdpMLineIndex: 1,
    };
    const fromBob = {
      candidate: 'candidate:3574423151 1 tcp 1518280447 127.0.0.1 9 typ host tcptype active generation 0 ufrag Bq3z network-id 1',
      sdpMid: '0',
      sdpMLineIndex: 0,
    };
    await a.hub.invoke('SendIceCandidate', callId, fromAlice);
    await b1.hub.invoke('SendIceCandidate', callId, fromBob);

    const [idAtBob, atBob] = await waitFor(b1, 'IceCandidate', (id, cand) => cand.candidate === fromAlice.candidate);
    assert.equal(idAtBob, callId);
    assert.deepEqual(atBob, fromAlice);
    const [idAtAlice, atAlice] = await waitFor(a, 'IceCandidate', (id, cand) => cand.candidate === fromBob.candidate);
    assert.equal(idAtAlice, callId);
    assert.deepEqual(atAlice, fromBob);

    // An end-of-candidates marker (empty candidate) is relayed too.
    const endOfCandidates = { candidate: '', sdpMid: '0', sdpMLineIndex: 0 };
    await b1.hub.invoke('SendIceCandidate', callId, endOfCandidates);
    const [, end] = await waitFor(a, 'IceCandidate', (id, cand) => cand.candidate === '');
    assert.deepEqual(end, endOfCandidates);

    assert.equal(unconsumed(b2, 'IceCandidate').length, 0, 'the device that did not answer gets no candidates');
    await assertRefused(a.hub.invoke('SendIceCandidate', callId, { candidate: 'not a candidate', sdpMid: '0', sdpMLineIndex: 0 }), 'InvalidArgument');
  });

  step('alice holds (sendonly offer); bob answers the renegotiation; alice OnHold, bob RemotelyHeld', async () => {
    const holdOffer = sdp({ role: 'offer', user: 'alice', audio: 'sendonly', video: 'sendonly' });
    const operationId = await a.hub.invoke('HoldCall', callId, holdOffer);
    assert.equal(typeof operationId, 'string');

    const [reqCallId, reqOperationId, operation, sdpOffer] = await waitFor(b1, 'RenegotiationRequested', (id) => id === callId);
    assert.equal(reqCallId, callId);
    assert.equal(reqOperationId, operationId);
    assert.equal(operation, 'HoldCall');
    assert.equal(sdpOffer, holdOffer);

    // Rule 9: one operation at a time (SIP 491).
    await assertRefused(b1.hub.invoke('HoldCall', callId, sdp({ role: 'offer', user: 'bob', audio: 'sendonly', video: 'sendonly' })), 'OperationInProgress');

    const holdAnswer = sdp({ role: 'answer', user: 'bob', audio: 'recvonly', video: 'recvonly' });
    await b1.hub.invoke('AnswerRenegotiation', callId, operationId, holdAnswer);

    const [doneCallId, doneOperationId, doneOperation, succeeded, error, sdpAnswer] =
      await waitFor(a, 'CallOperationCompleted', (id, op) => op === operationId);
    assert.equal(doneCallId, callId);
    assert.equal(doneOperationId, operationId);
    assert.equal(doneOperation, 'HoldCall');
    assert.equal(succeeded, true);
    assert.equal(error ?? null, null);
    assert.equal(sdpAnswer, holdAnswer);

    const aliceHeld = await waitForState(a, callId, 'OnHold');
    assert.equal(aliceHeld.localHold, true);
    assert.equal(aliceHeld.remoteHold, false);
    const bobHeld = await waitForState(b1, callId, 'RemotelyHeld');
    assert.equal(bobHeld.localHold, false);
    assert.equal(bobHeld.remoteHold, true);

    await assertRefused(a.hub.invoke('HoldCall', callId, holdOffer), 'AlreadyOnHold');
    await assertRefused(b1.hub.invoke('UnholdCall', callId, sdp({ role: 'offer', user: 'bob' })), 'NotOnHold');
  });

  step('bob holds too: OnDoubleHold on both sides', async () => {
    const holdOffer = sdp({ role: 'offer', user: 'bob', audio: 'sendonly', video: 'sendonly' });
    const operationId = await b1.hub.invoke('HoldCall', callId, holdOffer);
    const [, reqOperationId, operation, sdpOffer] = await waitFor(a, 'RenegotiationRequested', (id) => id === callId);
    assert.equal(reqOperationId, operationId);
    assert.equal(operation, 'HoldCall');
    assert.equal(sdpOffer, holdOffer);

    // Both held: the answer is inactive.
    await a.hub.invoke('AnswerRenegotiation', callId, operationId, sdp({ role: 'answer', user: 'alice', audio: 'inactive', video: 'inactive' }));
    const [, , , succeeded] = await waitFor(b1, 'CallOperationCompleted', (id, op) => op === operationId);
    assert.equal(succeeded, true);

    for (const conn of [a, b1]) {
      const snapshot = await waitForState(conn, callId, 'OnDoubleHold');
      assert.equal(snapshot.localHold, true, `${conn.label} holds`);
      assert.equal(snapshot.remoteHold, true, `${conn.label} is held`);
    }
  });

  step('both unhold: back to InCall', async () => {
    const aliceUnhold = sdp({ role: 'offer', user: 'alice', audio: 'sendrecv', video: 'sendrecv' });
    const op1 = await a.hub.invoke('UnholdCall', callId, aliceUnhold);
    const [, reqOp1, operation1] = await waitFor(b1, 'RenegotiationRequested', (id) => id === callId);
    assert.equal(reqOp1, op1);
    assert.equal(operation1, 'UnholdCall');
    await b1.hub.invoke('AnswerRenegotiation', callId, op1, sdp({ role: 'answer', user: 'bob', audio: 'sendonly', video: 'sendonly' }));
    const [, , doneOperation1, succeeded1] = await waitFor(a, 'CallOperationCompleted', (id, op) => op === op1);
    assert.equal(doneOperation1, 'UnholdCall');
    assert.equal(succeeded1, true);
    await waitForState(a, callId, 'RemotelyHeld');
    await waitForState(b1, callId, 'OnHold');

    const bobUnhold = sdp({ role: 'offer', user: 'bob', audio: 'sendrecv', video: 'sendrecv' });
    const op2 = await b1.hub.invoke('UnholdCall', callId, bobUnhold);
    const [, reqOp2, operation2] = await waitFor(a, 'RenegotiationRequested', (id) => id === callId);
    assert.equal(reqOp2, op2);
    assert.equal(operation2, 'UnholdCall');
    await a.hub.invoke('AnswerRenegotiation', callId, op2, sdp({ role: 'answer', user: 'alice' }));
    const [, , , succeeded2] = await waitFor(b1, 'CallOperationCompleted', (id, op) => op === op2);
    assert.equal(succeeded2, true);

    for (const conn of [a, b1]) {
      const snapshot = await waitForState(conn, callId, 'InCall');
      assert.equal(snapshot.localHold, false);
      assert.equal(snapshot.remoteHold, false);
    }
  });

  step('Mute and Unmute: MediaAttributesChanged with remoteMuted on bob\'s side', async () => {
    await a.hub.invoke('Mute', callId);
    const [atBob] = await waitFor(b1, 'MediaAttributesChanged', (s) => s.callId === callId && s.media.remoteMuted === true);
    assert.equal(atBob.media.localMuted, false);
    assert.equal(atBob.state, 'InCall');
    const [atAlice] = await waitFor(a, 'MediaAttributesChanged', (s) => s.callId === callId && s.media.localMuted === true);
    assert.equal(atAlice.media.remoteMuted, false);

    // Idempotent: a second Mute changes nothing and tells no one.
    const eventsBefore = b1.received.length;
    await a.hub.invoke('Mute', callId);
    const current = await a.hub.invoke('GetCall', callId);
    assert.equal(current.media.localMuted, true);
    assert.equal(current.sequence, atAlice.sequence, 'a repeated Mute does not change the call');
    assert.equal(b1.received.length, eventsBefore, 'a repeated Mute sends no event');

    await a.hub.invoke('Unmute', callId);
    const [unmuted] = await waitFor(b1, 'MediaAttributesChanged', (s) => s.callId === callId && s.media.remoteMuted === false);
    assert.ok(unmuted.sequence > atBob.sequence);
    await waitFor(a, 'MediaAttributesChanged', (s) => s.callId === callId && s.media.localMuted === false);
  });

  step('VideoStop then VideoStart by alice: MediaAttributesChanged on both sides', async () => {
    // Video is being sent since the offer: starting it again is refused.
    await assertRefused(a.hub.invoke('VideoStart', callId, sdp({ role: 'offer', user: 'alice' })), 'InvalidState');

    const stopOffer = sdp({ role: 'offer', user: 'alice', video: 'recvonly' });
    const stopId = await a.hub.invoke('VideoStop', callId, stopOffer);
    const [, reqStopId, stopOperation, stopSdp] = await waitFor(b1, 'RenegotiationRequested', (id) => id === callId);
    assert.equal(reqStopId, stopId);
    assert.equal(stopOperation, 'VideoStop');
    assert.equal(stopSdp, stopOffer);
    await b1.hub.invoke('AnswerRenegotiation', callId, stopId, sdp({ role: 'answer', user: 'bob', video: 'sendonly' }));
    const [, , stopDone, stopSucceeded] = await waitFor(a, 'CallOperationCompleted', (id, op) => op === stopId);
    assert.equal(stopDone, 'VideoStop');
    assert.equal(stopSucceeded, true);
    const [aliceStopped] = await waitFor(a, 'MediaAttributesChanged', (s) => s.callId === callId && s.media.localVideo === false);
    assert.equal(aliceStopped.media.remoteVideo, true, 'bob still sends video');
    assert.equal(aliceStopped.media.video, true);
    const [bobSeesStopped] = await waitFor(b1, 'MediaAttributesChanged', (s) => s.callId === callId && s.media.remoteVideo === false);
    assert.equal(bobSeesStopped.media.localVideo, true);

    await assertRefused(a.hub.invoke('VideoStop', callId, stopOffer), 'InvalidState');

    const startOffer = sdp({ role: 'offer', user: 'alice', video: 'sendrecv' });
    const startId = await a.hub.invoke('VideoStart', callId, startOffer);
    const [, reqStartId, startOperation] = await waitFor(b1, 'RenegotiationRequested', (id) => id === callId);
    assert.equal(reqStartId, startId);
    assert.equal(startOperation, 'VideoStart');
    await b1.hub.invoke('AnswerRenegotiation', callId, startId, sdp({ role: 'answer', user: 'bob', video: 'sendrecv' }));
    const [, , startDone, startSucceeded] = await waitFor(a, 'CallOperationCompleted', (id, op) => op === startId);
    assert.equal(startDone, 'VideoStart');
    assert.equal(startSucceeded, true);
    const [aliceStarted] = await waitFor(a, 'MediaAttributesChanged', (s) => s.callId === callId && s.media.localVideo === true);
    assert.equal(aliceStarted.media.remoteVideo, true);
    const [bobSeesStarted] = await waitFor(b1, 'MediaAttributesChanged', (s) => s.callId === callId && s.media.remoteVideo === true);
    assert.equal(bobSeesStarted.state, 'InCall');
  });

  step(`an unanswered renegotiation fails with Timeout after Calls:OperationTimeout (${OPERATION_TIMEOUT_SECONDS} s) and changes nothing`, async () => {
    const before = await a.hub.invoke('GetCall', callId);
    const operationId = await a.hub.invoke('HoldCall', callId, sdp({ role: 'offer', user: 'alice', audio: 'sendonly', video: 'sendonly' }));
    await waitFor(b1, 'RenegotiationRequested', (id, op) => op === operationId); // bob never answers
    const [, , operation, succeeded, error, sdpAnswer] =
      await waitFor(a, 'CallOperationCompleted', (id, op) => op === operationId, OPERATION_TIMEOUT_SECONDS * 1000 + 5_000);
    assert.equal(operation, 'HoldCall');
    assert.equal(succeeded, false);
    assert.match(error, /^Timeout: /);
    assert.equal(sdpAnswer ?? null, null);

    const afterTimeout = await a.hub.invoke('GetCall', callId);
    assert.equal(afterTimeout.state, 'InCall');
    assert.equal(afterTimeout.localHold, false);
    assert.equal(afterTimeout.state, before.state);
    await assertRefused(b1.hub.invoke('AnswerRenegotiation', callId, operationId, sdp({ role: 'answer', user: 'bob' })), 'InvalidState');
  });

  step('a user who is no party of the call cannot see it: CallNotFound on the hub and over REST', async () => {
    await assertRefused(c.hub.invoke('GetCall', callId), 'CallNotFound');
    await assertRefused(c.hub.invoke('EndCall', callId), 'CallNotFound');
    const rest = await api('GET', `/api/v1/calls/${callId}`, { token: carol.token });
    assert.equal(rest.status, 404);
    assert.equal(rest.json.code, 'CallNotFound');

    const own = await api('GET', `/api/v1/calls/${callId}`, { token: bob.token });
    assert.equal(own.status, 200, own.text);
    assert.equal(own.json.callId, callId);
    assert.equal(own.json.direction, 'incoming');
    assert.equal(own.json.state, 'InCall');

    const active = await a.hub.invoke('GetActiveCalls');
    assert.deepEqual(active.map((s) => s.callId), [callId]);
  });

  step('alice ends the call: alice Ended/EndedLocally, bob Ended/EndedRemotely', async () => {
    await a.hub.invoke('EndCall', callId);
    const aliceEnded = await waitForState(a, callId, 'Ended', 'EndedLocally');
    assert.equal(aliceEnded.statusCode, 9901);
    assert.ok(aliceEnded.endedAt, 'endedAt is set');
    const bobEnded = await waitForState(b1, callId, 'Ended', 'EndedRemotely');
    assert.equal(bobEnded.statusCode, 9905);
    assert.equal(bobEnded.direction, 'incoming');

    assert.deepEqual(await a.hub.invoke('GetActiveCalls'), []);
    assert.deepEqual(await b1.hub.invoke('GetActiveCalls'), []);
    const rest = await api('GET', `/api/v1/calls/${callId}`, { token: alice.token });
    assert.equal(rest.status, 200);
    assert.equal(rest.json.state, 'Ended');
    assert.equal(rest.json.endReason, 'EndedLocally');
    assert.equal(rest.json.sequence, aliceEnded.sequence);
  });

  step('hub errors: commands on the ended call are refused with InvalidState', async () => {
    await assertRefused(b1.hub.invoke('AcceptCall', callId, sdp({ role: 'answer', user: 'bob' })), 'InvalidState');
    await assertRefused(b2.hub.invoke('AcceptCall', callId, sdp({ role: 'answer', user: 'bob' })), 'InvalidState');
    await assertRefused(a.hub.invoke('EndCall', callId), 'InvalidState');
    await assertRefused(a.hub.invoke('HoldCall', callId, sdp({ role: 'offer', user: 'alice', audio: 'sendonly' })), 'InvalidState');
    await assertRefused(a.hub.invoke('GetCall', 'no-such-call'), 'CallNotFound');
    await assertRefused(a.hub.invoke('CreateOutgoingCall', 'not an address!'), 'InvalidAddress');
  });

  step('snapshot sequence numbers strictly increase per connection; no stray events', async () => {
    for (const conn of [a, b1, b2]) {
      const sequences = conn.snapshots.filter((s) => s.callId === callId);
      assert.ok(sequences.length > 0, `${conn.label} saw snapshots`);
      for (let i = 1; i < sequences.length; i++) {
        assert.ok(
          sequences[i].sequence > sequences[i - 1].sequence,
          `${conn.label}: sequence ${sequences[i].sequence} (${sequences[i].source} ${sequences[i].state}) ` +
          `after ${sequences[i - 1].sequence} (${sequences[i - 1].source} ${sequences[i - 1].state})`);
      }
    }
    assert.equal(a.snapshots[0].state, 'Initial');
    assert.equal(a.snapshots.at(-1).state, 'Ended');

    // bob#2 stopped at AnsweredElsewhere: it rang and ended, and heard nothing else.
    assert.deepEqual(b2.received.map((e) => e.event), ['IncomingCall', 'CallStatusChanged']);
    // carol was never told about the call.
    assert.deepEqual(c.received, []);
    // Every event alice and bob#1 got was one the test expected.
    for (const conn of [a, b1]) {
      assert.deepEqual(unconsumed(conn).map((e) => e.event), [], `${conn.label} has unexpected events:\n${describeEvents(conn)}`);
    }
  });
});
