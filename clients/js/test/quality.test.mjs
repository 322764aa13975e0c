// Call quality (issue 18): the sample from two readings of the stats (rtt, jitter, loss from the deltas, the
// E-model MOS, bitrates), the 3-of-5 warnings, and the sampler of a connected call on a mocked clock:
// ReportQuality every interval, qualitySample and the warnings reported, nothing once the call ended.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Call } from '../src/call.js';
import { QualityWarnings, estimateMos, qualitySample, readQualityStats } from '../src/call/quality.js';
import { fakeService, recordingListener } from './support/fake-host.mjs';
import { answerTo, moveTo, snapshot } from './support/calls.mjs';

/** A stats report (a Map by id, as RTCStatsReport) of the given values. */
function report({ rtt = null, remoteRtt = null, jitter = null, lost = 0, received = 0, audioSent = 0, videoSent = 0, selected = true } = {}) {
  const stats = [
    { id: 'T1', type: 'transport', ...(selected ? { selectedCandidatePairId: 'CP1' } : {}) },
    { id: 'CP1', type: 'candidate-pair', state: 'succeeded', nominated: true, ...(rtt !== null ? { currentRoundTripTime: rtt } : {}) },
    { id: 'IA', type: 'inbound-rtp', kind: 'audio', packetsLost: lost, packetsReceived: received, ...(jitter !== null ? { jitter } : {}) },
    { id: 'IV', type: 'inbound-rtp', kind: 'video', packetsLost: 1000, packetsReceived: 1, jitter: 9 },
    { id: 'OA', type: 'outbound-rtp', kind: 'audio', bytesSent: audioSent },
    { id: 'OV', type: 'outbound-rtp', kind: 'video', bytesSent: videoSent },
    ...(remoteRtt !== null ? [{ id: 'RA', type: 'remote-inbound-rtp', kind: 'audio', roundTripTime: remoteRtt }] : []),
  ];
  return new Map(stats.map((s) => [s.id, s]));
}

// ---------------------------------------------------------------------------------------------
// The computation
// ---------------------------------------------------------------------------------------------

test('the MOS estimate follows the E-model formula, within 1..4.5', () => {
  const close = (actual, expected) => assert.ok(Math.abs(actual - expected) < 1e-6, `${actual} ≈ ${expected}`);
  // latency 10 ms: R = 93.2 − 10/40 = 92.95
  close(estimateMos(0, 0, 0), 1 + 0.035 * 92.95 + 0.000007 * 92.95 * 32.95 * 7.05);
  assert.equal(Math.round(estimateMos(0, 0, 0) * 100) / 100, 4.4);
  // latency 200 + 60 + 10 = 270 ms ≥ 160: R = 93.2 − (270 − 120)/10 = 78.2
  close(estimateMos(400, 30, 0), 1 + 0.035 * 78.2 + 0.000007 * 78.2 * 18.2 * 21.8);
  // latency 150 (< 160): /40; latency 160: (160 − 120)/10
  close(estimateMos(280, 0, 0), 1 + 0.035 * 89.45 + 0.000007 * 89.45 * 29.45 * 10.55);
  close(estimateMos(300, 0, 0), 1 + 0.035 * 89.2 + 0.000007 * 89.2 * 29.2 * 10.8);
  // loss 10 %: R = 92.95 − 25 = 67.95
  close(estimateMos(0, 0, 10), 1 + 0.035 * 67.95 + 0.000007 * 67.95 * 7.95 * 32.05);
  // R below 0 is 0: MOS 1
  assert.equal(estimateMos(0, 0, 50), 1);
  assert.equal(estimateMos(60000, 60000, 100), 1);
  for (const [rtt, jitter, loss] of [[0, 0, 0], [10, 1, 0], [1, 0, 0]]) assert.ok(estimateMos(rtt, jitter, loss) <= 4.5);
});

