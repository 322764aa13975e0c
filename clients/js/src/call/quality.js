// Call quality: a sample (round-trip time, jitter, packet loss, an E-model MOS estimate, bitrates) from two
// readings of the RTCPeerConnection's stats, the warnings raised when 3 of the last 5 samples cross a
// threshold, and the sampler that reads the stats every few seconds while the call is connected. The
// computations are pure; only QualitySampler has a timer.

/**
 * What one reading of the stats gives: counters (summed over the streams of a kind) and the current values.
 * @typedef {object} QualityReading
 * @property {number} at when it was read (ms)
 * @property {number | null} rttMs the selected candidate pair's currentRoundTripTime, else remote-inbound-rtp roundTripTime
 * @property {number | null} jitterMs inbound audio jitter
 * @property {number} packetsLost inbound audio
 * @property {number} packetsReceived inbound audio
 * @property {number} audioBytesSent outbound audio
 * @property {number} videoBytesSent outbound video
 */

/** @typedef {import('../../index.js').QualitySample} QualitySample */
/** @typedef {import('../../index.js').QualityWarningName} QualityWarningName */

/** The server's ranges of ReportQuality's fields. */
export const QUALITY_RANGES = Object.freeze({
  rttMs: [0, 60000],
  jitterMs: [0, 60000],
  packetLossPercent: [0, 100],
  mos: [1, 5],
  audioBitrateKbps: [0, 100000],
  videoBitrateKbps: [0, 100000],
});

/** The warnings and when a sample crosses their threshold. */
export const QUALITY_THRESHOLDS = Object.freeze({
  'high-rtt': (/** @type {QualitySample} */ s) => s.rttMs > 400,
  'high-jitter': (/** @type {QualitySample} */ s) => s.jitterMs > 30,
  'high-packet-loss': (/** @type {QualitySample} */ s) => s.packetLossPercent > 3,
  'low-mos': (/** @type {QualitySample} */ s) => s.mos < 3.5,
});

/** A warning is raised when this many … */
export const WARNING_RAISE_COUNT = 3;
/** … of the last this many samples cross its threshold, and cleared when fewer do. */
export const WARNING_WINDOW = 5;

/** The default time between two samples (ms). */
export const DEFAULT_QUALITY_INTERVAL_MS = 5000;
/** The server takes at most one sample per second from each party. */
export const MIN_QUALITY_INTERVAL_MS = 1000;

function clamp(value, min, max) {
  return Math.min(max, Math.max(min, value));
}

function round(value, decimals) {
  const factor = 10 ** decimals;
  return Math.round(value * factor) / factor;
}

