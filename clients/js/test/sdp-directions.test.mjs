// The SDP direction logic on its own (src/call/sdp-directions.js): no connection, no call.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  OfferKind, acceptDirections, answerDirections, answerSendsVideo, direction, establishDirections, intentAfter,
  offerDirections, offersActiveVideo, operationOfferDirections, sdpDirections, sentMedia,
} from '../src/call/sdp-directions.js';

const intent = (localHold, remoteHold, sendingVideo) => ({ localHold, remoteHold, sendingVideo });

test('direction() names the four send/receive combinations', () => {
  assert.equal(direction(true, true), 'sendrecv');
  assert.equal(direction(true, false), 'sendonly');
  assert.equal(direction(false, true), 'recvonly');
  assert.equal(direction(false, false), 'inactive');
});

test('sdpDirections reads each m-section with its port; a section without an attribute has the session-level one', () => {
  const text = [
    'v=0', 'o=- 1 1 IN IP4 127.0.0.1', 's=-', 't=0 0', 'a=sendonly',
    'm=audio 9 UDP/TLS/RTP/SAVPF 111', 'a=mid:0',
    'm=video 0 UDP/TLS/RTP/SAVPF 96', 'a=mid:1', 'a=inactive',
    'm=video 9 UDP/TLS/RTP/SAVPF 96', 'a=recvonly', '',
  ].join('\r\n');
  assert.deepEqual(sdpDirections(text), [
    { kind: 'audio', port: 9, direction: 'sendonly' },
    { kind: 'video', port: 0, direction: 'inactive' },
    { kind: 'video', port: 9, direction: 'recvonly' },
  ]);
  assert.deepEqual(sdpDirections(null), []);
});

test('an offer has active video only with a video m-line that has a port and is not inactive', () => {
  const m = (video) => `v=0\r\nm=audio 9 RTP 111\r\na=sendrecv\r\n${video}`;
  assert.equal(offersActiveVideo(m('m=video 9 RTP 96\r\na=sendrecv\r\n')), true);
  assert.equal(offersActiveVideo(m('m=video 9 RTP 96\r\na=sendonly\r\n')), true);
  assert.equal(offersActiveVideo(m('m=video 9 RTP 96\r\na=inactive\r\n')), false);
  assert.equal(offersActiveVideo(m('m=video 0 RTP 96\r\na=sendrecv\r\n')), false);
  assert.equal(offersActiveVideo(m('')), false);
  assert.equal(offersActiveVideo(null), false);
});

test('an answer sends video only when its video m-line has a port and a send direction', () => {
  const m = (video) => `v=0\r\nm=audio 9 RTP 111\r\na=sendrecv\r\n${video}`;
  assert.equal(answerSendsVideo(m('m=video 9 RTP 96\r\na=sendrecv\r\n')), true);
  assert.equal(answerSendsVideo(m('m=video 9 RTP 96\r\na=sendonly\r\n')), true);
  assert.equal(answerSendsVideo(m('m=video 9 RTP 96\r\na=recvonly\r\n')), false);
  assert.equal(answerSendsVideo(m('m=video 0 RTP 96\r\na=sendrecv\r\n')), false);
  assert.equal(answerSendsVideo(m('')), false);
});

test('the three first offers: video, audio + inactive video, audio only', () => {
  assert.deepEqual(establishDirections(OfferKind.Video), { audio: 'sendrecv', video: 'sendrecv', sendVideo: true });
  assert.deepEqual(establishDirections(OfferKind.AudioWithInactiveVideo), { audio: 'sendrecv', video: 'inactive', sendVideo: false });
  assert.deepEqual(establishDirections(OfferKind.Audio), { audio: 'sendrecv', video: null, sendVideo: false });
});

test('accepting: audio both ways, video both ways when sending it, else received only', () => {
  assert.deepEqual(acceptDirections(true), { audio: 'sendrecv', video: 'sendrecv' });
  assert.deepEqual(acceptDirections(false), { audio: 'sendrecv', video: 'recvonly' });
});

test('hold offers audio sendonly, and inactive when the other side holds too (double hold)', () => {
  assert.deepEqual(operationOfferDirections('HoldCall', intent(false, false, false)), { audio: 'sendonly', video: 'inactive' });
  assert.deepEqual(operationOfferDirections('HoldCall', intent(false, true, false)), { audio: 'inactive', video: 'inactive' });
  // Video that is being sent keeps being offered, but nothing is received while holding.
  assert.deepEqual(operationOfferDirections('HoldCall', intent(false, false, true)), { audio: 'sendonly', video: 'sendonly' });
  assert.deepEqual(operationOfferDirections('HoldCall', intent(false, true, true)), { audio: 'inactive', video: 'sendonly' });
});

test('unhold offers audio sendrecv, also while the other side still holds', () => {
  assert.deepEqual(operationOfferDirections('UnholdCall', intent(true, false, false)), { audio: 'sendrecv', video: 'recvonly' });
  assert.deepEqual(operationOfferDirections('UnholdCall', intent(true, true, false)), { audio: 'sendrecv', video: 'recvonly' });
  assert.deepEqual(operationOfferDirections('UnholdCall', intent(true, true, true)), { audio: 'sendrecv', video: 'sendrecv' });
});

test('video start offers video sendrecv (sendonly while holding); video stop offers recvonly (inactive while holding)', () => {
  assert.deepEqual(operationOfferDirections('VideoStart', intent(false, false, false)), { audio: 'sendrecv', video: 'sendrecv' });
  assert.deepEqual(operationOfferDirections('VideoStart', intent(true, false, false)), { audio: 'sendonly', video: 'sendonly' });
  assert.deepEqual(operationOfferDirections('VideoStop', intent(false, false, true)), { audio: 'sendrecv', video: 'recvonly' });
  assert.deepEqual(operationOfferDirections('VideoStop', intent(true, true, true)), { audio: 'inactive', video: 'inactive' });
  assert.deepEqual(offerDirections({ localHold: false, sendingVideo: false }), { audio: 'sendrecv', video: 'recvonly' });
});

test('the answer to the other party\'s offer: audio always offered to be sent, nothing received while this side holds', () => {
  assert.deepEqual(answerDirections(intent(false, true, false)), { audio: 'sendrecv', video: 'recvonly' });
  assert.deepEqual(answerDirections(intent(false, false, true)), { audio: 'sendrecv', video: 'sendrecv' });
  assert.deepEqual(answerDirections(intent(true, false, false)), { audio: 'sendonly', video: 'inactive' });
  assert.deepEqual(answerDirections(intent(true, true, true)), { audio: 'sendonly', video: 'sendonly' });
});

test('while holding nothing is sent; otherwise the microphone, and the camera when sending video', () => {
  assert.deepEqual(sentMedia(intent(false, false, true)), { audio: true, video: true });
  assert.deepEqual(sentMedia(intent(false, true, false)), { audio: true, video: false });
  assert.deepEqual(sentMedia(intent(true, false, true)), { audio: false, video: false });
});

test('each operation changes only its own flag; an unknown one is refused', () => {
  const before = intent(false, true, true);
  assert.deepEqual(intentAfter('HoldCall', before), intent(true, true, true));
  assert.deepEqual(intentAfter('UnholdCall', intent(true, false, true)), intent(false, false, true));
  assert.deepEqual(intentAfter('VideoStart', intent(true, false, false)), intent(true, false, true));
  assert.deepEqual(intentAfter('VideoStop', before), intent(false, true, false));
  assert.throws(() => intentAfter('Mute', before), TypeError);
});
