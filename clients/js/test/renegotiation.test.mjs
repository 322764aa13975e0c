// Renegotiation both ways: the other party's offer (RenegotiationRequested → AnswerRenegotiation or
// RejectRenegotiation) and this side's operations (offer with HoldCall/…, answer or failure in
// CallOperationCompleted, rollback).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CallError } from '../src/errors.js';
import { IceCandidateQueue } from '../src/call/ice-candidate-queue.js';
import { MediaSession } from '../src/call/media-session.js';
import { Renegotiation } from '../src/call/renegotiation.js';
import { SignalingQueue } from '../src/call/signaling-queue.js';
import { FakeHub } from './support/fake-host.mjs';
import { directionsOf, fakeGetUserMedia, sdp } from './support/fake-webrtc.mjs';
import { answerTo, inCall, moveTo, newCall, operate, senderTracks, transceiverDirections } from './support/calls.mjs';

const theirHold = sdp([{ kind: 'audio', direction: 'sendonly' }, { kind: 'video', direction: 'inactive' }]);

// ---------------------------------------------------------------------------------------------
// The other party's operations
// ---------------------------------------------------------------------------------------------

test('RenegotiationRequested is answered with AnswerRenegotiation carrying this side\'s answer', async () => {
  const { call, hub, pc, events } = await inCall();
  await call._onRenegotiationRequested('op-1', 'HoldCall', theirHold);
  assert.equal(hub.calls('AnswerRenegotiation').length, 1);
  const [callId, operationId, sdpAnswer] = hub.calls('AnswerRenegotiation')[0];
  assert.equal(callId, 'call-1');
  assert.equal(operationId, 'op-1');
  assert.equal(sdpAnswer, pc.localDescription.sdp);
  assert.deepEqual(directionsOf(sdpAnswer), ['recvonly', 'inactive']);
  assert.deepEqual(pc.steps.slice(-3), ['setRemoteDescription:offer', 'createAnswer', 'setLocalDescription:answer']);
  assert.equal(pc.signalingState, 'stable');
  assert.deepEqual(events.args('renegotiationAnswered'), ['HoldCall']);
  assert.deepEqual(hub.calls('RejectRenegotiation'), []);
});

test('the other party\'s video start adds its m-line; this side receives it and sends no video', async () => {
  const { call, hub, pc } = await inCall({ offerKind: 'audio' });
  const theirVideo = sdp([{ kind: 'audio', direction: 'sendrecv' }, { kind: 'video', direction: 'sendrecv' }]);
  await call._onRenegotiationRequested('op-2', 'VideoStart', theirVideo);
  assert.deepEqual(directionsOf(hub.calls('AnswerRenegotiation')[0][2]), ['sendrecv', 'recvonly']);
  assert.deepEqual(transceiverDirections(pc), { audio: 'sendrecv', video: 'recvonly' });
  assert.equal(call.isVideoSending(), false);
});

test('an offer that cannot be applied is refused with RejectRenegotiation and nothing changes', async () => {
  const { call, hub, pc, events } = await inCall();
  const before = pc.localDescription;
  await call._onRenegotiationRequested('op-3', 'HoldCall', 'not an sdp');
  assert.deepEqual(hub.calls('AnswerRenegotiation'), []);
  const [callId, operationId, reason] = hub.calls('RejectRenegotiation')[0];
  assert.deepEqual([callId, operationId], ['call-1', 'op-3']);
  assert.match(reason, /parse/);
  assert.equal(pc.signalingState, 'stable');
  assert.equal(pc.localDescription, before);
  assert.equal(events.args('renegotiationAnswered'), undefined);
});

