// Custom parameters (issue 18): checked with the server's rules before anything is sent, sent with the full
// argument lists of EstablishCall, AcceptCall, RejectCall and EndCall (null where absent), SendCustomParameters,
// and the other party's: from the snapshots and CustomParametersReceived, merged. The end reason's text.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Call } from '../src/call.js';
import { customParametersArgument, dtmfArgument, endReasonArgument } from '../src/call/call-arguments.js';
import { fakeService, recordingListener } from './support/fake-host.mjs';
import { connectOverFakeHub } from './support/fake-connection.mjs';
import { fakeGetUserMedia } from './support/fake-webrtc.mjs';
import { inCall, moveTo, newCall, offer, snapshot } from './support/calls.mjs';

const quiet = { info() {}, warn() {}, error() {}, log() {} };

function invalid(fn) {
  assert.throws(fn, (error) => error.name === 'CallError' && error.code === 'InvalidArgument');
}

// ---------------------------------------------------------------------------------------------
// The rules
// ---------------------------------------------------------------------------------------------

test('customParameters: none is null ({} too); a valid map is copied', () => {
  assert.equal(customParametersArgument(undefined), null);
  assert.equal(customParametersArgument(null), null);
  assert.equal(customParametersArgument({}), null);
  const given = { ticket: 'T-42', 'queue_name-2': 'sales', empty: '' };
  const copy = customParametersArgument(given);
  assert.deepEqual(copy, given);
  assert.notEqual(copy, given);
});

test('customParameters: at most 16 entries', () => {
  const sixteen = Object.fromEntries(Array.from({ length: 16 }, (_, i) => [`k${i}`, 'v']));
  assert.equal(Object.keys(customParametersArgument(sixteen)).length, 16);
  invalid(() => customParametersArgument({ ...sixteen, k16: 'v' }));
});

test('customParameters: keys are 1 to 64 of A-Z a-z 0-9 _ -', () => {
  assert.ok(customParametersArgument({ ['k'.repeat(64)]: 'v' }));
  invalid(() => customParametersArgument({ ['k'.repeat(65)]: 'v' }));
  invalid(() => customParametersArgument({ '': 'v' }));
  invalid(() => customParametersArgument({ 'a.b': 'v' }));
  invalid(() => customParametersArgument({ 'a b': 'v' }));
  invalid(() => customParametersArgument({ 'clé': 'v' }));
});

test('customParameters: values are strings of at most 512 UTF-8 bytes', () => {
  assert.ok(customParametersArgument({ k: 'x'.repeat(512) }));
  invalid(() => customParametersArgument({ k: 'x'.repeat(513) }));
  assert.ok(customParametersArgument({ k: 'é'.repeat(256) })); // 512 bytes
  invalid(() => customParametersArgument({ k: 'é'.repeat(257) })); // 257 characters, 514 bytes
  invalid(() => customParametersArgument({ k: 42 }));
  invalid(() => customParametersArgument({ k: null }));
  invalid(() => customParametersArgument(['a']));
  invalid(() => customParametersArgument('a=b'));
});

test('end reason: free text of at most 256 characters; DTMF digits', () => {
  assert.equal(endReasonArgument(undefined), null);
  assert.equal(endReasonArgument(''), null);
  assert.equal(endReasonArgument('r'.repeat(256)), 'r'.repeat(256));
  invalid(() => endReasonArgument('r'.repeat(257)));
  invalid(() => endReasonArgument(12));
  assert.equal(dtmfArgument('0123456789ABCDabcd*#,'), '0123456789ABCDABCD*#,', 'upper-cased: the server takes A-D');
  assert.equal(dtmfArgument('1'.repeat(64)), '1'.repeat(64));
  for (const wrong of ['', '1'.repeat(65), 'E', '12 3', '+', null, 5]) invalid(() => dtmfArgument(wrong));
});

// ---------------------------------------------------------------------------------------------
// Sent with the operations
// ---------------------------------------------------------------------------------------------