test('a sample: rtt from the selected pair (else remote-inbound-rtp), audio jitter, loss from the deltas, bitrates', () => {
  const first = readQualityStats(report({ rtt: 0.05, jitter: 0.004, lost: 10, received: 990, audioSent: 100_000, videoSent: 1_000_000 }), 10_000);
  const second = readQualityStats(report({ rtt: 0.12, jitter: 0.0125, lost: 30, received: 1_970, audioSent: 125_000, videoSent: 1_500_000 }), 15_000);
  const sample = qualitySample(first, second);
  assert.equal(sample.rttMs, 120);
  assert.equal(sample.jitterMs, 12.5);
  // 20 lost and 980 received since the last sample: 2 % (not the cumulative 30 / 2000).
  assert.equal(sample.packetLossPercent, 2);
  // 25 000 bytes of audio and 500 000 of video in 5 s.
  assert.equal(sample.audioBitrateKbps, 40);
  assert.equal(sample.videoBitrateKbps, 800);
  const latency = 120 / 2 + 2 * 12.5 + 10;
  const r = 93.2 - latency / 40 - 2.5 * 2;
  assert.equal(sample.mos, Math.round((1 + 0.035 * r + 0.000007 * r * (r - 60) * (100 - r)) * 100) / 100);

  // Without a selected pair's rtt: the remote-inbound-rtp's.
  assert.equal(readQualityStats(report({ remoteRtt: 0.2 }), 0).rttMs, 200);
  assert.equal(readQualityStats(report({ rtt: 0.03, remoteRtt: 0.2, selected: false }), 0).rttMs, 30, 'the nominated pair');
});

test('a sample without a previous reading: cumulative loss, no bitrates; nothing known yet: zeros', () => {
  const sample = qualitySample(null, readQualityStats(report({ lost: 5, received: 95, audioSent: 9999 }), 1000));
  assert.equal(sample.packetLossPercent, 5);
  assert.equal('audioBitrateKbps' in sample, false);
  assert.equal('videoBitrateKbps' in sample, false);
  const empty = qualitySample(null, readQualityStats(new Map(), 0));
  assert.deepEqual(empty, { rttMs: 0, jitterMs: 0, packetLossPercent: 0, mos: 4.4 });
  assert.deepEqual(qualitySample(null, readQualityStats(null, 0)), empty);
});

test('a sample is rounded and within the server\'s ranges; counters that went down (a new connection) count from 0', () => {
  const before = readQualityStats(report({ rtt: 90, jitter: 70, lost: 500, received: 500, audioSent: 1_000_000 }), 0);
  const after = readQualityStats(report({ rtt: 90, jitter: 70, lost: 0, received: 100, audioSent: 5_000 }), 2000);
  const sample = qualitySample(before, after);
  assert.equal(sample.rttMs, 60000);
  assert.equal(sample.jitterMs, 60000);
  assert.equal(sample.packetLossPercent, 0);
  assert.equal(sample.audioBitrateKbps, 20); // 5 000 bytes in 2 s, from 0
  assert.equal(sample.mos, 1);
  const odd = qualitySample(
    readQualityStats(report({ rtt: 0.0123456, lost: 0, received: 0 }), 0),
    readQualityStats(report({ rtt: 0.0123456, jitter: 0.00123456, lost: 1, received: 2 }), 3000));
  assert.equal(odd.rttMs, 12.3);
  assert.equal(odd.jitterMs, 1.2);
  assert.equal(odd.packetLossPercent, 33.33);
});

// ---------------------------------------------------------------------------------------------
// The warnings
// ---------------------------------------------------------------------------------------------

const good = { rttMs: 50, jitterMs: 5, packetLossPercent: 0, mos: 4.3 };

test('a warning is raised when 3 of the last 5 samples cross its threshold, cleared when fewer do', () => {
  const warnings = new QualityWarnings();
  const highRtt = { ...good, rttMs: 401 };
  const steps = [highRtt, good, highRtt, good, highRtt, good, good, highRtt, highRtt, good]
    .map((sample) => warnings.add(sample));
  assert.deepEqual(steps.map((s) => [...s.raised.map((n) => `+${n}`), ...s.cleared.map((n) => `-${n}`)]), [
    [], [], [], [],
    ['+high-rtt'], // samples 1..5: 1, 3, 5 cross
    ['-high-rtt'], // 2..6: 3, 5
    [], // 3..7: 3, 5
    [], // 4..8: 5, 8
    ['+high-rtt'], // 5..9: 5, 8, 9
    ['-high-rtt'], // 6..10: 8, 9
  ]);
});