test('a failure after the offer was applied rolls the offer back before RejectRenegotiation', async () => {
  const { call, hub, pc } = await inCall({ offerKind: 'audio' });
  const transceivers = pc.getTransceivers().length;
  pc.failNext('createAnswer', Object.assign(new Error('x'.repeat(300)), { name: 'OperationError' }));
  const theirVideo = sdp([{ kind: 'audio', direction: 'sendrecv' }, { kind: 'video', direction: 'sendrecv' }]);
  await call._onRenegotiationRequested('op-4', 'VideoStart', theirVideo);
  assert.deepEqual(pc.steps.slice(-3), ['setRemoteDescription:offer', 'createAnswer', 'setRemoteDescription:rollback']);
  assert.equal(pc.signalingState, 'stable');
  assert.equal(pc.getTransceivers().length, transceivers);
  const [, operationId, reason] = hub.calls('RejectRenegotiation')[0];
  assert.equal(operationId, 'op-4');
  assert.equal(reason, 'x'.repeat(200)); // the reason is cut to 200 characters
  assert.deepEqual(hub.calls('AnswerRenegotiation'), []);
});

test('a device without media for the call refuses the other party\'s offer', async () => {
  const { call, hub } = newCall({ side: 'callee' });
  await call._onRenegotiationRequested('op-5', 'HoldCall', theirHold);
  const [, operationId, reason] = hub.calls('RejectRenegotiation')[0];
  assert.equal(operationId, 'op-5');
  assert.match(reason, /no media session/);
});

test('an AnswerRenegotiation the server refuses is followed by RejectRenegotiation and logged', async () => {
  const { call, hub, service } = await inCall();
  hub.reply('AnswerRenegotiation', () => { throw new Error('HubException: InvalidState: no such operation is waiting for an answer'); });
  await call._onRenegotiationRequested('op-6', 'HoldCall', theirHold);
  assert.deepEqual(hub.methods.slice(-2), ['AnswerRenegotiation', 'RejectRenegotiation']);
  assert.ok(service.logs.some((l) => l.level === 'warn' && /could not answer HoldCall/.test(l.message)));
});

test('glare: the other party\'s offer while this side\'s offer waits rolls this side\'s back and answers', async () => {
  const parts = await inCall();
  const { call, hub, pc, events } = parts;
  hub.reply('HoldCall', () => 'op-mine');
  const holding = call.holdCall();
  await hub.invoked('HoldCall');
  await call._onRenegotiationRequested('op-theirs', 'HoldCall', theirHold);
  assert.deepEqual(pc.steps.slice(-4), ['setLocalDescription:rollback', 'setRemoteDescription:offer', 'createAnswer', 'setLocalDescription:answer']);
  assert.equal(hub.calls('AnswerRenegotiation')[0][1], 'op-theirs');
  // The server refuses this side's operation (the other one came first): it fails, its directions are undone.
  call._onOperationCompleted('op-mine', 'HoldCall', false, 'Rejected: the other party refused the operation', null);
  assert.equal(await holding, false);
  assert.equal(events.args('holdCallFailed')[0].code, 'Rejected');
  assert.equal(transceiverDirections(pc).audio, 'sendrecv');
  assert.equal(pc.signalingState, 'stable');
});

// ---------------------------------------------------------------------------------------------
// This side's operations
// ---------------------------------------------------------------------------------------------

test('an operation sends its offer with the hub method and applies the answer from CallOperationCompleted', async () => {
  const { call, hub, pc, events } = await inCall();
  hub.reply('HoldCall', () => 'op-10');
  const holding = call.holdCall();
  const [callId, sdpOffer] = await hub.invoked('HoldCall');
  assert.equal(callId, 'call-1');
  assert.equal(sdpOffer, pc.localDescription.sdp);
  assert.equal(pc.signalingState, 'have-local-offer');
  const sdpAnswer = answerTo(sdpOffer);
  call._onOperationCompleted('op-10', 'HoldCall', true, null, sdpAnswer);
  assert.equal(await holding, true);
  assert.deepEqual(pc.calls.at(-1), ['setRemoteDescription', { type: 'answer', sdp: sdpAnswer }]);
  assert.equal(pc.signalingState, 'stable');
  assert.deepEqual(events.names.slice(-1), ['holdCallSucceeded']);
});

