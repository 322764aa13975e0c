// Traces and logs as an operator's collector sees them: a server exporting OTLP over HTTP to a
// loopback stand-in of a collector, JSON logs. A call's hub commands and its ring timer are spans
// tagged with the call id; the log lines of a command carry the trace id of its span; no SDP, token, DTMF
// digits, custom parameters or end reason text reaches the logs.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { CallServerProcess } from './support/server.mjs';
import { pollUntil } from './support/poll.mjs';
import { answeredCall, nextEvent, plainConnection as connect } from './support/plain-hub.mjs';

const offer = 'v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\nc=IN IP4 0.0.0.0\r\na=mid:0\r\na=sendrecv\r\n';

/** A stand-in for an OpenTelemetry collector's OTLP/HTTP receiver: keeps each protobuf body by path. */
function startCollector() {
  const bodies = { '/v1/traces': [], '/v1/metrics': [], other: [] };
  const server = createServer((request, response) => {
    const chunks = [];
    request.on('data', (chunk) => chunks.push(chunk));
    request.on('end', () => {
      const body = Buffer.concat(chunks);
      const known = request.method === 'POST' && request.headers['content-type'] === 'application/x-protobuf' && bodies[request.url];
      (known ? bodies[request.url] : bodies.other).push(body);
      response.writeHead(known ? 200 : 400, { 'content-type': 'application/x-protobuf' });
      response.end();
    });
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ server, bodies, url: `http://127.0.0.1:${server.address().port}` })));
}

/** The JSON log lines (compact JSON) the server wrote so far. */
function logLines(server) {
  return server.log().split('\n').filter((line) => line.startsWith('{')).map((line) => JSON.parse(line));
}

describe('telemetry', () => {
  let collector;
  let server;
  let alice;
  let bob;

  before(async () => {
    collector = await startCollector();
    server = new CallServerProcess({
      logName: 'telemetry-server.log',
      env: {
        Logs__Format: 'json',
        OpenTelemetry__OtlpEndpoint: collector.url,
        OpenTelemetry__OtlpProtocol: 'http/protobuf',
        OTEL_BSP_SCHEDULE_DELAY: '200',
        OTEL_METRIC_EXPORT_INTERVAL: '500',
        Calls__RingTimeout: '00:00:02',
      },
    });
    await server.start();
    alice = await server.provisionUser('alice');
    bob = await server.provisionUser('bob');
  });

  after(async () => {
    await server.stop();
    server.saveLog();
    collector.server.close();
  });

  test('hub commands and timers are spans with the call id, exported over OTLP; log lines carry their trace id; no SDP or token in the logs', async () => {
    const a = connect(server, alice.token);
    const b = connect(server, bob.token);
    await a.start();
    await b.start();
    await b.invoke('GetActiveCalls'); // registered: see call-flow.test.mjs

    // An answered call, and one that rings out (its ring timer fires).
    const answered = { callId: await answeredCall(a, b, bob, offer) };
    // The app's own data during the call (issue 18): a PIN as DTMF, custom parameters, a quality sample, an end text.
    const dtmf = nextEvent(b, 'DtmfReceived', (id) => id === answered.callId);
    await a.invoke('SendDtmf', answered.callId, '8675309#');
    await dtmf;
    const parameters = nextEvent(b, 'CustomParametersReceived', (id) => id === answered.callId);
    await a.invoke('SendCustomParameters', answered.callId, { account: 'secret-account-4242' });
    await parameters;
    await a.invoke('ReportQuality', answered.callId, { rttMs: 12, jitterMs: 1, packetLossPercent: 0, mos: 4.4 });
    await a.invoke('EndCall', answered.callId, 'private-end-text-7788', { note: 'private-note-9911' });
    const unanswered = await a.invoke('CreateOutgoingCall', bob.username);
    const noAnswer = nextEvent(a, 'CallStatusChanged', (s) => s.callId === unanswered.callId && s.state === 'Ended');
    await a.invoke('EstablishCall', unanswered.callId, offer);
    const [ended] = await noAnswer;
    assert.equal(ended.endReason, 'NoAnswer');

    // The log line of EstablishCall's call creation carries a trace id ...
    const created = await pollUntil('the CallCreated log line', async () =>
      logLines(server).find((line) => line.EventId?.Name === 'CallCreated' && line.CallId === answered.callId), { deadlineMs: 10_000 });
    assert.match(created['@tr'] ?? '', /^[0-9a-f]{32}$/, JSON.stringify(created));
    const traceId = Buffer.from(created['@tr'], 'hex');

    // ... and the collector receives that trace, with hub spans and the timer span naming the calls.
    const traces = () => Buffer.concat(collector.bodies['/v1/traces']);
    await pollUntil('the spans reach the collector', async () => {
      const all = traces();
      return all.includes(traceId) && all.includes('hub EstablishCall') && all.includes('hub AcceptCall')
        && all.includes('timer Ring') && all.includes(answered.callId) && all.includes(unanswered.callId);
    }, { deadlineMs: 15_000, intervalMs: 100 });
    assert.ok(traces().includes('callserver.call_id'));
    await pollUntil('metrics reach the collector', async () => Buffer.concat(collector.bodies['/v1/metrics']).includes('callserver.operations'), { deadlineMs: 15_000, intervalMs: 100 });
    assert.equal(collector.bodies.other.length, 0, 'every OTLP request went to /v1/traces or /v1/metrics as protobuf');

    // Every request line and call line of the run: no SDP, no token, no query string.
    const log = server.log();
    assert.ok(!log.includes('a=mid:0'), 'no SDP in the logs');
    assert.ok(!log.includes(alice.token) && !log.includes(bob.token), 'no token in the logs');
    assert.ok(!log.includes('access_token'), 'no query string in the logs');
    for (const secret of ['8675309', 'secret-account-4242', 'private-end-text-7788', 'private-note-9911']) {
      assert.ok(!log.includes(secret), `the app's data (${secret}) is not in the logs`);
    }
    const requestLine = logLines(server).find((line) => line.RequestPath === '/api/v1/auth/token' && line.StatusCode === 200);
    assert.ok(requestLine, 'one line per HTTP request');
    assert.match(requestLine['@tr'] ?? '', /^[0-9a-f]{32}$/);

    await a.stop();
    await b.stop();
  });
});