test('establishCall and establishAudioCall send EstablishCall(callId, sdpOffer, customParameters)', async () => {
  const first = newCall();
  assert.equal(await first.call.establishCall(true, { customParameters: { ticket: 'T-1' } }), true);
  const [callId, sdpOffer, parameters] = first.hub.calls('EstablishCall')[0];
  assert.deepEqual([callId, parameters], ['call-1', { ticket: 'T-1' }]);
  assert.match(sdpOffer, /m=video/);

  const second = newCall();
  assert.equal(await second.call.establishAudioCall({ customParameters: { a: 'b' } }), true);
  assert.deepEqual(second.hub.calls('EstablishCall')[0].slice(2), [{ a: 'b' }]);

  const third = newCall();
  assert.equal(await third.call.establishCall(), true);
  assert.equal(third.hub.calls('EstablishCall')[0].length, 3);
  assert.equal(third.hub.calls('EstablishCall')[0][2], null);
});

test('acceptCall(video, { customParameters }) sends AcceptCall(callId, sdpAnswer, customParameters); absent: null', async () => {
  const { call, hub } = newCall({ side: 'callee' });
  assert.equal(await call.acceptCall(false, { customParameters: { agent: 'a-7' } }), true);
  const [callId, sdpAnswer, parameters] = hub.calls('AcceptCall')[0];
  assert.deepEqual([callId, parameters], ['call-1', { agent: 'a-7' }]);
  assert.equal(sdpAnswer, call.getPeerConnection().localDescription.sdp);

  const plain = newCall({ side: 'callee' });
  assert.equal(await plain.call.acceptCall(true), true);
  assert.equal(plain.hub.calls('AcceptCall')[0][2], null);
});

test('rejectCall and endCall send their full argument lists', async () => {
  const { call, hub } = newCall({ side: 'callee' });
  assert.equal(await call.rejectCall({ customParameters: { why: 'busy' } }), true);
  assert.deepEqual(hub.calls('RejectCall')[0], ['call-1', { why: 'busy' }]);

  const parts = await inCall();
  assert.equal(await parts.call.endCall({ reason: 'Resolved, thanks', customParameters: { survey: 'yes' } }), true);
  assert.equal(await parts.call.endCall({ reason: 'only text' }), true);
  assert.equal(await parts.call.endCall(), true);
  assert.deepEqual(parts.hub.calls('EndCall'), [
    ['call-1', 'Resolved, thanks', { survey: 'yes' }],
    ['call-1', 'only text', null],
    ['call-1', null, null],
  ]);
});

test('invalid parameters or reason fail the operation with InvalidArgument before anything is sent', async () => {
  const caller = newCall();
  assert.equal(await caller.call.establishCall(false, { customParameters: { 'bad key': 'v' } }), false);
  assert.equal(caller.events.args('establishCallFailed')[0].code, 'InvalidArgument');
  assert.deepEqual(caller.hub.invocations, []);
  assert.deepEqual(caller.getUserMedia.requests, [], 'no microphone asked for');
  assert.equal(caller.call.getPeerConnection(), null);

  const callee = newCall({ side: 'callee' });
  assert.equal(await callee.call.acceptCall(false, { customParameters: { k: 'x'.repeat(600) } }), false);
  assert.equal(await callee.call.rejectCall({ customParameters: { k: 1 } }), false);
  assert.equal(await callee.call.endCall({ reason: 'x'.repeat(300) }), false);
  assert.equal(await callee.call.endCall('a string is not options'), false);
  assert.deepEqual(callee.events.names, ['acceptCallFailed', 'rejectCallFailed', 'endCallFailed', 'endCallFailed']);
  assert.ok(callee.events.events.every((e) => e.args[0].code === 'InvalidArgument'));
  assert.deepEqual(callee.hub.invocations, []);
  assert.equal(callee.call.getState(), 'Ringing');
});

