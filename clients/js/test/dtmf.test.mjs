// DTMF (issue 18): sendDTMF plays RFC 4733 tones on the audio sender's RTCDTMFSender when it can, and
// always tells the server (SendDtmf); tones played are reported (dtmfToneSent), the other party's digits too
// (DtmfReceived → dtmfReceived).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connectOverFakeHub } from './support/fake-connection.mjs';
import { fakeGetUserMedia } from './support/fake-webrtc.mjs';
import { inCall, moveTo, newCall, offer, snapshot } from './support/calls.mjs';

const quiet = { info() {}, warn() {}, error() {}, log() {} };

test('sendDTMF inserts the tones on the RTCDTMFSender and invokes SendDtmf(callId, digits)', async () => {
  const { call, hub, events, pc } = await inCall();
  const dtmf = call.getDtmfSender();
  assert.ok(dtmf, 'the audio sender has an RTCDTMFSender');
  assert.equal(dtmf, pc.getTransceivers().find((tx) => tx.kind === 'audio').sender.dtmf);

  assert.equal(await call.sendDTMF('12#'), true);
  assert.deepEqual(dtmf.inserted, [['12#']]);
  assert.deepEqual(hub.calls('SendDtmf'), [['call-1', '12#']]);
  assert.ok(events.names.includes('sendDTMFSucceeded'));

  for (const tone of ['1', '2', '#', '']) dtmf.playTone(tone); // played out before the next key
  assert.equal(await call.sendDTMF('*', { duration: 200, interToneGap: 80 }), true);
  assert.deepEqual(dtmf.inserted[1], ['*', 200, 80]);
  dtmf.playTone('*');
  assert.equal(await call.sendDTMF('9', { duration: 150 }), true);
  assert.deepEqual(dtmf.inserted[2], ['9', 150]);
});

test('keys pressed while tones are still queued add to the queue: insertDTMF would otherwise drop them', async () => {
  const { call, hub } = await inCall();
  const dtmf = call.getDtmfSender();
  await call.sendDTMF('1');
  dtmf.playTone('1'); // playing: nothing queued
  await call.sendDTMF('5');
  await call.sendDTMF('#'); // '5' not played yet
  assert.deepEqual(dtmf.inserted.map((args) => args[0]), ['1', '5', '5#']);
  assert.equal(dtmf.toneBuffer, '5#');
  assert.deepEqual(hub.calls('SendDtmf').map((args) => args[1]), ['1', '5', '#'], 'the server is told each key once');
});

test('each tone the browser plays is reported once as dtmfToneSent; the final empty tone is not', async () => {
  const { call, events } = await inCall();
  await call.sendDTMF('1#');
  await call.sendDTMF('2'); // the tonechange listener is added once per RTCDTMFSender
  const dtmf = call.getDtmfSender();
  dtmf.playTone('1');
  dtmf.playTone('#');
  dtmf.playTone('2');
  dtmf.playTone('');
  assert.deepEqual(events.events.filter((e) => e.name === 'dtmfToneSent').map((e) => e.args[0]), ['1', '#', '2']);
});

test('without an RTCDTMFSender that can insert, SendDtmf is invoked all the same', async () => {
  const { call, hub, pc } = await inCall();
  const sender = pc.getTransceivers().find((tx) => tx.kind === 'audio').sender;
  sender.dtmf.canInsertDTMF = false;
  assert.equal(await call.sendDTMF('5'), true);
  assert.deepEqual(sender.dtmf.inserted, []);

  sender.dtmf = null; // a browser without RTCDTMFSender
  assert.equal(call.getDtmfSender(), null);
  assert.equal(await call.sendDTMF('6'), true);

  sender.dtmf = { canInsertDTMF: true, addEventListener() {}, insertDTMF() { throw Object.assign(new Error('no'), { name: 'InvalidStateError' }); } };
  assert.equal(await call.sendDTMF('7'), true);
  assert.deepEqual(hub.calls('SendDtmf').map((args) => args[1]), ['5', '6', '7']);
});

test('sendDTMF checks the digits and the state; the server\'s refusal is reported', async () => {
  const { call, hub, events } = await inCall();
  for (const wrong of ['', 'E', '1 2', '1'.repeat(65)]) assert.equal(await call.sendDTMF(wrong), false);
  moveTo(call, 'OnHold', { localHold: true });
  assert.equal(await call.sendDTMF('1'), false);
  moveTo(call, 'InCall', { localHold: false });
  hub.reply('SendDtmf', () => { throw new Error('HubException: RateLimited: too many DTMF messages'); });
  assert.equal(await call.sendDTMF('1'), false);
  assert.deepEqual(events.events.filter((e) => e.name === 'sendDTMFFailed').map((e) => e.args[0].code),
    ['InvalidArgument', 'InvalidArgument', 'InvalidArgument', 'InvalidArgument', 'InvalidState', 'RateLimited']);
  assert.deepEqual(call.getDtmfSender().inserted, [['1']], 'only the digits the server was asked to take');
  assert.equal(hub.calls('SendDtmf').length, 1);

  const ringing = newCall({ side: 'callee' });
  assert.equal(ringing.call.getDtmfSender(), null);
  assert.equal(await ringing.call.sendDTMF('1'), false);
  assert.deepEqual(ringing.hub.invocations, []);
});

test('DtmfReceived goes to its call as dtmfReceived(call, digits)', async () => {
  const received = [];
  const { hub } = await connectOverFakeHub({
    baseUrl: 'http://callserver.test', accessToken: 'token', logger: quiet, iceServers: [], getUserMedia: fakeGetUserMedia(),
    qualityIntervalMs: 0,
    listener: { dtmfReceived(call, digits) { received.push([call.getId(), digits]); } },
  });
  hub.receive('IncomingCall', snapshot({ callId: 'call-5', direction: 'incoming', state: 'Ringing' }), offer());
  hub.receive('DtmfReceived', 'call-5', '123#');
  hub.receive('DtmfReceived', 'not-here', '9');
  assert.deepEqual(received, [['call-5', '123#']]);
});
