// Trickle ICE: remote candidates wait for the remote description, local ones for the offer or answer
// to be on the server; both keep their order.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { answerTo, inCall, moveTo, newCall } from './support/calls.mjs';
import { FakeHub } from './support/fake-host.mjs';
import { FakePeerConnection } from './support/fake-webrtc.mjs';

const candidate = (n) => ({ candidate: `candidate:${n} 1 udp 2122260223 127.0.0.1 ${50000 + n} typ host`, sdpMid: '0', sdpMLineIndex: 0 });

test('the caller keeps remote candidates that come before the answer and adds them after it, in order', async () => {
  const { call, hub } = newCall();
  assert.equal(await call.establishCall(false), true);
  const pc = call.getPeerConnection();
  call._onRemoteCandidate(candidate(1));
  call._onRemoteCandidate(candidate(2));
  call._onRemoteCandidate(candidate(3));
  assert.deepEqual(pc.steps.filter((s) => s === 'addIceCandidate'), []);
  moveTo(call, 'InCall');
  await call._onRemoteDescription('answer', answerTo(hub.calls('EstablishCall')[0][1]));
  assert.deepEqual(pc.candidates, [candidate(1), candidate(2), candidate(3)]);
  assert.deepEqual(pc.steps.slice(-4), ['setRemoteDescription:answer', 'addIceCandidate', 'addIceCandidate', 'addIceCandidate']);
  // Once the remote description is there, a candidate is added at once.
  call._onRemoteCandidate(candidate(4));
  assert.deepEqual(pc.candidates.at(-1), candidate(4));
});

test('the callee keeps the candidates that come while it rings and adds them once it accepted, in order', async () => {
  const { call } = newCall({ side: 'callee' });
  call._onRemoteCandidate(candidate(1));
  call._onRemoteCandidate(candidate(2));
  assert.equal(await call.acceptCall(false), true);
  const pc = call.getPeerConnection();
  assert.deepEqual(pc.candidates, [candidate(1), candidate(2)]);
  assert.equal(pc.steps.indexOf('setRemoteDescription:offer') < pc.steps.indexOf('addIceCandidate'), true);
});

test('the application\'s filter drops remote and local candidates', async () => {
  const filtered = [];
  const hub = new FakeHub();
  const { call, service } = newCall({ hub });
  service._acceptCandidate = (c, direction) => {
    filtered.push(direction);
    return !c.candidate.includes('candidate:2 ');
  };
  call._onRemoteCandidate(candidate(1));
  call._onRemoteCandidate(candidate(2));
  assert.equal(await call.establishCall(false), true);
  const pc = call.getPeerConnection();
  pc.gather(candidate(2));
  pc.gather(candidate(3));
  moveTo(call, 'InCall');
  await call._onRemoteDescription('answer', answerTo(hub.calls('EstablishCall')[0][1]));
  assert.deepEqual(pc.candidates, [candidate(1)]);
  assert.deepEqual(hub.calls('SendIceCandidate'), [['call-1', candidate(3)]]);
  assert.deepEqual(filtered, ['remote', 'remote', 'local', 'local']);
});

test('local candidates gathered before EstablishCall returned are sent after it, in order; the end of gathering is not', async () => {
  const hub = new FakeHub();
  const { call } = newCall({ hub });
  let pc;
  hub.reply('EstablishCall', () => {
    pc = FakePeerConnection.created.at(-1); // the call's, created for this offer
    pc.gather(candidate(1));
    pc.gather(candidate(2));
    assert.deepEqual(hub.calls('SendIceCandidate'), []); // not yet: the offer is not on the server
  });
  assert.equal(await call.establishCall(false), true);
  assert.deepEqual(hub.calls('SendIceCandidate'), [['call-1', candidate(1)], ['call-1', candidate(2)]]);
  pc.gather(candidate(3));
  pc.gather(null);
  assert.deepEqual(hub.calls('SendIceCandidate').map(([, c]) => c), [candidate(1), candidate(2), candidate(3)]);
});

test('a candidate whose addIceCandidate fails is logged, and the next ones are still added', async () => {
  const { call, pc, service } = await inCall();
  const warned = new Promise((resolve) => { service._log = (level, message) => resolve({ level, message }); });
  pc.failNext('addIceCandidate');
  call._onRemoteCandidate(candidate(1));
  call._onRemoteCandidate(candidate(2));
  const { level, message } = await warned;
  assert.equal(level, 'warn');
  assert.match(message, /^addIceCandidate: OperationError/);
  assert.deepEqual(pc.candidates, [candidate(2)]);
});

test('after the call ended, candidates are neither added nor sent', async () => {
  const { call, hub, pc } = await inCall();
  moveTo(call, 'Ended', { endReason: 'EndedRemotely' });
  call._onRemoteCandidate(candidate(1));
  pc.gather(candidate(2));
  assert.deepEqual(pc.candidates, []);
  assert.deepEqual(hub.calls('SendIceCandidate'), []);
});