test('the 3-of-5 window per warning, at the thresholds', () => {
  const warnings = new QualityWarnings();
  const crossings = [];
  const add = (sample) => {
    const { raised, cleared } = warnings.add(sample);
    crossings.push([...raised.map((n) => `+${n}`), ...cleared.map((n) => `-${n}`)]);
  };
  // At the threshold is not over it.
  for (let i = 0; i < 5; i++) add({ rttMs: 400, jitterMs: 30, packetLossPercent: 3, mos: 3.5 });
  assert.deepEqual(warnings.active, []);
  // Three bad samples in a row raise every warning on the third.
  const bad = { rttMs: 401, jitterMs: 30.1, packetLossPercent: 3.01, mos: 3.49 };
  add(bad); add(bad); add(bad);
  assert.deepEqual(crossings.slice(5), [[], [], ['+high-rtt', '+high-jitter', '+high-packet-loss', '+low-mos']]);
  assert.deepEqual(warnings.active, ['high-rtt', 'high-jitter', 'high-packet-loss', 'low-mos']);
  // Good samples: the window holds 3 bad ones for two more samples, then only 2.
  add(good); add(good);
  assert.deepEqual(warnings.active.length, 4);
  add(good);
  assert.deepEqual(crossings.at(-1), ['-high-rtt', '-high-jitter', '-high-packet-loss', '-low-mos']);
  assert.deepEqual(warnings.active, []);
  // One kind alone.
  const lossy = { ...good, packetLossPercent: 10 };
  add(lossy); add(good); add(lossy); add(good); add(lossy);
  assert.deepEqual(crossings.at(-1), ['+high-packet-loss']);
  assert.deepEqual(warnings.active, ['high-packet-loss']);
});

// ---------------------------------------------------------------------------------------------
// The sampler of a call, on a mocked clock
// ---------------------------------------------------------------------------------------------

/** A caller's call with quality sampling every `qualityIntervalMs`, in InCall, its stats scripted. */
async function sampledCall(qualityIntervalMs = 5000) {
  const events = recordingListener();
  const service = fakeService({ listener: events.listener, qualityIntervalMs });
  const call = new Call(service, snapshot());
  assert.equal(await call.establishCall(false), true);
  const pc = call.getPeerConnection();
  let next = report();
  pc.getStats = async () => next;
  return {
    call, events, hub: service.hub, service, pc,
    /** The stats the next getStats() returns. */
    stats(values) { next = report(values); },
    async connect() {
      moveTo(call, 'InCall');
      await call._onRemoteDescription('answer', answerTo(service.hub.calls('EstablishCall')[0][1]));
    },
  };
}

/** Lets the sampler's getStats() and what follows run (promise callbacks only, no time passes). */
async function settle() {
  for (let i = 0; i < 10; i++) await Promise.resolve();
}

test('a connected call reports a sample every interval with ReportQuality, and tells its listener', async (t) => {
  t.mock.timers.enable({ apis: ['setInterval', 'Date'], now: 1_000_000 });
  const parts = await sampledCall();
  const { call, hub, events } = parts;
  parts.stats({ rtt: 0.05, jitter: 0.002, lost: 0, received: 100, audioSent: 10_000 });
  t.mock.timers.tick(5000);
  await settle();
  assert.deepEqual(hub.calls('ReportQuality'), [], 'not sampled before the call is connected');

  await parts.connect(); // InCall: the baseline reading
  await settle();
  parts.stats({ rtt: 0.08, jitter: 0.004, lost: 5, received: 195, audioSent: 30_000 });
  t.mock.timers.tick(5000);
  const [callId, sample] = await hub.invoked('ReportQuality');
  assert.equal(callId, 'call-1');
  assert.deepEqual(
    { ...sample, mos: undefined },
    { rttMs: 80, jitterMs: 4, packetLossPercent: 5, mos: undefined, audioBitrateKbps: 32, videoBitrateKbps: 0 });
  assert.equal(sample.mos, Math.round(estimateMos(80, 4, 5) * 100) / 100);
  assert.deepEqual(events.args('qualitySample'), [sample]);

  // On hold, sampling goes on.
  moveTo(call, 'OnHold', { localHold: true });
  t.mock.timers.tick(5000);
  await hub.invoked('ReportQuality', 2);

  // Ended: no more samples.
  moveTo(call, 'Ended', { endReason: 'EndedLocally' });
  t.mock.timers.tick(20_000);
  await settle();
  assert.equal(hub.calls('ReportQuality').length, 2);
});

