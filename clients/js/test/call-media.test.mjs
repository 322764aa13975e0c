// What a Call offers and answers for each operation: the SDP it sends to the hub, its transceivers'
// directions and what its senders carry (fake RTCPeerConnection, fake hub).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { directionsOf, sdp } from './support/fake-webrtc.mjs';
import { inCall, moveTo, newCall, offer, operate, senderTracks, transceiverDirections } from './support/calls.mjs';

// ---------------------------------------------------------------------------------------------
// The first offer and answer
// ---------------------------------------------------------------------------------------------

test('establishCall(true) offers audio and video both ways and sends the camera', async () => {
  const { call, hub, events, getUserMedia } = newCall();
  assert.equal(await call.establishCall(true), true);
  assert.deepEqual(getUserMedia.requests, [{ audio: true, video: true }]);
  const [callId, sdpOffer] = hub.calls('EstablishCall')[0];
  assert.equal(callId, 'call-1');
  assert.deepEqual(directionsOf(sdpOffer), ['sendrecv', 'sendrecv']);
  const pc = call.getPeerConnection();
  assert.equal(sdpOffer, pc.localDescription.sdp);
  assert.deepEqual(pc.steps, ['addTransceiver', 'addTransceiver', 'createOffer', 'setLocalDescription:offer']);
  assert.deepEqual(senderTracks(pc), { audio: 'microphone', video: 'camera' });
  assert.equal(call.isVideoSending(), true);
  assert.deepEqual(events.names, ['establishCallSucceeded']);
});

test('establishCall(false) offers audio and an inactive video m-line, without asking for the camera', async () => {
  const { call, hub, getUserMedia } = newCall();
  assert.equal(await call.establishCall(false), true);
  assert.deepEqual(getUserMedia.requests, [{ audio: true, video: false }]);
  assert.deepEqual(directionsOf(hub.calls('EstablishCall')[0][1]), ['sendrecv', 'inactive']);
  assert.deepEqual(senderTracks(call.getPeerConnection()), { audio: 'microphone', video: null });
  assert.equal(call.isVideoSending(), false);
});

test('establishAudioCall() offers a single audio m-line', async () => {
  const { call, hub } = newCall();
  assert.equal(await call.establishAudioCall(), true);
  assert.deepEqual(directionsOf(hub.calls('EstablishCall')[0][1]), ['sendrecv']);
  assert.deepEqual(transceiverDirections(call.getPeerConnection()), { audio: 'sendrecv', video: null });
});

test('establishing twice, or as the callee, fails without a second offer', async () => {
  const { call, hub, events } = newCall();
  assert.equal(await call.establishCall(true), true);
  moveTo(call, 'Dialing');
  assert.equal(await call.establishAudioCall(), false);
  assert.equal(events.args('establishCallFailed')[0].code, 'InvalidState');
  assert.equal(hub.calls('EstablishCall').length, 1);

  const callee = newCall({ side: 'callee' });
  assert.equal(await callee.call.establishCall(true), false);
  assert.equal(callee.events.args('establishCallFailed')[0].code, 'Forbidden');
});

test('an EstablishCall the server refuses releases the media and ends the call', async () => {
  const { call, hub, events } = newCall();
  hub.reply('EstablishCall', () => { throw new Error('HubException: InvalidSdp: no audio'); });
  assert.equal(await call.establishCall(true), false);
  assert.equal(events.args('establishCallFailed')[0].code, 'InvalidSdp');
  assert.equal(call.getPeerConnection(), null);
  assert.equal(call.getLocalStream(), null);
  assert.deepEqual(hub.methods, ['EstablishCall', 'EndCall']);
});

test('a camera the browser refuses is a MediaError, and no offer is sent', async () => {
  const { call, hub, events, getUserMedia } = newCall();
  getUserMedia.failNext();
  assert.equal(await call.establishCall(true), false);
  assert.equal(events.args('establishCallFailed')[0].code, 'MediaError');
  assert.deepEqual(hub.methods, ['EndCall']);
});

