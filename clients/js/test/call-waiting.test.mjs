// Call waiting (issue 18): a call that rings while this device is in another (`waiting`), answered with
// HoldAndAccept (the other call's hold offer, made as holdCall makes it, and the new call's answer in one hub
// method; the hold then completes as holdCall's) or EndAndAccept (the other call ends); on a refusal both
// connections are rolled back and nothing changed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Call } from '../src/call.js';
import { fakeService, hubError, recordingListener } from './support/fake-host.mjs';
import { connectOverFakeHub } from './support/fake-connection.mjs';
import { FakeTrack, directionsOf, fakeGetUserMedia } from './support/fake-webrtc.mjs';
import { answerTo, inCall, moveTo, offer, senderTracks, snapshot, transceiverDirections } from './support/calls.mjs';

const quiet = { info() {}, warn() {}, error() {}, log() {} };

/** This device in call-1 (InCall, media up) and call-2 ringing here, waiting, over the same hub. */
async function waiting() {
  const held = await inCall();
  const events = recordingListener();
  const service = fakeService({ hub: held.hub, listener: events.listener });
  const call = new Call(service, snapshot({
    callId: 'call-2', direction: 'incoming', localAddress: 'alice', remoteAddress: 'carol', state: 'Ringing', waiting: true,
  }), { offer: offer() });
  return { held, waiting: { call, events, service, getUserMedia: service.getUserMedia }, hub: held.hub };
}

test('a waiting incoming call says so', async () => {
  const { waiting: { call }, held } = await waiting();
  assert.equal(call.isWaiting(), true);
  assert.equal(held.call.isWaiting(), false);
});

test('holdAndAccept invokes HoldAndAccept once with the answer and holdCall\'s offer; the hold completes as holdCall\'s', async () => {
  const { held, waiting: fresh, hub } = await waiting();
  hub.reply('HoldAndAccept', () => 'op-hold');
  assert.equal(await fresh.call.holdAndAccept(held.call, { customParameters: { note: 'one moment' } }), true);

  assert.equal(hub.calls('HoldAndAccept').length, 1);
  const [newCallId, heldCallId, sdpAnswer, holdOffer, parameters] = hub.calls('HoldAndAccept')[0];
  assert.deepEqual([newCallId, heldCallId, parameters], ['call-2', 'call-1', { note: 'one moment' }]);
  assert.equal(sdpAnswer, fresh.call.getPeerConnection().localDescription.sdp);
  assert.equal(holdOffer, held.pc.localDescription.sdp);
  assert.deepEqual(directionsOf(holdOffer), ['sendonly', 'inactive'], 'holdCall\'s offer');
  assert.equal(held.pc.signalingState, 'have-local-offer');
  // One command: neither AcceptCall nor HoldCall.
  assert.deepEqual(hub.methods.filter((m) => ['AcceptCall', 'HoldCall', 'HoldAndAccept'].includes(m)), ['HoldAndAccept']);
  assert.ok(fresh.events.names.includes('holdAndAcceptSucceeded'));
  assert.equal(fresh.events.names.includes('acceptCallSucceeded'), false);

  // CallOperationCompleted for the returned operation id: the hold is applied as holdCall's is.
  held.call._onOperationCompleted('op-hold', 'HoldCall', true, null, answerTo(holdOffer, { audio: 'recvonly' }));
  await held.events.next('holdCallSucceeded');
  assert.equal(held.pc.signalingState, 'stable');
  assert.deepEqual(senderTracks(held.pc), { audio: null, video: null }, 'the held call sends nothing');
  assert.equal(senderTracks(fresh.call.getPeerConnection()).audio, 'microphone', 'the new call sends the microphone');
  // A second hold or unhold works as usual: the operation slot was freed.
  assert.equal(held.call.getPeerConnection().signalingState, 'stable');
});

test('the hold of holdAndAccept failing later reports holdCallFailed on the held call and rolls its offer back', async () => {
  const { held, waiting: fresh, hub } = await waiting();
  hub.reply('HoldAndAccept', () => 'op-hold');
  assert.equal(await fresh.call.holdAndAccept(held.call), true);
  held.call._onOperationCompleted('op-hold', 'HoldCall', false, 'Timeout: the other party did not answer in time', null);
  const [error] = await held.events.next('holdCallFailed');
  assert.equal(error.code, 'Timeout');
  assert.equal(held.pc.signalingState, 'stable');
  assert.equal(transceiverDirections(held.pc).audio, 'sendrecv');
});