test('quality warnings come from the samples: raised on the third bad one of five, cleared later', async (t) => {
  t.mock.timers.enable({ apis: ['setInterval', 'Date'], now: 0 });
  const parts = await sampledCall(2000);
  const { call, hub, events } = parts;
  await parts.connect();
  await settle();
  let received = 0;
  const sampleWith = async (values) => {
    received += 100;
    parts.stats({ received, ...values });
    t.mock.timers.tick(2000);
    await settle();
  };
  await sampleWith({ rtt: 0.5 });
  await sampleWith({ rtt: 0.5 });
  assert.deepEqual(call.getQualityWarnings(), []);
  await sampleWith({ rtt: 0.5 });
  assert.deepEqual(events.events.filter((e) => e.name === 'qualityWarning').map((e) => e.args[0]), ['high-rtt']);
  assert.deepEqual(call.getQualityWarnings(), ['high-rtt']);
  await sampleWith({ rtt: 0.05 });
  await sampleWith({ rtt: 0.05 });
  await sampleWith({ rtt: 0.05 });
  assert.deepEqual(events.events.filter((e) => e.name === 'qualityWarningCleared').map((e) => e.args[0]), ['high-rtt']);
  assert.deepEqual(call.getQualityWarnings(), []);
  assert.equal(hub.calls('ReportQuality').length, 6);
  call._dispose();
});

test('a refused ReportQuality or a failing getStats is only logged; the call goes on', async (t) => {
  t.mock.timers.enable({ apis: ['setInterval', 'Date'], now: 0 });
  const parts = await sampledCall(1000);
  const { call, hub, service, pc, events } = parts;
  await parts.connect();
  await settle();
  hub.reply('ReportQuality', () => { throw new Error('HubException: RateLimited: one sample per second'); });
  t.mock.timers.tick(1000);
  await settle();
  assert.equal(hub.calls('ReportQuality').length, 1);
  assert.ok(service.logs.some((l) => /ReportQuality: RateLimited/.test(l.message)));

  pc.getStats = async () => { throw new Error('stats unavailable'); };
  t.mock.timers.tick(1000);
  await settle();
  assert.equal(hub.calls('ReportQuality').length, 1);
  assert.ok(service.logs.some((l) => /getStats failed: stats unavailable/.test(l.message)));
  assert.equal(call.getState(), 'InCall');
  assert.equal(events.names.some((n) => /Failed$/.test(n)), false);
  call._dispose();
});

test('qualityIntervalMs 0 samples nothing; the service\'s default is 5000 ms', async (t) => {
  t.mock.timers.enable({ apis: ['setInterval', 'Date'], now: 0 });
  const parts = await sampledCall(0);
  await parts.connect();
  t.mock.timers.tick(60_000);
  await settle();
  assert.deepEqual(parts.hub.calls('ReportQuality'), []);
  parts.call._dispose();

  const { CallService } = await import('../src/call-service.js');
  assert.equal(new CallService({ baseUrl: 'http://x', accessToken: 't' })._qualityIntervalMs(), 5000);
  assert.equal(new CallService({ baseUrl: 'http://x', accessToken: 't', qualityIntervalMs: 0 })._qualityIntervalMs(), 0);
  assert.equal(new CallService({ baseUrl: 'http://x', accessToken: 't', qualityIntervalMs: 2500 })._qualityIntervalMs(), 2500);
});