test('acceptCall(true) answers a video offer with audio and video both ways', async () => {
  const { call, hub, getUserMedia } = newCall({ side: 'callee', offerSdp: offer() });
  assert.equal(call.isVideoOffered(), true);
  assert.equal(await call.acceptCall(true), true);
  assert.deepEqual(getUserMedia.requests, [{ audio: true, video: true }]);
  const [, sdpAnswer] = hub.calls('AcceptCall')[0];
  assert.deepEqual(directionsOf(sdpAnswer), ['sendrecv', 'sendrecv']);
  const pc = call.getPeerConnection();
  assert.deepEqual(pc.steps, ['setRemoteDescription:offer', 'createAnswer', 'setLocalDescription:answer']);
  assert.deepEqual(senderTracks(pc), { audio: 'microphone', video: 'camera' });
  assert.equal(call.isVideoSending(), true);
});

test('acceptCall(false) receives the offered video without sending any', async () => {
  const { call, hub, getUserMedia } = newCall({ side: 'callee', offerSdp: offer() });
  assert.equal(await call.acceptCall(false), true);
  assert.deepEqual(getUserMedia.requests, [{ audio: true, video: false }]);
  assert.deepEqual(directionsOf(hub.calls('AcceptCall')[0][1]), ['sendrecv', 'recvonly']);
  assert.equal(call.isVideoSending(), false);
});

test('acceptCall(true) of an offer with inactive video (establishCall(false)) sends no video and asks for no camera', async () => {
  const sdpOffer = offer([{ kind: 'audio', direction: 'sendrecv' }, { kind: 'video', direction: 'inactive' }]);
  const { call, hub, getUserMedia } = newCall({ side: 'callee', offerSdp: sdpOffer });
  assert.equal(call.isVideoOffered(), false);
  assert.equal(await call.acceptCall(true), true);
  assert.deepEqual(getUserMedia.requests, [{ audio: true, video: false }]);
  assert.deepEqual(directionsOf(hub.calls('AcceptCall')[0][1]), ['sendrecv', 'inactive']);
  assert.equal(call.isVideoSending(), false);
});

test('acceptCall(true) of an offer that only receives video drops the camera (the answer does not send it)', async () => {
  // The caller sends video but receives none (sendonly): the callee's answer can only receive video,
  // so the camera it asked for is dropped.
  const sdpOffer = offer([{ kind: 'audio', direction: 'sendrecv' }, { kind: 'video', direction: 'sendonly' }]);
  const { call, hub, getUserMedia } = newCall({ side: 'callee', offerSdp: sdpOffer });
  assert.equal(await call.acceptCall(true), true);
  assert.deepEqual(getUserMedia.requests, [{ audio: true, video: true }]);
  assert.deepEqual(directionsOf(hub.calls('AcceptCall')[0][1]), ['sendrecv', 'recvonly']);
  assert.equal(call.isVideoSending(), false);
  assert.deepEqual(call.getLocalStream().getVideoTracks(), []);
});

test('acceptCall of an offer without audio fails with InvalidSdp and ends the call', async () => {
  const { call, hub, events } = newCall({ side: 'callee', offerSdp: sdp([{ kind: 'video', direction: 'sendrecv' }]) });
  assert.equal(await call.acceptCall(true), false);
  assert.equal(events.args('acceptCallFailed')[0].code, 'InvalidSdp');
  assert.deepEqual(hub.methods, ['EndCall']);
  assert.equal(call.getPeerConnection(), null);
});

// ---------------------------------------------------------------------------------------------
// Hold and unhold, from either side
// ---------------------------------------------------------------------------------------------