test('sendCustomParameters sends SendCustomParameters(callId, parameters), needs at least one, not once Ended', async () => {
  const { call, hub, events } = await inCall();
  assert.equal(await call.sendCustomParameters({ step: 'billing' }), true);
  assert.deepEqual(hub.calls('SendCustomParameters'), [['call-1', { step: 'billing' }]]);
  assert.ok(events.names.includes('sendCustomParametersSucceeded'));

  assert.equal(await call.sendCustomParameters({}), false);
  assert.equal(events.args('sendCustomParametersFailed')[0].code, 'InvalidArgument');
  hub.reply('SendCustomParameters', () => { throw new Error('HubException: RateLimited: slow down'); });
  assert.equal(await call.sendCustomParameters({ step: 'again' }), false);
  assert.equal(events.events.filter((e) => e.name === 'sendCustomParametersFailed')[1].args[0].code, 'RateLimited');

  moveTo(call, 'Ended', { endReason: 'EndedLocally' });
  assert.equal(await call.sendCustomParameters({ late: 'yes' }), false);
  assert.equal(events.events.filter((e) => e.name === 'sendCustomParametersFailed')[2].args[0].code, 'InvalidState');
  assert.equal(hub.calls('SendCustomParameters').length, 2);
});

// ---------------------------------------------------------------------------------------------
// Received
// ---------------------------------------------------------------------------------------------

test('the other party\'s parameters: from the snapshot, then CustomParametersReceived merged (later values win)', () => {
  const events = recordingListener();
  const call = new Call(fakeService({ listener: events.listener }), snapshot({
    direction: 'incoming', state: 'Ringing', customParameters: { ticket: 'T-9', lang: 'en' },
  }), { offer: offer() });
  assert.deepEqual(call.getRemoteCustomParameters(), { ticket: 'T-9', lang: 'en' });

  call._onCustomParameters({ lang: 'fr', step: '2' });
  assert.deepEqual(events.args('customParametersReceived'), [{ lang: 'fr', step: '2' }]);
  assert.deepEqual(call.getRemoteCustomParameters(), { ticket: 'T-9', lang: 'fr', step: '2' });

  // A copy: changing it changes nothing.
  call.getRemoteCustomParameters().ticket = 'changed';
  assert.equal(call.getRemoteCustomParameters().ticket, 'T-9');

  // A later snapshot with the server's merged map.
  moveTo(call, 'Ended', { endReason: 'Canceled', customParameters: { ticket: 'T-9', lang: 'fr', step: '2', bye: 'now' }, endReasonText: 'caller gave up' });
  assert.deepEqual(call.getRemoteCustomParameters(), { ticket: 'T-9', lang: 'fr', step: '2', bye: 'now' });
  assert.equal(call.getEndReasonText(), 'caller gave up');
});

test('getEndReasonText is null unless the snapshot has one', async () => {
  const { call } = await inCall();
  assert.equal(call.getEndReasonText(), null);
  moveTo(call, 'Ended', { endReason: 'EndedRemotely' });
  assert.equal(call.getEndReasonText(), null);
});

test('the service routes CustomParametersReceived to its call, before the status change it comes with', async () => {
  const seen = [];
  const { hub } = await connectOverFakeHub({
    baseUrl: 'http://callserver.test', accessToken: 'token', logger: quiet, iceServers: [], getUserMedia: fakeGetUserMedia(),
    qualityIntervalMs: 0,
    listener: {
      incomingCall(call) { seen.push(['incomingCall', call.getRemoteCustomParameters()]); },
      customParametersReceived(call, parameters) { seen.push(['customParametersReceived', parameters, call.getState()]); },
      callStatusChanged(call, state) { seen.push(['callStatusChanged', state, call.getRemoteCustomParameters()]); },
    },
  });
  hub.receive('IncomingCall', snapshot({ callId: 'call-7', direction: 'incoming', state: 'Ringing', customParameters: { from: 'web' } }), offer());
  hub.receive('CustomParametersReceived', 'call-7', { reason: 'wrong number' });
  hub.receive('CallStatusChanged', snapshot({ callId: 'call-7', direction: 'incoming', state: 'Ended', endReason: 'Canceled', sequence: 2 }));
  hub.receive('CustomParametersReceived', 'unknown-call', { ignored: 'yes' });
  assert.deepEqual(seen, [
    ['incomingCall', { from: 'web' }],
    ['customParametersReceived', { reason: 'wrong number' }, 'Ringing'],
    ['callStatusChanged', 'Ended', { from: 'web', reason: 'wrong number' }],
  ]);
});