test('a refused HoldAndAccept rolls both connections back; the new call keeps ringing and can be accepted', async () => {
  const { held, waiting: fresh, hub } = await waiting();
  hub.reply('HoldAndAccept', () => { throw hubError('OperationInProgress', 'the call to hold has an operation in progress'); });
  assert.equal(await fresh.call.holdAndAccept(held.call), false);
  assert.equal(fresh.events.args('holdAndAcceptFailed')[0].code, 'OperationInProgress');

  // The held call: its hold offer rolled back, the directions as they were, nothing reported on it.
  assert.equal(held.pc.signalingState, 'stable');
  assert.deepEqual(held.pc.steps.slice(-2), ['setLocalDescription:offer', 'setLocalDescription:rollback']);
  assert.deepEqual(transceiverDirections(held.pc), { audio: 'sendrecv', video: 'inactive' });
  assert.equal(senderTracks(held.pc).audio, 'microphone');
  assert.equal(held.events.names.some((n) => n.startsWith('holdCall')), false);

  // The new call: its connection released, still ringing, not ended.
  assert.equal(fresh.call.getPeerConnection(), null);
  assert.equal(fresh.call.getState(), 'Ringing');
  assert.deepEqual(hub.calls('EndCall'), []);

  // Held call's slot is free; the new call can still be accepted.
  assert.equal(await fresh.call.acceptCall(false), true);
  assert.equal(hub.calls('AcceptCall').length, 1);
});

test('holdAndAccept is refused before anything is sent when the other call cannot be held, or arguments are wrong', async () => {
  const { held, waiting: fresh, hub } = await waiting();
  moveTo(held.call, 'OnHold', { localHold: true });
  assert.equal(await fresh.call.holdAndAccept(held.call), false);
  assert.equal(await fresh.call.holdAndAccept(/** @type {any} */ ({ getId: () => 'call-1' })), false);
  assert.equal(await fresh.call.holdAndAccept(fresh.call), false);
  moveTo(held.call, 'InCall', { localHold: false });
  assert.equal(await fresh.call.holdAndAccept(held.call, { customParameters: { 'no spaces': 'x' } }), false);
  assert.deepEqual(fresh.events.events.map((e) => e.args[0].code), ['AlreadyOnHold', 'InvalidArgument', 'InvalidArgument', 'InvalidArgument']);
  assert.deepEqual(hub.calls('HoldAndAccept'), []);
  assert.deepEqual(fresh.getUserMedia.requests, []);
});

test('endAndAccept invokes EndAndAccept once; the ended call stops sending at once and ends with its snapshot', async () => {
  const { held: other, waiting: fresh, hub } = await waiting();
  const tracks = other.call.getLocalStream().getTracks();
  assert.equal(await fresh.call.endAndAccept(other.call, { video: false, reason: 'taking another call', customParameters: { k: 'v' } }), true);

  assert.equal(hub.calls('EndAndAccept').length, 1);
  const [newCallId, endedCallId, sdpAnswer, reason, parameters] = hub.calls('EndAndAccept')[0];
  assert.deepEqual([newCallId, endedCallId, reason, parameters], ['call-2', 'call-1', 'taking another call', { k: 'v' }]);
  assert.equal(sdpAnswer, fresh.call.getPeerConnection().localDescription.sdp);
  assert.deepEqual(hub.methods.filter((m) => ['AcceptCall', 'EndCall', 'EndAndAccept'].includes(m)), ['EndAndAccept']);
  assert.ok(fresh.events.names.includes('endAndAcceptSucceeded'));

  // The ended call: media released now, endCallSucceeded, then the server's Ended snapshot.
  assert.equal(other.pc.closed, true);
  assert.deepEqual(tracks.map((t) => t.readyState), ['ended']);
  assert.ok(other.events.names.includes('endCallSucceeded'));
  moveTo(other.call, 'Ended', { endReason: 'EndedLocally', endReasonText: 'taking another call' });
  assert.deepEqual(other.events.events.at(-1), { name: 'callStatusChanged', args: ['Ended'] });
  assert.equal(other.call.getEndReasonText(), 'taking another call');
  assert.equal(fresh.call.getPeerConnection().closed, false);
});