for (const side of ['caller', 'callee']) {
  test(`${side}: hold offers audio sendonly and, once answered, sends nothing; unhold offers sendrecv and sends again`, async () => {
    const parts = await inCall({ side, offerKind: 'audioWithInactiveVideo' });
    const { call, pc, events } = parts;

    const hold = await operate(parts, 'HoldCall');
    assert.equal(hold.result, true);
    assert.deepEqual(directionsOf(hold.offerSdp).slice(0, 1), ['sendonly']);
    assert.equal(pc.remoteDescription.sdp, hold.answerSdp);
    assert.equal(pc.signalingState, 'stable');
    assert.deepEqual(senderTracks(pc).audio, null);
    assert.ok(events.names.includes('holdCallSucceeded'));

    moveTo(call, 'OnHold', { localHold: true });
    const unhold = await operate(parts, 'UnholdCall');
    assert.equal(unhold.result, true);
    assert.deepEqual(directionsOf(unhold.offerSdp).slice(0, 1), ['sendrecv']);
    assert.deepEqual(senderTracks(pc).audio, 'microphone');
    assert.ok(events.names.includes('unholdCallSucceeded'));
  });

  test(`${side}: double hold: holding while held offers audio inactive`, async () => {
    const parts = await inCall({ side });
    moveTo(parts.call, 'RemotelyHeld', { remoteHold: true });
    const hold = await operate(parts, 'HoldCall');
    assert.equal(hold.result, true);
    assert.equal(directionsOf(hold.offerSdp)[0], 'inactive');
    assert.equal(transceiverDirections(parts.pc).audio, 'inactive');
    assert.equal(senderTracks(parts.pc).audio, null);
  });

  test(`${side}: double hold: answering the other party's hold while holding leaves audio inactive`, async () => {
    const parts = await inCall({ side });
    const { call, hub, pc } = parts;
    await operate(parts, 'HoldCall');
    moveTo(call, 'OnHold', { localHold: true });
    // The other party, held by this side, holds too: its offer has audio inactive.
    const theirOffer = sdp([{ kind: 'audio', direction: 'inactive' }, { kind: 'video', direction: 'inactive' }]);
    await call._onRenegotiationRequested('op-theirs', 'HoldCall', theirOffer);
    const [, operationId, sdpAnswer] = hub.calls('AnswerRenegotiation')[0];
    assert.equal(operationId, 'op-theirs');
    assert.deepEqual(directionsOf(sdpAnswer), ['inactive', 'inactive']);
    assert.equal(transceiverDirections(pc).audio, 'sendonly'); // what this side would do: send, not receive
    assert.equal(senderTracks(pc).audio, null);                // but it holds: nothing on the sender
  });

  test(`${side}: unholding from double hold offers sendrecv; the other party (still holding) answers sendonly`, async () => {
    const parts = await inCall({ side });
    await operate(parts, 'HoldCall');
    moveTo(parts.call, 'OnDoubleHold', { localHold: true, remoteHold: true });
    const unhold = await operate(parts, 'UnholdCall', { wants: { audio: 'sendonly' } });
    assert.equal(unhold.result, true);
    assert.equal(directionsOf(unhold.offerSdp)[0], 'sendrecv');
    assert.equal(directionsOf(unhold.answerSdp)[0], 'sendonly');
    assert.equal(senderTracks(parts.pc).audio, 'microphone');
  });
}

test('holding a video call keeps offering the video it sends but receives none, and sends nothing', async () => {
  const parts = await inCall({ offerKind: 'video' });
  const hold = await operate(parts, 'HoldCall');
  assert.deepEqual(directionsOf(hold.offerSdp), ['sendonly', 'sendonly']);
  assert.deepEqual(senderTracks(parts.pc), { audio: null, video: null });
  moveTo(parts.call, 'OnHold', { localHold: true });
  const unhold = await operate(parts, 'UnholdCall');
  assert.deepEqual(directionsOf(unhold.offerSdp), ['sendrecv', 'sendrecv']);
  assert.deepEqual(senderTracks(parts.pc), { audio: 'microphone', video: 'camera' });
});

// ---------------------------------------------------------------------------------------------
// Video start and stop
// ---------------------------------------------------------------------------------------------