test('a failed completion rolls the offer back, restores the directions and senders, and reports the error', async () => {
  const parts = await inCall({ offerKind: 'video' });
  const { call, pc, events } = parts;
  const stableLocal = pc.localDescription;
  const directions = transceiverDirections(pc);
  const { result } = await operate(parts, 'HoldCall', { error: 'Timeout: the other party did not answer in time' });
  assert.equal(result, false);
  const error = events.args('holdCallFailed')[0];
  assert.ok(error instanceof CallError);
  assert.deepEqual(error.toJSON(), { code: 'Timeout', message: 'the other party did not answer in time' });
  assert.equal(pc.steps.at(-1), 'setLocalDescription:rollback');
  assert.equal(pc.signalingState, 'stable');
  assert.equal(pc.localDescription, stableLocal);
  assert.deepEqual(transceiverDirections(pc), directions);
  assert.deepEqual(senderTracks(pc), { audio: 'microphone', video: 'camera' });
  // The slot is free again, and the call is still not held: the next hold offers sendonly again.
  const again = await operate(parts, 'HoldCall');
  assert.equal(again.result, true);
  assert.equal(directionsOf(again.offerSdp)[0], 'sendonly');
  assert.equal(call.isVideoSending(), true);
});

test('a failed videoStart removes the m-line it added and stops the camera it asked for', async () => {
  const parts = await inCall({ offerKind: 'audio' });
  const { call, pc, events } = parts;
  const { result } = await operate(parts, 'VideoStart', { error: 'Rejected: the other party refused the operation' });
  assert.equal(result, false);
  assert.equal(events.args('videoStartFailed')[0].code, 'Rejected');
  assert.equal(call.isVideoSending(), false);
  assert.deepEqual(pc.getTransceivers().filter((tx) => !tx.stopped).map((tx) => tx.kind), ['audio']);
  assert.deepEqual(call.getLocalStream().getVideoTracks(), []);
  assert.equal(pc.signalingState, 'stable');
});

test('a failed videoStop keeps the camera and the video direction', async () => {
  const parts = await inCall({ offerKind: 'video' });
  const { result } = await operate(parts, 'VideoStop', { error: 'Timeout: the other party did not answer in time' });
  assert.equal(result, false);
  assert.equal(parts.call.isVideoSending(), true);
  assert.deepEqual(transceiverDirections(parts.pc), { audio: 'sendrecv', video: 'sendrecv' });
  assert.equal(parts.call.getLocalStream().getVideoTracks()[0].readyState, 'live');
});

test('an operation the server refuses at once is rolled back and reported with the server\'s code', async () => {
  const { call, hub, pc, events } = await inCall();
  hub.reply('HoldCall', () => { throw new Error('HubException: AlreadyOnHold: this side already holds the call'); });
  assert.equal(await call.holdCall(), false);
  assert.equal(events.args('holdCallFailed')[0].code, 'AlreadyOnHold');
  assert.deepEqual(pc.steps.slice(-3), ['createOffer', 'setLocalDescription:offer', 'setLocalDescription:rollback']);
  assert.equal(transceiverDirections(pc).audio, 'sendrecv');
});

test('one operation at a time: a second one fails with OperationInProgress and sends nothing', async () => {
  const { call, hub, events } = await inCall();
  hub.reply('HoldCall', () => 'op-20');
  const holding = call.holdCall();
  assert.equal(await call.videoStart(), false);
  assert.equal(events.args('videoStartFailed')[0].code, 'OperationInProgress');
  const [, sdpOffer] = await hub.invoked('HoldCall');
  call._onOperationCompleted('op-20', 'HoldCall', true, null, answerTo(sdpOffer));
  assert.equal(await holding, true);
  assert.deepEqual(hub.calls('VideoStart'), []);
});

test('a completion for another operation is ignored', async () => {
  const { call, hub, pc } = await inCall();
  hub.reply('HoldCall', () => 'op-30');
  const holding = call.holdCall();
  const [, sdpOffer] = await hub.invoked('HoldCall');
  call._onOperationCompleted('op-other', 'VideoStart', false, 'Timeout: …', null);
  assert.equal(pc.signalingState, 'have-local-offer');
  call._onOperationCompleted('op-30', 'HoldCall', true, null, answerTo(sdpOffer));
  assert.equal(await holding, true);
});

test('the call ending while an operation waits fails it with InvalidState', async () => {
  const { call, hub, events, service } = await inCall();
  hub.reply('HoldCall', () => 'op-40');
  const holding = call.holdCall();
  await hub.invoked('HoldCall');
  moveTo(call, 'Ended', { endReason: 'EndedRemotely' });
  assert.equal(await holding, false);
  assert.equal(events.args('holdCallFailed')[0].code, 'InvalidState');
  assert.equal(call.getPeerConnection(), null);
  assert.deepEqual(service.forgotten, [call]);
});

