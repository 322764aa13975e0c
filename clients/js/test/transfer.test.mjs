// Transfers: this side transfers its call (blind or consultative: held first, then the server's progress
// decides the outcome), the transferee's device places the new call by itself (TransferRequested), and the
// target of a consultative transfer takes the new call without ringing (TransferConnected, replacesCallId).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hubError } from './support/fake-host.mjs';
import { connectOverFakeHub } from './support/fake-connection.mjs';
import { answerTo, inCall, moveTo, offer, snapshot } from './support/calls.mjs';
import { fakeGetUserMedia } from './support/fake-webrtc.mjs';

const quiet = { info() {}, warn() {}, error() {}, log() {} };

/** Completes this side's pending hold: the other party's answer arrives. */
async function answerHold(call, hub, nth = 1) {
  const [, sdpOffer] = await hub.invoked('HoldCall', nth);
  call._onOperationCompleted(`op-hold-${nth}`, 'HoldCall', true, null, answerTo(sdpOffer, { audio: 'recvonly' }));
  const last = call.getSnapshot();
  moveTo(call, 'OnHold', { localHold: true, sequence: last.sequence + 1 });
}

test('transferCall holds the call first, then asks the server and succeeds when the target answered', async () => {
  const { call, hub, events } = await inCall();
  let holds = 0;
  hub.reply('HoldCall', () => `op-hold-${++holds}`);
  hub.reply('TransferCall', () => 'call-2');
  const transferring = call.transferCall('carol');
  await answerHold(call, hub);

  const [callId, target] = await hub.invoked('TransferCall');
  assert.deepEqual([callId, target], ['call-1', 'carol']);
  assert.deepEqual(hub.methods.filter((m) => m === 'HoldCall' || m === 'TransferCall'), ['HoldCall', 'TransferCall']);
  call._onTransferProgress('Trying', null);
  call._onTransferProgress('Ringing', null);
  call._onTransferProgress('Succeeded', null);

  assert.equal(await transferring, true);
  assert.deepEqual(events.events.filter((e) => e.name === 'transferProgress').map((e) => e.args[0]), ['Trying', 'Ringing', 'Succeeded']);
  assert.equal(events.names.filter((n) => n === 'transferCallSucceeded').length, 1);
  assert.equal(events.names.includes('transferCallFailed'), false);
});

test('a call already held is transferred without another hold; the end Transferred also completes it', async () => {
  const { call, hub, events } = await inCall();
  moveTo(call, 'OnHold', { localHold: true });
  hub.reply('TransferCall', () => 'call-2');
  const transferring = call.transferCall({ address: 'carol' });
  await hub.invoked('TransferCall');
  assert.equal(hub.calls('HoldCall').length, 0);

  moveTo(call, 'Ended', { endReason: 'Transferred', localHold: false });
  assert.equal(await transferring, true);
  assert.ok(events.names.includes('callTransferred'));
});

test('a failed transfer reports the reason and leaves the call held; a refused one reports the server\'s code', async () => {
  const { call, hub, events } = await inCall();
  moveTo(call, 'OnHold', { localHold: true });
  hub.reply('TransferCall', () => 'call-2');
  const failing = call.transferCall('carol');
  await hub.invoked('TransferCall');
  call._onTransferProgress('Failed', 'Rejected');
  assert.equal(await failing, false);
  const [error] = events.args('transferCallFailed');
  assert.equal(error.code, 'Rejected');
  assert.equal(call.getState(), 'OnHold');

  hub.reply('TransferCall', () => { throw hubError('CalleeNotFound', 'no registered user nobody'); });
  assert.equal(await call.transferCall('nobody'), false);
  assert.equal(events.events.filter((e) => e.name === 'transferCallFailed')[1].args[0].code, 'CalleeNotFound');
});

test('a call not in progress is not transferred, and one transfer at a time', async () => {
  const { call, hub, events } = await inCall();
  moveTo(call, 'OnHold', { localHold: true });
  hub.reply('TransferCall', () => 'call-2');
  const first = call.transferCall('carol');
  await hub.invoked('TransferCall');
  assert.equal(await call.transferCall('dave'), false);
  assert.equal(events.events.filter((e) => e.name === 'transferCallFailed')[0].args[0].code, 'OperationInProgress');
  call._onTransferProgress('Failed', 'NoAnswer');
  await first;

  moveTo(call, 'Ended', { endReason: 'EndedRemotely' });
  assert.equal(await call.transferCall('carol'), false);
  assert.equal(hub.calls('TransferCall').length, 1);
});

test('consultativeTransfer holds both calls, then connects them', async () => {
  const first = await inCall();
  const second = await inCall();
  let holds = 0;
  second.hub.reply('HoldCall', () => `op-hold-${++holds}`);
  first.hub.reply('ConsultativeTransfer', () => 'call-3');
  moveTo(first.call, 'OnHold', { localHold: true });
  const transferring = first.call.consultativeTransfer(second.call);
  await answerHold(second.call, second.hub);

  const [callId, otherCallId] = await first.hub.invoked('ConsultativeTransfer');
  assert.deepEqual([callId, otherCallId], ['call-1', second.call.getId()]);
  assert.equal(first.hub.calls('HoldCall').length, 0); // already held
  first.call._onTransferProgress('Succeeded', null);
  assert.equal(await transferring, true);
});

test('TransferRequested: the transferee\'s device reads the new call and places it with its own offer', async () => {
  const requested = [];
  const { hub } = await connectOverFakeHub({
    baseUrl: 'http://callserver.test', accessToken: 'token', logger: quiet, iceServers: [], getUserMedia: fakeGetUserMedia(),
    listener: { transferRequested(call, oldCall, info) { requested.push({ call, oldCall, info }); } },
  });
  hub.reply('GetCall', (callId) => snapshot({ callId, remoteAddress: 'carol', transferredBy: 'bob', replacesCallId: 'call-1' }));

  hub.receive('TransferRequested', 'call-1', 'call-2', 'carol', 'bob');
  const [callId, sdpOffer] = await hub.invoked('EstablishCall');
  assert.equal(callId, 'call-2');
  assert.match(sdpOffer, /m=audio/);
  assert.equal(requested.length, 1);
  assert.equal(requested[0].call.getId(), 'call-2');
  assert.equal(requested[0].call.getTransferredBy(), 'bob');
  assert.equal(requested[0].call.getReplacedCallId(), 'call-1');
  assert.deepEqual(requested[0].info, { target: 'carol', transferredBy: 'bob' });
});

test('TransferConnected: the new call of a consultative transfer is accepted without ringing', async () => {
  const incoming = [];
  const connected = [];
  const { hub } = await connectOverFakeHub({
    baseUrl: 'http://callserver.test', accessToken: 'token', logger: quiet, iceServers: [], getUserMedia: fakeGetUserMedia(),
    listener: { incomingCall(call) { incoming.push(call); }, transferConnected(call) { connected.push(call); } },
  });

  hub.receive('TransferConnected', 'call-c', 'call-3', 'bob');
  hub.receive('IncomingCall', snapshot({ callId: 'call-3', direction: 'incoming', state: 'Ringing', transferredBy: 'bob', replacesCallId: 'call-c' }), offer());
  const [callId] = await hub.invoked('AcceptCall');
  assert.equal(callId, 'call-3');
  assert.equal(connected.length, 1);
  assert.equal(incoming.length, 0);

  // An ordinary call still rings.
  hub.receive('IncomingCall', snapshot({ callId: 'call-4', direction: 'incoming', state: 'Ringing' }), offer());
  assert.equal(incoming.length, 1);
  assert.equal(hub.calls('AcceptCall').length, 1);
});