test('a refused EndAndAccept changes nothing: the other call goes on, the new call keeps ringing', async () => {
  const { held: other, waiting: fresh, hub } = await waiting();
  hub.reply('EndAndAccept', () => { throw hubError('InvalidState', 'the call is not ringing'); });
  assert.equal(await fresh.call.endAndAccept(other.call, { reason: 'bye' }), false);
  assert.equal(fresh.events.args('endAndAcceptFailed')[0].code, 'InvalidState');
  assert.equal(other.pc.closed, false);
  assert.equal(senderTracks(other.pc).audio, 'microphone');
  assert.equal(other.events.names.includes('endCallSucceeded'), false);
  assert.equal(fresh.call.getPeerConnection(), null);
  assert.equal(fresh.call.getState(), 'Ringing');

  assert.equal(await fresh.call.endAndAccept(other.call, { reason: 'r'.repeat(257) }), false);
  assert.equal(fresh.events.events.at(-1).args[0].code, 'InvalidArgument');
  assert.equal(hub.calls('EndAndAccept').length, 1);
});

test('the service: IncomingCall with waiting, then callService.holdAndAccept / endAndAccept on its calls', async () => {
  const incoming = [];
  const { service, hub } = await connectOverFakeHub({
    baseUrl: 'http://callserver.test', accessToken: 'token', logger: quiet, iceServers: [], getUserMedia: fakeGetUserMedia(),
    qualityIntervalMs: 0,
    listener: { incomingCall(call) { incoming.push(call); } },
  });
  const ringing = (callId, sequence = 1) => snapshot({ callId, direction: 'incoming', state: 'Ringing', sequence });
  hub.receive('IncomingCall', ringing('call-1'), offer());
  assert.equal(await service.getCall('call-1').acceptCall(false), true);
  hub.receive('CallStatusChanged', { ...ringing('call-1', 2), state: 'InCall' });
  hub.receive('IncomingCall', { ...ringing('call-2'), waiting: true }, offer());
  assert.deepEqual(incoming.map((c) => [c.getId(), c.isWaiting()]), [['call-1', false], ['call-2', true]]);

  hub.reply('HoldAndAccept', () => 'op-1');
  assert.equal(await service.holdAndAccept(service.getCall('call-2'), service.getCall('call-1')), true);
  assert.deepEqual(hub.calls('HoldAndAccept').map((args) => [args[0], args[1], args[4]]), [['call-2', 'call-1', null]]);

  hub.receive('IncomingCall', { ...ringing('call-3'), waiting: true }, offer());
  assert.equal(await service.endAndAccept(service.getCall('call-3'), service.getCall('call-2')), true);
  assert.deepEqual(hub.calls('EndAndAccept').map((args) => [args[0], args[1], args[3], args[4]]), [['call-3', 'call-2', null, null]]);

  await assert.rejects(service.holdAndAccept(/** @type {any} */ (null), service.getCall('call-1')), { code: 'InvalidArgument' });
  await assert.rejects(service.endAndAccept(/** @type {any} */ ('call-3'), service.getCall('call-1')), { code: 'InvalidArgument' });
  await service.disconnect();
});

test('views shared by both calls: the ended call\'s release does not blank the new call\'s streams', async () => {
  const { held: other, waiting: fresh } = await waiting();
  const element = () => ({ srcObject: null, muted: false, play: async () => {} });
  const local = element();
  const remote = element();
  other.call.setLocalVideoView(/** @type {any} */ (local));
  other.call.setRemoteVideoView(/** @type {any} */ (remote));
  assert.equal(local.srcObject, other.call.getLocalStream());
  // The application shows the new call in the same elements, then EndAndAccept ends the other call.
  fresh.call.setLocalVideoView(/** @type {any} */ (local));
  fresh.call.setRemoteVideoView(/** @type {any} */ (remote));
  assert.equal(await fresh.call.endAndAccept(other.call), true);
  assert.equal(local.srcObject, fresh.call.getLocalStream());
  assert.ok(local.srcObject);
  // The new call's remote stream reaches the element with its first track.
  const track = Object.assign(new Event('track'), { track: new FakeTrack('audio', 'carol-audio') });
  fresh.call.getPeerConnection().dispatchEvent(track);
  assert.equal(remote.srcObject, fresh.call.getRemoteStream());
  // Its own release clears them.
  moveTo(fresh.call, 'Ended', { endReason: 'EndedRemotely' });
  assert.equal(local.srcObject, null);
  assert.equal(remote.srcObject, null);
});
