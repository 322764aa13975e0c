// The SDP direction logic: which direction each transceiver offers or answers, and what an SDP says.
// Pure functions, no RTCPeerConnection.
//
// Offers (the seeds' three kinds): establishCall(true) = audio + video; establishCall(false) = audio
// + an inactive video transceiver (two m-lines); establishAudioCall() = one audio m-line.
// Hold (RFC 3264 §8.4): the holder offers audio `sendonly` (`inactive` when it is itself held) and
// sends no media while holding; unhold offers `sendrecv`. VideoStart offers video `sendrecv`
// (adding a video m-line when the call has none); VideoStop offers `recvonly`.

/**
 * What this side does with its media: holds the other party (`localHold`), is held by it
 * (`remoteHold`), sends camera video (`sendingVideo`).
 * @typedef {{ localHold: boolean, remoteHold?: boolean, sendingVideo: boolean }} MediaIntent
 */

/**
 * The directions to give the audio and the video transceiver (`video` null: no video m-line).
 * @typedef {{ audio: RTCRtpTransceiverDirection, video: RTCRtpTransceiverDirection | null }} Directions
 */

/** The caller's first offer: establishCall(true), establishCall(false), establishAudioCall(). */
export const OfferKind = Object.freeze({
  Video: 'video',
  AudioWithInactiveVideo: 'audioWithInactiveVideo',
  Audio: 'audio',
});

/** @param {boolean} send @param {boolean} recv @returns {RTCRtpTransceiverDirection} */
export function direction(send, recv) {
  if (send && recv) return 'sendrecv';
  if (send) return 'sendonly';
  if (recv) return 'recvonly';
  return 'inactive';
}

/**
 * The m-sections of an SDP, in order: their media kind, port and direction (a section without a
 * direction attribute has the session's, `sendrecv` by default).
 * @param {string | null | undefined} sdp
 * @returns {{ kind: string, port: number, direction: string }[]}
 */
export function sdpDirections(sdp) {
  const sections = [];
  let session = 'sendrecv';
  let current = null;
  for (const raw of (sdp ?? '').split('\n')) {
    const line = raw.trim();
    if (line.startsWith('m=')) {
      const [kind, port] = line.slice(2).split(' ');
      current = { kind, port: Number(port), direction: session };
      sections.push(current);
    } else if (/^a=(sendrecv|sendonly|recvonly|inactive)$/.test(line)) {
      if (current) current.direction = line.slice(2);
      else session = line.slice(2);
    }
  }
  return sections;
}

/** Whether an offer carries active video: a video m-line with a port that is not `inactive`. */
export function offersActiveVideo(sdp) {
  return sdpDirections(sdp).some((m) => m.kind === 'video' && m.port !== 0 && m.direction !== 'inactive');
}

/** Whether an answer sends video: its first video m-line has a port and a send direction. */
export function answerSendsVideo(sdp) {
  const video = sdpDirections(sdp).find((m) => m.kind === 'video');
  return Boolean(video && video.port !== 0 && /send/.test(video.direction));
}

/**
 * The transceivers of the caller's first offer.
 * @param {string} kind an OfferKind
 * @returns {Directions & { sendVideo: boolean }} `sendVideo`: the camera is needed
 */
export function establishDirections(kind) {
  if (kind === OfferKind.Video) return { audio: 'sendrecv', video: 'sendrecv', sendVideo: true };
  if (kind === OfferKind.AudioWithInactiveVideo) return { audio: 'sendrecv', video: 'inactive', sendVideo: false };
  return { audio: 'sendrecv', video: null, sendVideo: false };
}

/**
 * The callee's answer to the first offer: audio both ways; video both ways when it sends video, else
 * received only (the answer is their intersection with the offer).
 * @param {boolean} sendVideo
 * @returns {Directions}
 */
export function acceptDirections(sendVideo) {
  return { audio: 'sendrecv', video: sendVideo ? 'sendrecv' : 'recvonly' };
}

/**
 * Our offer's directions. Holding: audio `sendonly`, or `inactive` when the other side holds too,
 * and video sent (if at all) but not received. Not holding: audio `sendrecv`, video received and
 * sent when sending video.
 * @param {MediaIntent} intent
 * @returns {Directions}
 */
export function offerDirections({ localHold, remoteHold = false, sendingVideo }) {
  return {
    audio: localHold ? direction(!remoteHold, false) : 'sendrecv',
    video: localHold ? direction(sendingVideo, false) : direction(sendingVideo, true),
  };
}

/**
 * Our answer to the other party's offer: what we would do; the answer is the intersection with the
 * offer. This side always offers to send audio and receives nothing while it holds.
 * @param {MediaIntent} intent
 * @returns {Directions}
 */
export function answerDirections({ localHold, sendingVideo }) {
  return {
    audio: direction(true, !localHold),
    video: direction(sendingVideo, !localHold),
  };
}

/**
 * What goes on the senders: while this side holds it sends nothing (no music on hold); otherwise
 * the microphone, and the camera when sending video.
 * @param {MediaIntent} intent
 * @returns {{ audio: boolean, video: boolean }}
 */
export function sentMedia({ localHold, sendingVideo }) {
  return { audio: !localHold, video: sendingVideo && !localHold };
}

/** What each mid-call operation changes once the other party answered it. */
export const OPERATION_EFFECTS = Object.freeze({
  HoldCall: Object.freeze({ localHold: true }),
  UnholdCall: Object.freeze({ localHold: false }),
  VideoStart: Object.freeze({ sendingVideo: true }),
  VideoStop: Object.freeze({ sendingVideo: false }),
});

/**
 * The intent once `operation` (HoldCall, UnholdCall, VideoStart, VideoStop) succeeded.
 * @param {string} operation
 * @param {MediaIntent} intent
 * @returns {MediaIntent}
 */
export function intentAfter(operation, intent) {
  const effect = OPERATION_EFFECTS[operation];
  if (!effect) throw new TypeError(`unknown operation ${operation}`);
  return { ...intent, ...effect };
}

/**
 * The offer of a mid-call operation: the directions of the intent it asks for.
 * @param {string} operation
 * @param {MediaIntent} intent the current one
 * @returns {Directions}
 */
export function operationOfferDirections(operation, intent) {
  return offerDirections(intentAfter(operation, intent));
}
