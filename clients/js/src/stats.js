// A small summary of an RTCPeerConnection's stats, for applications and tests.

/**
 * @param {RTCStatsReport | null | undefined} report
 * @returns {import('../index.js').MediaStatsSummary}
 */
export function summarizeStats(report) {
  const summary = {
    audio: { inbound: { bytesReceived: 0, packetsReceived: 0 }, outbound: { bytesSent: 0, packetsSent: 0 } },
    video: {
      inbound: { bytesReceived: 0, packetsReceived: 0, framesDecoded: 0, frameWidth: 0, frameHeight: 0 },
      outbound: { bytesSent: 0, packetsSent: 0, framesEncoded: 0 },
    },
    selectedCandidatePair: null,
  };
  if (!report) return summary;
  /** @type {Map<string, any>} */
  const all = new Map();
  report.forEach((stat) => all.set(stat.id, stat));
  for (const stat of all.values()) {
    const kind = stat.kind ?? stat.mediaType;
    if (kind !== 'audio' && kind !== 'video') continue;
    if (stat.type === 'inbound-rtp') {
      const into = summary[kind].inbound;
      into.bytesReceived += stat.bytesReceived ?? 0;
      into.packetsReceived += stat.packetsReceived ?? 0;
      if (kind === 'video') {
        into.framesDecoded += stat.framesDecoded ?? 0;
        into.frameWidth = Math.max(into.frameWidth, stat.frameWidth ?? 0);
        into.frameHeight = Math.max(into.frameHeight, stat.frameHeight ?? 0);
      }
    } else if (stat.type === 'outbound-rtp') {
      const into = summary[kind].outbound;
      into.bytesSent += stat.bytesSent ?? 0;
      into.packetsSent += stat.packetsSent ?? 0;
      if (kind === 'video') into.framesEncoded += stat.framesEncoded ?? 0;
    }
  }
  let pairId = null;
  for (const stat of all.values()) {
    if (stat.type === 'transport' && stat.selectedCandidatePairId) pairId = stat.selectedCandidatePairId;
  }
  const pair = pairId ? all.get(pairId) : [...all.values()].find((s) => s.type === 'candidate-pair' && s.nominated && s.state === 'succeeded');
  if (pair) {
    const describe = (c) => c && { address: c.address ?? c.ip, port: c.port, protocol: c.protocol, candidateType: c.candidateType };
    summary.selectedCandidatePair = {
      state: pair.state,
      local: describe(all.get(pair.localCandidateId)),
      remote: describe(all.get(pair.remoteCandidateId)),
    };
  }
  return summary;
}
