// SDP and ICE candidates as Chrome writes them, for the protocol-level end-to-end tests (no browser
// needed: the server reads the media sections' kinds, ports and directions). Shared by call-flow and
// the cluster tests.

let sdpVersion = 1;

/**
 * An offer or answer of `user` ('alice' or 'bob'), with the audio direction and, unless `video` is
 * null, a video m-line with that direction.
 */
export function sdp({ role, audio = 'sendrecv', video = 'sendrecv', user = 'alice' }) {
  const setup = role === 'offer' ? 'actpass' : 'active';
  const ufrag = user === 'alice' ? 'Xa9f' : 'Bq3z';
  // The transport attributes every m-line carries (BUNDLE keeps them identical).
  const transport = [
    'c=IN IP4 0.0.0.0',
    'a=rtcp:9 IN IP4 0.0.0.0',
    `a=ice-ufrag:${ufrag}`,
    `a=ice-pwd:${user === 'alice' ? 'x5Ghf9Tm2bLqYcP0vN7sWe1K' : 'J8dPq2Lm5Zx0Rt7Yu4Wc9Vb3'}`,
    'a=ice-options:trickle',
    'a=fingerprint:sha-256 7B:8B:F0:65:5F:78:E2:51:3B:AC:6F:F3:3F:46:1B:35:DC:B8:5F:64:1A:24:C2:43:F0:A1:58:D0:A1:2C:19:08',
    `a=setup:${setup}`,
  ];
  const lines = [
    'v=0',
    `o=- ${user === 'alice' ? '4611731400430051336' : '7391552071218364123'} ${sdpVersion++} IN IP4 127.0.0.1`,
    's=-',
    't=0 0',
    `a=group:BUNDLE 0${video ? ' 1' : ''}`,
    'a=extmap-allow-mixed',
    'a=msid-semantic: WMS stream-' + user,
    'm=audio 9 UDP/TLS/RTP/SAVPF 111 63 9 0 8 13 110 126',
    ...transport,
    'a=mid:0',
    'a=extmap:1 urn:ietf:params:rtp-hdrext:ssrc-audio-level',
    'a=extmap:2 http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time',
    `a=${audio}`,
    `a=msid:stream-${user} audio-${user}`,
    'a=rtcp-mux',
    'a=rtpmap:111 opus/48000/2',
    'a=rtcp-fb:111 transport-cc',
    'a=fmtp:111 minptime=10;useinbandfec=1',
    'a=rtpmap:63 red/48000/2',
    'a=fmtp:63 111/111',
    'a=rtpmap:9 G722/8000',
    'a=rtpmap:0 PCMU/8000',
    'a=rtpmap:8 PCMA/8000',
    'a=rtpmap:13 CN/8000',
    'a=rtpmap:110 telephone-event/48000',
    'a=rtpmap:126 telephone-event/8000',
    `a=ssrc:${user === 'alice' ? 1001 : 2001} cname:${user}-cname`,
  ];
  if (video) {
    lines.push(
      'm=video 9 UDP/TLS/RTP/SAVPF 96 97 102 103',
      ...transport,
      'a=mid:1',
      'a=extmap:14 urn:ietf:params:rtp-hdrext:toffset',
      'a=extmap:2 http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time',
      `a=${video}`,
      `a=msid:stream-${user} video-${user}`,
      'a=rtcp-mux',
      'a=rtcp-rsize',
      'a=rtpmap:96 VP8/90000',
      'a=rtcp-fb:96 goog-remb',
      'a=rtcp-fb:96 transport-cc',
      'a=rtcp-fb:96 ccm fir',
      'a=rtcp-fb:96 nack',
      'a=rtcp-fb:96 nack pli',
      'a=rtpmap:97 rtx/90000',
      'a=fmtp:97 apt=96',
      'a=rtpmap:102 H264/90000',
      'a=fmtp:102 level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42001f',
      'a=rtpmap:103 rtx/90000',
      'a=fmtp:103 apt=102',
      `a=ssrc-group:FID ${user === 'alice' ? '1101 1102' : '2101 2102'}`,
      `a=ssrc:${user === 'alice' ? 1101 : 2101} cname:${user}-cname`,
    );
  }
  return lines.join('\r\n') + '\r\n';
}


/** A host candidate on loopback, numbered `n`, for m-line `mid`. */
export function candidate(n, mid = '0') {
  return {
    candidate: `candidate:${1000 + n} 1 udp 2122260223 127.0.0.1 ${40000 + n} typ host generation 0`,
    sdpMid: mid,
    sdpMLineIndex: Number(mid),
  };
}
