// Calls in a given state for unit tests, over the fake hub and the fake WebRTC objects.

import { Call } from '../../src/call.js';
import { fakeService, recordingListener } from './fake-host.mjs';
import { answerDirection, install, sdp, sections } from './fake-webrtc.mjs';

install();

/** A CallSnapshot from the caller's side (state Initial), with `overrides`. */
export function snapshot(overrides = {}) {
  return {
    callId: 'call-1',
    direction: 'outgoing',
    localAddress: 'alice',
    remoteAddress: 'bob',
    state: 'Initial',
    endReason: null,
    media: { audio: true, video: false, localVideo: false, remoteVideo: false, localMuted: false, remoteMuted: false },
    localHold: false,
    remoteHold: false,
    statusCode: null,
    createdAt: '2025-01-01T00:00:00Z',
    answeredAt: null,
    endedAt: null,
    sequence: 1,
    ...overrides,
  };
}

/** An offer of the other party: audio and video both ways unless `sections` say otherwise. */
export function offer(m = [{ kind: 'audio', direction: 'sendrecv' }, { kind: 'video', direction: 'sendrecv' }]) {
  return sdp(m);
}

/** The other party's answer to `offerSdp`: it wants `wants[kind]` (default sendrecv), intersected with the offer. */
export function answerTo(offerSdp, wants = {}) {
  return sdp(sections(offerSdp).map((m) => (m.port === 0
    ? { kind: m.kind, direction: 'inactive', port: 0 }
    : { kind: m.kind, direction: answerDirection(wants[m.kind] ?? 'sendrecv', m.direction) })));
}

/**
 * A new call: `caller` (state Initial) or `callee` (Ringing, with `offerSdp`). Returns the call, the
 * fake service and hub, and the recorded listener events.
 */
export function newCall({ side = 'caller', offerSdp = offer(), hub } = {}) {
  const events = recordingListener();
  const service = fakeService({ listener: events.listener, ...(hub ? { hub } : {}) });
  const call = side === 'caller'
    ? new Call(service, snapshot())
    : new Call(service, snapshot({ direction: 'incoming', localAddress: 'bob', remoteAddress: 'alice', state: 'Ringing' }), { offer: offerSdp });
  return { call, service, hub: service.hub, events, getUserMedia: service.getUserMedia };
}

/** Moves the call to `state` (and hold flags) with the next snapshot, as CallStatusChanged does. */
export function moveTo(call, state, flags = {}) {
  const last = call.getSnapshot();
  call._onSnapshot({ ...last, state, ...flags, sequence: last.sequence + 1 }, 'status');
}

/**
 * A call in InCall with its media up. The caller offered `offerKind` ('video', 'audioWithInactiveVideo',
 * 'audio') and applied the callee's answer; or the callee accepted `offerSdp` with `video`.
 */
export async function inCall({ side = 'caller', offerKind = 'audioWithInactiveVideo', offerSdp = offer(), video = false } = {}) {
  const parts = newCall({ side, offerSdp });
  const { call, hub } = parts;
  if (side === 'caller') {
    const established = offerKind === 'audio' ? call.establishAudioCall() : call.establishCall(offerKind === 'video');
    if (!(await established)) throw new Error('establishCall failed');
    const [, sdpOffer] = hub.calls('EstablishCall')[0];
    moveTo(call, 'InCall');
    await call._onRemoteDescription('answer', answerTo(sdpOffer));
  } else {
    if (!(await call.acceptCall(video))) throw new Error('acceptCall failed');
    moveTo(call, 'InCall');
  }
  return { ...parts, pc: call.getPeerConnection() };
}

const CALLBACKS = { HoldCall: 'holdCall', UnholdCall: 'unholdCall', VideoStart: 'videoStart', VideoStop: 'videoStop' };

/**
 * Runs this side's `operation` (HoldCall, …): waits for its offer on the hub, then completes it as the
 * server does with CallOperationCompleted: answered by the other party (`wants`), or failed with
 * `error`. Resolves to {result, offerSdp, answerSdp}.
 */
export async function operate({ call, hub }, operation, { error = null, wants = {}, operationId = `op-${operation}` } = {}) {
  const nth = hub.calls(operation).length + 1;
  hub.reply(operation, () => operationId);
  const running = call[CALLBACKS[operation]]();
  const [, offerSdp] = await hub.invoked(operation, nth);
  const answerSdp = error ? null : answerTo(offerSdp, wants);
  call._onOperationCompleted(operationId, operation, !error, error, answerSdp);
  return { result: await running, offerSdp, answerSdp };
}

/** The directions of the transceivers: `{audio, video}` (video null when the call has none). */
export function transceiverDirections(pc) {
  const find = (kind) => pc.getTransceivers().find((tx) => tx.kind === kind && !tx.stopped);
  return { audio: find('audio')?.direction ?? null, video: find('video')?.direction ?? null };
}

/** What the senders carry: `{audio, video}` as the tracks' labels, or null. */
export function senderTracks(pc) {
  const find = (kind) => pc.getTransceivers().find((tx) => tx.kind === kind && !tx.stopped);
  return { audio: find('audio')?.sender.track?.id ?? null, video: find('video')?.sender.track?.id ?? null };
}