function finite(value) {
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

/**
 * Reads what a sample needs from an RTCStatsReport (or a Map of stats by id).
 * @param {RTCStatsReport | Map<string, any> | null | undefined} report
 * @param {number} at when it was read (ms)
 * @returns {QualityReading}
 */
export function readQualityStats(report, at) {
  /** @type {QualityReading} */
  const reading = { at, rttMs: null, jitterMs: null, packetsLost: 0, packetsReceived: 0, audioBytesSent: 0, videoBytesSent: 0 };
  if (!report) return reading;
  /** @type {Map<string, any>} */
  const all = new Map();
  report.forEach((stat) => all.set(stat.id, stat));
  let pairId = null;
  let remoteRtt = null;
  for (const stat of all.values()) {
    const kind = stat.kind ?? stat.mediaType;
    if (stat.type === 'transport' && stat.selectedCandidatePairId) pairId = stat.selectedCandidatePairId;
    if (stat.type === 'inbound-rtp' && kind === 'audio') {
      reading.packetsLost += finite(stat.packetsLost) ?? 0;
      reading.packetsReceived += finite(stat.packetsReceived) ?? 0;
      const jitter = finite(stat.jitter);
      if (jitter !== null) reading.jitterMs = Math.max(reading.jitterMs ?? 0, jitter * 1000);
    } else if (stat.type === 'outbound-rtp') {
      if (kind === 'audio') reading.audioBytesSent += finite(stat.bytesSent) ?? 0;
      if (kind === 'video') reading.videoBytesSent += finite(stat.bytesSent) ?? 0;
    } else if (stat.type === 'remote-inbound-rtp') {
      const rtt = finite(stat.roundTripTime);
      // Audio's if there is one, else any.
      if (rtt !== null && (remoteRtt === null || kind === 'audio')) remoteRtt = rtt * 1000;
    }
  }
  const pair = pairId ? all.get(pairId)
    : [...all.values()].find((s) => s.type === 'candidate-pair' && s.nominated && s.state === 'succeeded');
  const pairRtt = finite(pair?.currentRoundTripTime);
  reading.rttMs = pairRtt !== null ? pairRtt * 1000 : remoteRtt;
  return reading;
}

/**
 * The E-model's MOS estimate: effective latency = rtt/2 + 2·jitter + 10 ms; R = 93.2 − (latency < 160 ?
 * latency/40 : (latency − 120)/10) − 2.5·loss%, within 0..100; MOS = 1 + 0.035R + 0.000007R(R − 60)(100 − R),
 * within 1..4.5. Not rounded.
 * @param {number} rttMs
 * @param {number} jitterMs
 * @param {number} packetLossPercent
 * @returns {number}
 */
export function estimateMos(rttMs, jitterMs, packetLossPercent) {
  const latency = rttMs / 2 + 2 * jitterMs + 10;
  const delay = latency < 160 ? latency / 40 : (latency - 120) / 10;
  const r = clamp(93.2 - delay - 2.5 * packetLossPercent, 0, 100);
  const mos = 1 + 0.035 * r + 0.000007 * r * (r - 60) * (100 - r);
  return clamp(mos, 1, 4.5);
}

/** A counter's growth; a counter that went down (a new connection, after a pull) counts from 0. */
function growth(previous, current) {
  const delta = current - previous;
  return delta >= 0 ? delta : current;
}

/**
 * The sample between two readings (`previous` null: since the connection started, without bitrates).
 * rttMs and jitterMs in ms (0 when the stats have none yet), packetLossPercent from the inbound audio
 * packets lost and received since `previous`, mos the E-model estimate, audioBitrateKbps and
 * videoBitrateKbps from the outbound bytes sent since `previous`. Rounded (0.1 ms, 0.01 %, 0.01 MOS,
 * 0.1 kbit/s) and within the server's ranges.
 * @param {QualityReading | null} previous
 * @param {QualityReading} current
 * @returns {QualitySample}
 */
export function qualitySample(previous, current) {
  const rttMs = clamp(current.rttMs ?? 0, ...QUALITY_RANGES.rttMs);
  const jitterMs = clamp(current.jitterMs ?? 0, ...QUALITY_RANGES.jitterMs);
  const lost = Math.max(0, previous ? growth(previous.packetsLost, current.packetsLost) : current.packetsLost);
  const received = Math.max(0, previous ? growth(previous.packetsReceived, current.packetsReceived) : current.packetsReceived);
  const packetLossPercent = lost + received > 0 ? clamp((100 * lost) / (lost + received), ...QUALITY_RANGES.packetLossPercent) : 0;
  /** @type {QualitySample} */
  const sample = {
    rttMs: round(rttMs, 1),
    jitterMs: round(jitterMs, 1),
    packetLossPercent: round(packetLossPercent, 2),
    mos: round(clamp(estimateMos(rttMs, jitterMs, packetLossPercent), ...QUALITY_RANGES.mos), 2),
  };
  const seconds = previous ? (current.at - previous.at) / 1000 : 0;
  if (seconds > 0) {
    const kbps = (bytes) => round(clamp((bytes * 8) / seconds / 1000, ...QUALITY_RANGES.audioBitrateKbps), 1);
    sample.audioBitrateKbps = kbps(growth(previous.audioBytesSent, current.audioBytesSent));
    sample.videoBitrateKbps = kbps(growth(previous.videoBytesSent, current.videoBytesSent));
  }
  return sample;
}

/**
 * The warnings of one call: each is raised when 3 of the last 5 samples cross its threshold, and cleared
 * when fewer than 3 of the last 5 do.
 */
export class QualityWarnings {
  /** @type {Record<string, boolean>[]} the last samples' crossings, oldest first */ #window = [];
  /** @type {Set<QualityWarningName>} */ #active = new Set();

  /** The warnings raised and not cleared, in the order of QUALITY_THRESHOLDS. */
  get active() {
    return /** @type {QualityWarningName[]} */ (Object.keys(QUALITY_THRESHOLDS)).filter((name) => this.#active.has(name));
  }

  /**
   * Takes the next sample.
   * @param {QualitySample} sample
   * @returns {{ raised: QualityWarningName[], cleared: QualityWarningName[] }} what changed
   */
  add(sample) {
    const crossed = {};
    for (const [name, crosses] of Object.entries(QUALITY_THRESHOLDS)) crossed[name] = crosses(sample);
    this.#window.push(crossed);
    if (this.#window.length > WARNING_WINDOW) this.#window.shift();
    /** @type {QualityWarningName[]} */ const raised = [];
    /** @type {QualityWarningName[]} */ const cleared = [];
    for (const name of /** @type {QualityWarningName[]} */ (Object.keys(QUALITY_THRESHOLDS))) {
      const count = this.#window.filter((c) => c[name]).length;
      if (count >= WARNING_RAISE_COUNT && !this.#active.has(name)) {
        this.#active.add(name);
        raised.push(name);
      } else if (count < WARNING_RAISE_COUNT && this.#active.has(name)) {
        this.#active.delete(name);
        cleared.push(name);
      }
    }
    return { raised, cleared };
  }
}

/**
 * Samples a call's quality every `intervalMs` while it is started: reads the stats, computes the sample
 * against the previous reading, hands it over (`sampled`). The first reading, when it starts, is only the
 * baseline. A reading that fails or is still running when the next one is due is skipped.
 */
export class QualitySampler {
  #host;
  /** @type {ReturnType<typeof setInterval> | null} */ #timer = null;
  /** @type {QualityReading | null} */ #previous = null;
  #reading = false;

  /**
   * @param {object} host
   * @param {number} host.intervalMs 0: never samples; else at least MIN_QUALITY_INTERVAL_MS
   * @param {() => Promise<RTCStatsReport | null> | RTCStatsReport | null} host.getStats null: no connection now (skipped)
   * @param {(sample: QualitySample) => void} host.sampled
   * @param {() => number} [host.now] the clock (ms), default Date.now
   * @param {(level: 'info' | 'warn', message: string) => void} host.log
   */
  constructor(host) {
    this.#host = host;
  }

  get running() { return this.#timer !== null; }

  /** Starts sampling (nothing when it runs, or when the interval is 0). */
  start() {
    const interval = this.#host.intervalMs;
    if (this.#timer !== null || !(interval > 0)) return;
    this.#timer = setInterval(() => { this.#sample(true); }, Math.max(MIN_QUALITY_INTERVAL_MS, interval));
    // In Node (tests, server-side use) a sampling call does not keep the process alive.
    /** @type {any} */ (this.#timer).unref?.();
    this.#sample(false);
  }

  stop() {
    if (this.#timer !== null) clearInterval(this.#timer);
    this.#timer = null;
    this.#previous = null;
  }

  async #sample(report) {
    if (this.#reading) return;
    this.#reading = true;
    try {
      const stats = await this.#host.getStats();
      if (!stats || this.#timer === null) return;
      const reading = readQualityStats(stats, (this.#host.now ?? Date.now)());
      const previous = this.#previous;
      this.#previous = reading;
      if (report) this.#host.sampled(qualitySample(previous, reading));
    } catch (error) {
      this.#host.log('info', `quality: getStats failed: ${error?.message ?? error}`);
    } finally {
      this.#reading = false;
    }
  }
}