test('videoStart on an audio-only call adds a video m-line sendrecv with the camera', async () => {
  const parts = await inCall({ offerKind: 'audio' });
  const { call, pc, getUserMedia } = parts;
  const start = await operate(parts, 'VideoStart');
  assert.equal(start.result, true);
  assert.deepEqual(directionsOf(start.offerSdp), ['sendrecv', 'sendrecv']);
  assert.deepEqual(getUserMedia.requests.at(-1), { video: true });
  assert.deepEqual(senderTracks(pc), { audio: 'microphone', video: 'camera' });
  assert.equal(call.isVideoSending(), true);
  assert.deepEqual(call.getLocalStream().getVideoTracks().map((t) => t.id), ['camera']);
});

test('videoStart on audio + inactive video reuses the video m-line', async () => {
  const parts = await inCall({ offerKind: 'audioWithInactiveVideo' });
  const transceivers = parts.pc.getTransceivers().length;
  const start = await operate(parts, 'VideoStart');
  assert.equal(start.result, true);
  assert.deepEqual(directionsOf(start.offerSdp), ['sendrecv', 'sendrecv']);
  assert.equal(parts.pc.getTransceivers().length, transceivers);
});

test('videoStart while holding offers video sendonly and sends nothing until unhold', async () => {
  const parts = await inCall({ offerKind: 'audioWithInactiveVideo' });
  await operate(parts, 'HoldCall');
  moveTo(parts.call, 'OnHold', { localHold: true });
  const start = await operate(parts, 'VideoStart');
  assert.deepEqual(directionsOf(start.offerSdp), ['sendonly', 'sendonly']);
  assert.deepEqual(senderTracks(parts.pc), { audio: null, video: null });
  assert.equal(parts.call.isVideoSending(), true);
});

test('videoStop offers video recvonly and stops the camera once answered', async () => {
  const parts = await inCall({ offerKind: 'video' });
  const camera = parts.call.getLocalStream().getVideoTracks()[0];
  const stop = await operate(parts, 'VideoStop');
  assert.equal(stop.result, true);
  assert.deepEqual(directionsOf(stop.offerSdp), ['sendrecv', 'recvonly']);
  assert.equal(parts.call.isVideoSending(), false);
  assert.equal(camera.readyState, 'ended');
  assert.deepEqual(parts.call.getLocalStream().getVideoTracks(), []);
  assert.deepEqual(senderTracks(parts.pc), { audio: 'microphone', video: null });
});

test('videoStop on a call without video fails with InvalidState and offers nothing', async () => {
  const parts = await inCall({ offerKind: 'audio' });
  assert.equal(await parts.call.videoStop(), false);
  assert.equal(parts.events.args('videoStopFailed')[0].code, 'InvalidState');
  assert.equal(parts.hub.calls('VideoStop').length, 0);
  assert.equal(parts.pc.signalingState, 'stable');
});

test('operations outside a call fail with InvalidState', async () => {
  const { call, events, hub } = newCall();
  assert.equal(await call.holdCall(), false);
  assert.equal(events.args('holdCallFailed')[0].code, 'InvalidState');
  assert.deepEqual(hub.methods, []);
});

test('mute disables the microphone and tells the server; a refused Mute enables it again', async () => {
  const parts = await inCall();
  const microphone = parts.call.getLocalStream().getAudioTracks()[0];
  assert.equal(await parts.call.mute(), true);
  assert.equal(microphone.enabled, false);
  assert.equal(parts.call.isMuted(), true);
  assert.deepEqual(parts.hub.calls('Mute'), [['call-1']]);
  parts.hub.reply('Unmute', () => { throw new Error('HubException: InvalidState: the call is not in progress'); });
  assert.equal(await parts.call.unmute(), false);
  assert.equal(microphone.enabled, false);
  assert.equal(parts.call.isMuted(), true);
  assert.equal(parts.events.args('unmuteCallFailed')[0].code, 'InvalidState');
});