// ---------------------------------------------------------------------------------------------
// The Renegotiation module on its own: operation ids and reconnects
// ---------------------------------------------------------------------------------------------

async function renegotiationParts() {
  const hub = new FakeHub();
  const signaling = new SignalingQueue();
  const media = new MediaSession({
    getUserMedia: fakeGetUserMedia(),
    iceServers: async () => [],
    rtcConfiguration: () => ({}),
    onLocalCandidate() {},
    onRemoteStreamChanged() {},
    onIceConnectionStateChange() {},
  });
  const candidates = new IceCandidateQueue({ peerConnection: () => media.peerConnection, send() {}, accept: () => true, log() {} });
  const answered = [];
  const renegotiation = new Renegotiation({ media, signaling, candidates }, {
    callId: () => 'call-1',
    remoteHold: () => false,
    invoke: (method, ...args) => hub.invoke(method, ...args),
    answered: (operation) => answered.push(operation),
    log() {},
  });
  const offerSdp = await media.createInitialOffer('audioWithInactiveVideo');
  await media.peerConnection.setRemoteDescription({ type: 'answer', sdp: answerTo(offerSdp) });
  return { hub, signaling, media, renegotiation, answered, pc: media.peerConnection };
}

test('once the operation id is known, a completion with another id is ignored', async () => {
  const { hub, signaling, renegotiation, pc, media } = await renegotiationParts();
  hub.reply('HoldCall', () => 'op-50');
  const running = renegotiation.offer('HoldCall');
  await signaling.run(() => {}); // queued after the offer: the id has been read
  const [, sdpOffer] = hub.calls('HoldCall')[0];
  renegotiation.completed('op-49', 'HoldCall', false, 'Timeout: an older operation', null);
  renegotiation.completed('op-50', 'HoldCall', true, null, answerTo(sdpOffer));
  await running; // resolves: op-49's failure was not taken for it
  assert.equal(renegotiation.pendingOperation, null);
  assert.equal(media.localHold, true);
  assert.equal(pc.signalingState, 'stable');
});

test('a completion that arrives before the hub method returned is matched by the operation name', async () => {
  const { hub, renegotiation, media } = await renegotiationParts();
  hub.reply('HoldCall', (_callId, sdpOffer) => {
    renegotiation.completed('op-60', 'HoldCall', true, null, answerTo(sdpOffer)); // before the id is returned
    return 'op-60';
  });
  await renegotiation.offer('HoldCall');
  assert.equal(media.localHold, true);
});

test('after a reconnect, an operation the server no longer waits for fails with Timeout; one it waits for goes on', async () => {
  const { hub, signaling, renegotiation, media, pc } = await renegotiationParts();
  hub.reply('HoldCall', () => 'op-70');
  const running = renegotiation.offer('HoldCall');
  await signaling.run(() => {});
  renegotiation.resumed(null);
  await assert.rejects(running, (error) => error instanceof CallError && error.code === 'Timeout');
  assert.equal(renegotiation.pendingOperation, null);
  assert.equal(media.localHold, false);
  assert.equal(pc.signalingState, 'stable');

  hub.reply('HoldCall', () => 'op-71');
  const again = renegotiation.offer('HoldCall');
  await signaling.run(() => {});
  renegotiation.resumed('op-71'); // the server still waits for it
  const [, sdpOffer] = hub.calls('HoldCall')[1];
  renegotiation.completed('op-71', 'HoldCall', true, null, answerTo(sdpOffer));
  await again;
  assert.equal(media.localHold, true);
});

test('an operation while the connection is not stable fails with OperationInProgress and frees the slot', async () => {
  const { renegotiation, pc } = await renegotiationParts();
  await pc.setLocalDescription(await pc.createOffer());
  await assert.rejects(renegotiation.offer('VideoStart'), (error) => error.code === 'OperationInProgress');
  assert.equal(renegotiation.pendingOperation, null);
});
