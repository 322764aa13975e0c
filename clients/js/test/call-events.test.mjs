// What a Call does with the server's snapshots and tells its listener: stale snapshots, state and
// media changes, the end of the call, reconnects, the listener it reports to.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Call } from '../src/call.js';
import { CallError } from '../src/errors.js';
import { fakeService, recordingListener } from './support/fake-host.mjs';
import { directionsOf, sdp } from './support/fake-webrtc.mjs';
import { inCall, moveTo, newCall, snapshot } from './support/calls.mjs';

test('a snapshot older than the last one is dropped', () => {
  const { call, events } = newCall();
  call._onSnapshot(snapshot({ state: 'Dialing', sequence: 5 }), 'status');
  call._onSnapshot(snapshot({ state: 'Ringing', sequence: 4 }), 'status');
  assert.equal(call.getState(), 'Dialing');
  assert.deepEqual(events.names, ['callStatusChanged']);
});

test('callStatusChanged comes for a new state, remote party or hold flag; mediaAttributesChanged for new media flags', () => {
  const { call, events } = newCall();
  call._onSnapshot(snapshot({ state: 'Dialing', sequence: 2 }), 'status');
  call._onSnapshot(snapshot({ state: 'Dialing', sequence: 3 }), 'status'); // nothing changed
  call._onSnapshot(snapshot({ state: 'Dialing', remoteAddress: 'carol', sequence: 4 }), 'status');
  call._onSnapshot(snapshot({ state: 'Dialing', remoteAddress: 'carol', remoteHold: true, sequence: 5 }), 'status');
  const media = { ...snapshot().media, remoteMuted: true };
  call._onSnapshot(snapshot({ state: 'Dialing', remoteAddress: 'carol', remoteHold: true, media, sequence: 6 }), 'status');
  assert.deepEqual(events.names, ['callStatusChanged', 'callStatusChanged', 'callStatusChanged', 'mediaAttributesChanged']);
  assert.deepEqual(events.args('mediaAttributesChanged'), [media]);
  assert.equal(call.getRemoteAddress(), 'carol');
});

test('MediaAttributesChanged is reported even when the flags look the same', () => {
  const { call, events } = newCall();
  call._onSnapshot(snapshot({ sequence: 2 }), 'media');
  assert.deepEqual(events.names, ['mediaAttributesChanged']);
});

test('an in-call snapshot\'s localHold decides what this side answers', async () => {
  const parts = await inCall();
  moveTo(parts.call, 'OnHold', { localHold: true });
  // This side holds (says the server), so its answer to the other party's offer receives nothing.
  const theirOffer = sdp([{ kind: 'audio', direction: 'sendrecv' }, { kind: 'video', direction: 'sendrecv' }]);
  await parts.call._onRenegotiationRequested('op-1', 'VideoStart', theirOffer);
  assert.deepEqual(directionsOf(parts.hub.calls('AnswerRenegotiation')[0][2]), ['sendonly', 'inactive']);
});

test('an Ended snapshot releases the media, forgets the call and reports the end reason', async () => {
  const { call, pc, service, events } = await inCall({ offerKind: 'video' });
  const tracks = call.getLocalStream().getTracks();
  moveTo(call, 'Ended', { endReason: 'EndedRemotely' });
  assert.equal(call.getEndReason(), 'EndedRemotely');
  assert.equal(pc.closed, true);
  assert.equal(call.getPeerConnection(), null);
  assert.deepEqual(tracks.map((t) => t.readyState), ['ended', 'ended']);
  assert.deepEqual(service.forgotten, [call]);
  assert.deepEqual(events.events.at(-1), { name: 'callStatusChanged', args: ['Ended'] });
});

test('a call\'s own listener gets its events instead of the service\'s; a listener that throws is logged', async () => {
  const own = [];
  const serviceListener = recordingListener();
  const service = fakeService({ listener: serviceListener.listener });
  const listener = {
    rejectCallSucceeded(call) { own.push(['rejectCallSucceeded', call, this]); },
    endCallSucceeded() { throw new Error('boom'); },
  };
  const call = new Call(service, snapshot(), { listener });
  assert.equal(await call.rejectCall(), true);
  assert.equal(await call.endCall(), true); // the listener's exception does not fail the operation
  assert.deepEqual(own, [['rejectCallSucceeded', call, listener]]);
  assert.deepEqual(serviceListener.names, []);
  assert.ok(service.logs.some((l) => l.level === 'error' && /listener\.endCallSucceeded threw/.test(l.message)));
});

test('rejectCall, ignoreCall, forwardCall and endCall invoke their hub methods and report the outcome', async () => {
  const { call, hub, events } = newCall({ side: 'callee' });
  assert.equal(await call.rejectCall(), true);
  assert.equal(await call.ignoreCall(), true);
  assert.equal(await call.forwardCall({ address: 'carol' }), true);
  hub.reply('EndCall', () => { throw new Error('HubException: CallNotFound: no such call'); });
  assert.equal(await call.endCall(), false);
  assert.deepEqual(hub.invocations, [
    // The full argument lists (issue 18): customParameters and the end reason are null when not given.
    { method: 'RejectCall', args: ['call-1', null] },
    { method: 'IgnoreCall', args: ['call-1'] },
    { method: 'ForwardCall', args: ['call-1', 'carol'] },
    { method: 'EndCall', args: ['call-1', null, null] },
  ]);
  assert.deepEqual(events.names, ['rejectCallSucceeded', 'ignoreCallSucceeded', 'forwardCallSucceeded', 'endCallFailed']);
  assert.equal(events.args('endCallFailed')[0].code, 'CallNotFound');
});

test('an answer that cannot be applied fails the call and ends it', async () => {
  const { call, hub, events } = newCall();
  assert.equal(await call.establishCall(false), true);
  moveTo(call, 'InCall');
  await call._onRemoteDescription('answer', 'garbage');
  assert.equal(events.args('callFailed')[0].code, 'WebRtcError');
  await hub.invoked('EndCall');
});

test('a resumed call takes the server\'s snapshot and reports callResumed', async () => {
  const { call, events } = await inCall();
  const last = call.getSnapshot();
  call._onResumed({ ...last, state: 'RemotelyHeld', remoteHold: true, sequence: last.sequence + 1, pendingOperationId: null });
  assert.equal(call.getState(), 'RemotelyHeld');
  assert.deepEqual(events.names.slice(-2), ['callStatusChanged', 'callResumed']);
});

test('a call the server no longer knows after a reconnect ends with ConnectionLost', async () => {
  const { call, events, service } = await inCall();
  call._onResumeFailed(new CallError('CallNotFound', 'no such call'));
  assert.equal(call.getState(), 'Ended');
  assert.equal(call.getEndReason(), 'ConnectionLost');
  assert.equal(events.args('callResumeFailed')[0].code, 'CallNotFound');
  assert.deepEqual(service.forgotten, [call]);
});

test('a resume that failed for another reason keeps the call', async () => {
  const { call } = await inCall();
  call._onResumeFailed(new CallError('ConnectionError', 'offline'));
  assert.equal(call.getState(), 'InCall');
  assert.notEqual(call.getPeerConnection(), null);
});
