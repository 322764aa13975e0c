// Unit tests of the SDK's pure parts (no browser, no server): `node --test test/`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CallError, parseHubError, parseOperationError, toCallError } from '../src/errors.js';
import { summarizeStats } from '../src/stats.js';

test('a hub error is read after "HubException: "', () => {
  const error = parseHubError(new Error("An unexpected error occurred invoking 'HoldCall' on the server. HubException: OperationInProgress: HoldCall is still waiting for an answer (491 Request Pending)"));
  assert.ok(error instanceof CallError);
  assert.equal(error.code, 'OperationInProgress');
  assert.equal(error.message, 'HoldCall is still waiting for an answer (491 Request Pending)');
});

test('an invocation error without a code is Unexpected; a closed connection is ConnectionError', () => {
  assert.equal(parseHubError(new Error("An unexpected error occurred invoking 'X' on the server.")).code, 'Unexpected');
  assert.equal(parseHubError(new Error("Cannot send data if the connection is not in the 'Connected' State.")).code, 'ConnectionError');
});

test('an operation error ("Code: text") and browser errors', () => {
  assert.deepEqual(parseOperationError('Timeout: the other party did not answer in time').toJSON(),
    { code: 'Timeout', message: 'the other party did not answer in time' });
  assert.equal(parseOperationError(null).code, 'Unexpected');
  const denied = Object.assign(new Error('Permission denied'), { name: 'NotAllowedError' });
  assert.equal(toCallError(denied).code, 'MediaError');
});

test('stats are summed per kind and the selected pair is found', () => {
  const report = new Map([
    ['a', { id: 'a', type: 'inbound-rtp', kind: 'audio', bytesReceived: 100, packetsReceived: 2 }],
    ['v', { id: 'v', type: 'inbound-rtp', kind: 'video', bytesReceived: 1000, framesDecoded: 7, frameWidth: 640, frameHeight: 480 }],
    ['t', { id: 't', type: 'transport', selectedCandidatePairId: 'p' }],
    ['p', { id: 'p', type: 'candidate-pair', state: 'succeeded', localCandidateId: 'l', remoteCandidateId: 'r' }],
    ['l', { id: 'l', type: 'local-candidate', address: '127.0.0.1', port: 1, protocol: 'udp', candidateType: 'host' }],
    ['r', { id: 'r', type: 'remote-candidate', address: '127.0.0.1', port: 2, protocol: 'udp', candidateType: 'host' }],
  ]);
  const summary = summarizeStats(report);
  assert.equal(summary.audio.inbound.bytesReceived, 100);
  assert.equal(summary.video.inbound.framesDecoded, 7);
  assert.equal(summary.selectedCandidatePair.remote.port, 2);
});
