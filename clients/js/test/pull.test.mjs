// PullCall: this device takes over a call another device of the account holds (its own new connection
// offers, the other party's answer completes it); the other party answers a pull with a new connection;
// the old device hears the call ended MovedToAnotherDevice.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Call } from '../src/call.js';
import { fakeService, hubError, recordingListener } from './support/fake-host.mjs';
import { directionsOf, sdp } from './support/fake-webrtc.mjs';
import { answerTo, inCall, moveTo, snapshot } from './support/calls.mjs';

/** A call this device does not hold yet, as GetCall shows it (InCall, or held by this side). */
function elsewhere(overrides = {}) {
  const events = recordingListener();
  const service = fakeService({ listener: events.listener });
  const call = new Call(service, snapshot({ state: 'InCall', sequence: 5, ...overrides }));
  return { call, hub: service.hub, events };
}

test('a pull offers from a new connection, waits for the answer, then applies it', async () => {
  const { call, hub, events } = elsewhere();
  hub.reply('PullCall', () => 'op-pull');
  const pulling = call._pull();
  const [callId, offerSdp] = await hub.invoked('PullCall');
  assert.equal(callId, 'call-1');
  assert.deepEqual(directionsOf(offerSdp), ['sendrecv']);
  const pc = call.getPeerConnection();
  assert.equal(pc.signalingState, 'have-local-offer');

  call._onOperationCompleted('op-pull', 'PullCall', true, null, answerTo(offerSdp));
  await pulling;
  assert.equal(pc.signalingState, 'stable');
  assert.equal(events.names.filter((name) => name === 'pullCallSucceeded').length, 1);
});

test('a call this side holds is pulled with a hold offer', async () => {
  const { call, hub } = elsewhere({ state: 'OnHold', localHold: true });
  hub.reply('PullCall', () => 'op-pull');
  const pulling = call._pull();
  const [, offerSdp] = await hub.invoked('PullCall');
  assert.deepEqual(directionsOf(offerSdp), ['sendonly']);
  call._onOperationCompleted('op-pull', 'PullCall', true, null, answerTo(offerSdp, { audio: 'recvonly' }));
  await pulling;
});

test('a refused pull releases the new connection and reports the error', async () => {
  const { call, hub, events } = elsewhere();
  hub.reply('PullCall', () => 'op-pull');
  const pulling = call._pull();
  await hub.invoked('PullCall');
  const pc = call.getPeerConnection();
  call._onOperationCompleted('op-pull', 'PullCall', false, 'Rejected: not now', null);
  await assert.rejects(pulling, (error) => error.code === 'Rejected');
  assert.equal(pc.signalingState, 'closed');
  assert.equal(call.getPeerConnection(), null);
  assert.equal(events.names.filter((name) => name === 'pullCallFailed').length, 1);
});

test('a pull the server refuses at once rejects with its code', async () => {
  const { call, hub } = elsewhere();
  hub.reply('PullCall', () => { throw hubError('OperationInProgress', 'HoldCall is still waiting for an answer'); });
  await assert.rejects(call._pull(), (error) => error.code === 'OperationInProgress');
  assert.equal(call.getPeerConnection(), null);
});

test('the other party answers a pull with a new connection, closing the old one, and keeps the pulling device\'s candidates for it', async () => {
  const { call, hub, pc: old, events } = await inCall();
  const theirOffer = sdp([{ kind: 'audio', direction: 'sendrecv' }]);
  const answering = call._onRenegotiationRequested('op-pull', 'PullCall', theirOffer);
  call._onRemoteCandidate({ candidate: 'candidate:1 1 udp 1 10.0.0.9 9 typ host', sdpMid: '0', sdpMLineIndex: 0 });
  await answering;

  const pc = call.getPeerConnection();
  assert.notEqual(pc, old);
  assert.equal(old.signalingState, 'closed');
  const [callId, operationId, sdpAnswer] = hub.calls('AnswerRenegotiation')[0];
  assert.deepEqual([callId, operationId], ['call-1', 'op-pull']);
  assert.equal(sdpAnswer, pc.localDescription.sdp);
  assert.deepEqual(directionsOf(sdpAnswer), ['sendrecv']);
  assert.equal(pc.candidates.length, 1);
  assert.equal(old.candidates.length, 0);
  assert.deepEqual(events.args('renegotiationAnswered'), ['PullCall']);
});

test('a pull that is over before this side\'s answer is taken leaves the call on its old connection', async () => {
  const { call, hub, pc: old } = await inCall();
  hub.reply('AnswerRenegotiation', () => { throw hubError('InvalidState', 'no such operation is waiting for an answer'); });
  await call._onRenegotiationRequested('op-pull', 'PullCall', sdp([{ kind: 'audio', direction: 'sendrecv' }]));

  assert.equal(call.getPeerConnection(), old);
  assert.notEqual(old.signalingState, 'closed');
  assert.equal(hub.calls('RejectRenegotiation')[0][1], 'op-pull');
  call._onRemoteCandidate({ candidate: 'candidate:2 1 udp 1 10.0.0.8 9 typ host', sdpMid: '0', sdpMLineIndex: 0 });
  assert.equal(old.candidates.length, 1); // the other party's candidates go to the old connection again
});

test('the device the call was pulled from hears callPulled and releases its media', async () => {
  const { call, pc, events } = await inCall();
  moveTo(call, 'Ended', { endReason: 'MovedToAnotherDevice', statusCode: 9904 });
  assert.equal(call.getState(), 'Ended');
  assert.equal(events.names.filter((name) => name === 'callPulled').length, 1);
  assert.equal(pc.signalingState, 'closed');
});
