// One call: the application's handle on it. It composes the parts in ./call/:
//   call-snapshot.js        the server's view of the call (CallSnapshots, stale ones dropped)
//   media-session.js        the RTCPeerConnection, transceivers, tracks, streams (and media-views.js)
//   sdp-directions.js       which direction each transceiver offers or answers, per operation
//   renegotiation.js        hold/unhold/video offers and answers, their operation ids and outcomes
//   ice-candidate-queue.js  trickle ICE, candidates kept until they can be sent or applied
//   signaling-queue.js      one signaling step at a time
//   listener-dispatch.js    the application's listener (<operation>Succeeded/Failed, events)
//   call-arguments.js       custom parameters, end reason, DTMF digits checked with the server's rules
//   quality.js              quality samples from the stats (ReportQuality), MOS, the 3-of-5 warnings

import { CallError, parseOperationError, toCallError } from './errors.js';
import { IN_CALL_STATES } from './constants.js';
import { summarizeStats } from './stats.js';
import { customParametersArgument, dtmfArgument, endReasonArgument, optionsArgument } from './call/call-arguments.js';
import { CallSnapshotView } from './call/call-snapshot.js';
import { IceCandidateQueue } from './call/ice-candidate-queue.js';
import { ListenerDispatch } from './call/listener-dispatch.js';
import { MediaSession } from './call/media-session.js';
import { Renegotiation, RENEGOTIATIONS } from './call/renegotiation.js';
import { DEFAULT_QUALITY_INTERVAL_MS, QualitySampler, QualityWarnings } from './call/quality.js';
import { OfferKind, answerDirections, offersActiveVideo } from './call/sdp-directions.js';
import { SignalingQueue } from './call/signaling-queue.js';

/**
 * What a Call needs from its CallService (its `@internal` members).
 * @typedef {object} CallHost
 * @property {import('../index.js').CallApplicationListener | null} listener the service's listener
 * @property {Partial<RTCConfiguration>} rtcConfiguration
 * @property {(method: string, ...args: any[]) => Promise<any>} _invoke a hub method; rejects with a CallError
 * @property {() => Promise<RTCIceServer[]>} _iceServers
 * @property {(candidate: import('../index.js').IceCandidateInit, direction: 'local' | 'remote') => boolean} _acceptCandidate
 * @property {(constraints: MediaStreamConstraints) => Promise<MediaStream>} _getUserMedia
 * @property {(call: Call) => void} _forget the call ended
 * @property {() => number} [_qualityIntervalMs] ms between two quality samples (0: none; default 5000)
 * @property {(level: 'info' | 'warn' | 'error', message: string) => void} _log
 */

export class Call {
  /** @type {CallHost} */ #service;
  /** @type {CallSnapshotView} */ #snapshot;
  /** @type {string | null} */ #incomingOffer = null;
  /** @type {ListenerDispatch} */ #listener;
  /** @type {MediaSession} */ #media;
  /** @type {IceCandidateQueue} */ #candidates;
  #signaling = new SignalingQueue();
  /** @type {Renegotiation} */ #renegotiation;
  #closed = false;
  /** This side's transfer of the call waiting for its outcome (TransferProgress). */
  /** @type {{ resolve: (outcome: { succeeded: boolean, reason: string | null }) => void } | null} */ #transfer = null;
  /** This device's PullCall waiting for the other party's answer. */
  /** @type {{ id: string | null, resolve: (result: { succeeded: boolean, error: string | null, sdpAnswer: string | null }) => void } | null} */ #pull = null;
  /** The other party's custom parameters, merged (later values of a key win). */
  /** @type {Record<string, string>} */ #remoteParameters = {};
  /** @type {QualitySampler} */ #quality;
  #warnings = new QualityWarnings();
  /** The RTCDTMFSenders whose `tonechange` is reported (dtmfToneSent). */
  /** @type {WeakSet<object>} */ #dtmfSenders = new WeakSet();

  /**
   * @internal
   * @param {CallHost} service
   * @param {import('../index.js').CallSnapshot} snapshot
   * @param {{ listener?: import('../index.js').CallApplicationListener | null, offer?: string | null }} [options]
   */
  constructor(service, snapshot, { listener, offer } = {}) {
    this.#service = service;
    this.#snapshot = new CallSnapshotView(snapshot);
    this.#incomingOffer = offer ?? null;
    const log = (level, message) => this.#service._log(level, message);
    this.#listener = new ListenerDispatch(this, { listener, fallback: () => this.#service.listener, log });
    this.#candidates = new IceCandidateQueue({
      peerConnection: () => this.#media.peerConnection,
      send: (candidate) => this.#sendCandidate(candidate),
      accept: (candidate, direction) => this.#service._acceptCandidate(candidate, direction),
      log,
    });
    this.#media = new MediaSession({
      getUserMedia: (constraints) => this.#service._getUserMedia(constraints),
      iceServers: () => this.#service._iceServers(),
      rtcConfiguration: () => this.#service.rtcConfiguration,
      onLocalCandidate: (candidate) => this.#candidates.local(candidate),
      onRemoteStreamChanged: (stream) => this._emit('remoteStreamChanged', stream),
      onIceConnectionStateChange: (state) => this._emit('iceConnectionStateChanged', state),
    }, { localHold: snapshot.localHold, muted: snapshot.media?.localMuted });
    this.#renegotiation = new Renegotiation({ media: this.#media, signaling: this.#signaling, candidates: this.#candidates }, {
      callId: () => this.getId(),
      remoteHold: () => this.#snapshot.remoteHold,
      invoke: (method, ...args) => this.#invoke(method, ...args),
      answered: (operation) => this._emit('renegotiationAnswered', operation),
      log,
    });
    this.#quality = new QualitySampler({
      intervalMs: service._qualityIntervalMs?.() ?? DEFAULT_QUALITY_INTERVAL_MS,
      getStats: () => this.#media.peerConnection?.getStats() ?? null,
      sampled: (sample) => this.#onQualitySample(sample),
      log,
    });
    this.#mergeRemoteParameters(snapshot.customParameters);
    this.#syncQuality();
  }

  // ------------------------------------------------------------------------------------------
  // Reading the call
  // ------------------------------------------------------------------------------------------

  /** The call id. */
  getId() { return this.#snapshot.callId; }
  /** The state as the server last told this device (`Initial`, `Dialing`, … `Ended`). */
  getState() { return this.#snapshot.state; }
  /** A copy of the last CallSnapshot (this device's point of view). */
  getSnapshot() { return this.#snapshot.copy(); }
  /** `outgoing` or `incoming`. */
  getDirection() { return this.#snapshot.direction; }
  isIncoming() { return this.#snapshot.isIncoming; }
  getLocalAddress() { return this.#snapshot.localAddress; }
  getRemoteAddress() { return this.#snapshot.remoteAddress; }
  getRemoteDisplayName() { return this.#snapshot.remoteDisplayName; }
  getEndReason() { return this.#snapshot.endReason; }
  /** The free text given by whoever ended the call (EndCall's reason), else null. */
  getEndReasonText() { return this.#snapshot.current.endReasonText ?? null; }
  /** An incoming call that rings while this device is in another call (call waiting: holdAndAccept, endAndAccept). */
  isWaiting() { return Boolean(this.#snapshot.current.waiting); }
  /** The other party's custom parameters, merged (later values of a key win): a copy. */
  getRemoteCustomParameters() { return { ...this.#remoteParameters }; }
  /** The quality warnings raised and not cleared (`high-rtt`, `high-jitter`, `high-packet-loss`, `low-mos`). */
  getQualityWarnings() { return this.#warnings.active; }
  /** The RTCDTMFSender of the audio sender (null without a connection or where the browser has none). */
  getDtmfSender() { return this.#audioSender()?.dtmf ?? null; }
  /** The media flags of the snapshot: {audio, video, localVideo, remoteVideo, localMuted, remoteMuted}. */
  getMediaAttributes() { return this.#snapshot.media; }
  isMuted() { return this.#media.muted; }
  isVideoSending() { return this.#media.sendingVideo; }
  /** For a call placed by a transfer: who transferred it (else null). */
  getTransferredBy() { return this.#snapshot.current.transferredBy ?? null; }
  /** For a call placed by a transfer: the call of this device's user it replaces (else null). */
  getReplacedCallId() { return this.#snapshot.current.replacesCallId ?? null; }
  /** The incoming offer's SDP (incoming calls). */
  getIncomingOffer() { return this.#incomingOffer; }
  /** Whether the incoming offer carries active video (incoming calls). */
  isVideoOffered() { return offersActiveVideo(this.#incomingOffer); }
  getPeerConnection() { return this.#media.peerConnection; }
  getLocalStream() { return this.#media.localStream; }
  getRemoteStream() { return this.#media.remoteStream; }
  /** The RTCPeerConnection's stats report (null before media was set up). */
  async getStats() {
    const pc = this.#media.peerConnection;
    return pc ? pc.getStats() : null;
  }
  /** A summary of getStats(): bytes and frames per kind and the selected candidate pair, plus ICE state. */
  async getMediaStats() {
    const report = await this.getStats();
    const pc = this.#media.peerConnection;
    return {
      ...summarizeStats(report),
      iceConnectionState: pc?.iceConnectionState ?? 'new',
      connectionState: pc?.connectionState ?? 'new',
      signalingState: pc?.signalingState ?? 'closed',
    };
  }

  /** Where the local camera is shown (a <video>; it is muted). */
  setLocalVideoView(element) {
    this.#media.setLocalView(element);
  }

  /** Where the remote party is shown and heard (a <video>). */
  setRemoteVideoView(element) {
    this.#media.setRemoteView(element);
  }

  // ------------------------------------------------------------------------------------------
  // Outgoing: the three offers
  // ------------------------------------------------------------------------------------------

  /**
   * Sends the offer: audio and video when `video`, else audio with an inactive video m-line.
   * @param {boolean} [video]
   * @param {{ customParameters?: Record<string, string> | null }} [options] `customParameters`: for the callee
   */
  establishCall(video = false, options = undefined) {
    return this.#establish(video ? OfferKind.Video : OfferKind.AudioWithInactiveVideo, options);
  }

  /**
   * Sends an audio-only offer (a single audio m-line).
   * @param {{ customParameters?: Record<string, string> | null }} [options]
   */
  establishAudioCall(options = undefined) {
    return this.#establish(OfferKind.Audio, options);
  }

  async #establish(kind, options) {
    return this.#listener.attempt('establishCall', async () => {
      const customParameters = customParametersArgument(optionsArgument(options).customParameters);
      if (this.isIncoming()) throw new CallError('Forbidden', 'only the caller establishes a call');
      if (this.#media.peerConnection || this.getState() !== 'Initial') throw new CallError('InvalidState', 'the call was already established');
      await this.#signaling.run(async () => {
        try {
          const sdpOffer = await this.#media.createInitialOffer(kind);
          await this.#invoke('EstablishCall', this.getId(), sdpOffer, customParameters);
        } catch (error) {
          this.#giveUpMedia();
          throw error;
        }
        this.#candidates.startSending();
      });
    });
  }

  // ------------------------------------------------------------------------------------------
  // Incoming: accept, reject, ignore, forward
  // ------------------------------------------------------------------------------------------

  /**
   * Answers the incoming call, sending video when `video` (and the offer has video).
   * @param {boolean} [video]
   * @param {{ customParameters?: Record<string, string> | null }} [options] `customParameters`: for the caller
   */
  acceptCall(video = false, options = undefined) {
    return this.#listener.attempt('acceptCall', async () => {
      const customParameters = customParametersArgument(optionsArgument(options).customParameters);
      this.#checkAcceptable();
      await this.#signaling.run(async () => {
        try {
          const sdpAnswer = await this.#answer(video);
          await this.#invoke('AcceptCall', this.getId(), sdpAnswer, customParameters);
        } catch (error) {
          this.#giveUpMedia();
          throw error;
        }
        this.#startMedia();
      });
    });
  }

  /**
   * Rejects the incoming call (every device stops ringing; the caller sees Rejected).
   * @param {{ customParameters?: Record<string, string> | null }} [options] `customParameters`: for the caller
   */
  rejectCall(options = undefined) {
    return this.#listener.attempt('rejectCall', () => {
      const customParameters = customParametersArgument(optionsArgument(options).customParameters);
      return this.#invoke('RejectCall', this.getId(), customParameters);
    });
  }

  /** Stops ringing on this device only; the caller is not told. */
  ignoreCall() {
    return this.#listener.attempt('ignoreCall', () => this.#invoke('IgnoreCall', this.getId()));
  }

  /** Forwards the ringing call to another user (`user` or `user@domain`). */
  forwardCall(target) {
    const address = typeof target === 'string' ? target : target?.address ?? String(target);
    return this.#listener.attempt('forwardCall', () => this.#invoke('ForwardCall', this.getId(), address));
  }

  #checkAcceptable() {
    if (!this.isIncoming()) throw new CallError('Forbidden', 'only the callee accepts a call');
    if (this.#media.peerConnection) throw new CallError('InvalidState', 'the call was already accepted');
    if (this.getState() !== 'Ringing') throw new CallError('InvalidState', 'the call is not ringing');
  }

  /** The answer to the incoming offer (microphone, and camera when `video` and the offer has video). */
  #answer(video) {
    return this.#media.answerInitialOffer(this.#incomingOffer, Boolean(video) && this.isVideoOffered());
  }

  /** The answer is on the server: candidates go both ways. */
  #startMedia() {
    this.#candidates.startSending();
    this.#candidates.flushRemote();
  }

  // ------------------------------------------------------------------------------------------
  // Call waiting: answering while this device is in another call
  // ------------------------------------------------------------------------------------------

  /**
   * HoldAndAccept: answers this ringing call and puts `heldCall` (this device's call in progress, not held
   * yet) on hold, as one command: the server refuses both or neither. The hold offer is holdCall's (audio
   * `sendonly`, nothing sent once answered) and completes as holdCall does: `holdCallSucceeded` or
   * `holdCallFailed` on `heldCall` once its other party answered. This call reports
   * `holdAndAcceptSucceeded` / `holdAndAcceptFailed`; on a failure both connections are rolled back and
   * this call keeps ringing (accept it another way, or reject it).
   * @param {Call} heldCall
   * @param {{ video?: boolean, customParameters?: Record<string, string> | null }} [options] `video`: as
   *   acceptCall's; `customParameters`: for this call's caller
   */
  holdAndAccept(heldCall, options = undefined) {
    return this.#listener.attempt('holdAndAccept', async () => {
      const { video = false, customParameters } = optionsArgument(options);
      const parameters = customParametersArgument(customParameters);
      this.#checkAcceptable();
      if (!(heldCall instanceof Call) || heldCall === this) throw new CallError('InvalidArgument', 'the call to hold must be another call of this device');
      heldCall.#checkHoldable();
      await this.#signaling.run(async () => {
        try {
          const sdpAnswer = await this.#answer(video);
          await heldCall.#holdWith((holdOffer) =>
            this.#invoke('HoldAndAccept', this.getId(), heldCall.getId(), sdpAnswer, holdOffer, parameters));
        } catch (error) {
          this.#releaseMedia();
          throw error;
        }
        this.#startMedia();
      });
    });
  }

  /**
   * EndAndAccept: answers this ringing call and ends `endedCall` (another call of this device), as one
   * command. `endedCall` stops sending at once and reports `endCallSucceeded`, then ends (`callStatusChanged`
   * Ended) as with endCall; `reason` is its end text. This call reports `endAndAcceptSucceeded` /
   * `endAndAcceptFailed`; on a failure nothing changed (this call keeps ringing, `endedCall` goes on).
   * @param {Call} endedCall
   * @param {{ video?: boolean, reason?: string | null, customParameters?: Record<string, string> | null }} [options]
   *   `video`: as acceptCall's; `reason`: as endCall's; `customParameters`: for this call's caller
   */
  endAndAccept(endedCall, options = undefined) {
    return this.#listener.attempt('endAndAccept', async () => {
      const { video = false, reason, customParameters } = optionsArgument(options);
      const text = endReasonArgument(reason);
      const parameters = customParametersArgument(customParameters);
      this.#checkAcceptable();
      if (!(endedCall instanceof Call) || endedCall === this) throw new CallError('InvalidArgument', 'the call to end must be another call of this device');
      if (endedCall.#closed || endedCall.getState() === 'Ended') throw new CallError('InvalidState', 'the call to end has ended');
      await this.#signaling.run(async () => {
        try {
          const sdpAnswer = await this.#answer(video);
          await this.#invoke('EndAndAccept', this.getId(), endedCall.getId(), sdpAnswer, text, parameters);
        } catch (error) {
          this.#releaseMedia();
          throw error;
        }
        this.#startMedia();
      });
      endedCall.#endedHere();
    });
  }

  /** Whether holdCall could start now; throws the CallError it would fail with. */
  #checkHoldable() {
    if (this.#closed || !IN_CALL_STATES.includes(this.getState())) throw new CallError('InvalidState', 'the call to hold is not in progress');
    if (this.#snapshot.current.localHold || this.#media.localHold) throw new CallError('AlreadyOnHold', 'the call to hold is already on hold');
    if (!this.#media.peerConnection) throw new CallError('InvalidState', 'the call to hold has no media session on this device');
    if (this.#renegotiation.pendingOperation) throw new CallError('OperationInProgress', `${this.#renegotiation.pendingOperation} is still in progress`);
  }

  /**
   * This call's HoldCall, its offer sent by `send` (HoldAndAccept) instead of the HoldCall hub method.
   * Resolves once `send` resolved (the server took the hold: its operation id is this call's pending
   * HoldCall); rejects with the error when the offer could not be made or `send` failed (the offer is rolled
   * back, nothing is reported on this call). Once taken, it completes as holdCall's: CallOperationCompleted
   * brings the answer, then `holdCallSucceeded`, or a failure (rolled back), then `holdCallFailed`.
   * @param {(holdOffer: string) => Promise<string | null>} send
   * @returns {Promise<void>}
   */
  #holdWith(send) {
    return new Promise((resolve, reject) => {
      let taken = false;
      this.#renegotiation.offer('HoldCall', { send, sent: () => { taken = true; resolve(); } }).then(
        () => this._emit('holdCallSucceeded'),
        (error) => {
          if (!taken) {
            reject(error);
            return;
          }
          const callError = toCallError(error);
          this.#service._log('info', `holdCall failed: ${callError.code}: ${callError.message}`);
          this._emit('holdCallFailed', callError);
        });
    });
  }

  /** EndAndAccept ended this call: it sends nothing from now on; the Ended snapshot closes it. */
  #endedHere() {
    this.#quality.stop();
    this.#releaseMedia();
    this._emit('endCallSucceeded');
  }

  // ------------------------------------------------------------------------------------------
  // Either party
  // ------------------------------------------------------------------------------------------

  /**
   * Ends the call (for a ringing incoming call this rejects it; for an unanswered outgoing call it cancels).
   * @param {{ reason?: string | null, customParameters?: Record<string, string> | null }} [options] `reason`:
   *   free text (≤ 256 characters) both parties read with getEndReasonText(); `customParameters`: for the other party
   */
  endCall(options = undefined) {
    return this.#listener.attempt('endCall', () => {
      const { reason, customParameters } = optionsArgument(options);
      return this.#invoke('EndCall', this.getId(), endReasonArgument(reason), customParametersArgument(customParameters));
    });
  }

  /**
   * SendCustomParameters: sends `customParameters` to the other party (`customParametersReceived`), in any
   * state but Ended. At least one, at most 16 (key `[A-Za-z0-9_-]{1,64}`, value ≤ 512 UTF-8 bytes).
   * @param {Record<string, string>} customParameters
   */
  sendCustomParameters(customParameters) {
    return this.#listener.attempt('sendCustomParameters', () => {
      const parameters = customParametersArgument(customParameters);
      if (!parameters) throw new CallError('InvalidArgument', 'no custom parameters to send');
      if (this.#closed || this.getState() === 'Ended') throw new CallError('InvalidState', 'the call has ended');
      return this.#invoke('SendCustomParameters', this.getId(), parameters);
    });
  }

  /**
   * Sends DTMF `digits` (0-9 A-D * #, `,` a 2 s pause; 1 to 64) while the call is InCall: as RFC 4733
   * telephone-events on the audio sender when the connection can (RTCDTMFSender.insertDTMF, with
   * `duration` and `interToneGap` in ms), and always with SendDtmf to the server (for IVRs and gateways;
   * the other party gets `dtmfReceived`). Reports `dtmfToneSent(call, tone)` as each tone is played.
   * @param {string} digits
   * @param {{ duration?: number, interToneGap?: number }} [options]
   */
  sendDTMF(digits, options = undefined) {
    return this.#listener.attempt('sendDTMF', () => {
      const tones = dtmfArgument(digits);
      const { duration, interToneGap } = optionsArgument(options);
      if (this.#closed || this.getState() !== 'InCall') throw new CallError('InvalidState', 'DTMF is sent only while the call is InCall');
      this.#insertDtmf(tones, duration, interToneGap);
      return this.#invoke('SendDtmf', this.getId(), tones);
    });
  }

  /** Plays `tones` on the audio sender's RTCDTMFSender, if it has one that can; never throws. */
  #insertDtmf(tones, duration, interToneGap) {
    const dtmf = this.getDtmfSender();
    if (!dtmf || !dtmf.canInsertDTMF) {
      this.#service._log('info', 'DTMF: no RTCDTMFSender that can send on this connection; sent with SendDtmf only');
      return;
    }
    if (!this.#dtmfSenders.has(dtmf)) {
      this.#dtmfSenders.add(dtmf);
      dtmf.addEventListener('tonechange', (/** @type {RTCDTMFToneChangeEvent} */ event) => {
        if (event.tone) this._emit('dtmfToneSent', event.tone); // '' ends the tones: not reported
      });
    }
    try {
      // insertDTMF replaces the tones still queued: keep them, so that keys pressed faster than the tones
      // play are all played, in order.
      const args = /** @type {[string, number?, number?]} */ ([(dtmf.toneBuffer ?? '') + tones]);
      if (duration !== undefined || interToneGap !== undefined) args.push(duration ?? 100);
      if (interToneGap !== undefined) args.push(interToneGap);
      dtmf.insertDTMF(...args);
    } catch (error) {
      this.#service._log('warn', `DTMF: insertDTMF failed (${error?.message ?? error}); sent with SendDtmf only`);
    }
  }

  /** The audio RTCRtpSender of the connection, or null. */
  #audioSender() {
    const pc = this.#media.peerConnection;
    if (!pc) return null;
    const transceiver = this.#media.audioTransceiver;
    if (transceiver && !(/** @type {any} */ (transceiver).stopped)) return transceiver.sender;
    return pc.getSenders?.().find((sender) => sender.track?.kind === 'audio') ?? null;
  }

  /** Stops sending microphone audio (the track is disabled) and tells the other party. */
  mute() {
    return this.#setMuted(true);
  }

  /** Sends microphone audio again. */
  unmute() {
    return this.#setMuted(false);
  }

  async #setMuted(muted) {
    return this.#listener.attempt(muted ? 'muteCall' : 'unmuteCall', async () => {
      const before = this.#media.muted;
      this.#media.setMuted(muted);
      try {
        await this.#invoke(muted ? 'Mute' : 'Unmute', this.getId());
      } catch (error) {
        this.#media.setMuted(before);
        throw error;
      }
    });
  }

  /** Puts the call on hold: the other party stops hearing and seeing this side, and vice versa. */
  holdCall() {
    return this.#renegotiate('HoldCall');
  }

  /** Takes the call off hold. */
  unholdCall() {
    return this.#renegotiate('UnholdCall');
  }

  /** Starts sending camera video (adds a video m-line to an audio-only call). */
  videoStart() {
    return this.#renegotiate('VideoStart', { prepare: () => this.#media.startCamera() });
  }

  /** Stops sending video. */
  videoStop() {
    return this.#renegotiate('VideoStop', {
      prepare: () => {
        if (!this.#media.videoTransceiver) throw new CallError('InvalidState', 'no video is being sent');
      },
      succeeded: () => this.#media.dropCamera(),
    });
  }

  /** @param {string} operation @param {Parameters<Renegotiation['offer']>[1]} [steps] */
  #renegotiate(operation, steps) {
    return this.#listener.attempt(RENEGOTIATIONS[operation], async () => {
      if (this.#closed || !IN_CALL_STATES.includes(this.getState())) {
        throw new CallError('InvalidState', 'the call is not in progress');
      }
      await this.#renegotiation.offer(operation, steps);
    });
  }

  // ------------------------------------------------------------------------------------------
  // Moving the call between devices (PullCall)
  // ------------------------------------------------------------------------------------------

  /**
   * @internal PullCall from this device (CallService.pullCall): a new connection with the call's state
   * offers; the other party's answer completes it. Resolves once the call is here; rejects with the
   * CallError (the listener got `pullCallFailed` first).
   */
  async _pull() {
    let failure = null;
    const pulled = await this.#listener.attempt('pullCall', () => this.#pullHere().catch((error) => {
      failure = toCallError(error);
      throw error;
    }));
    if (!pulled) throw failure ?? new CallError('InvalidState', 'the call could not be pulled');
  }

  async #pullHere() {
    if (this.#closed || !IN_CALL_STATES.includes(this.getState())) throw new CallError('InvalidState', 'the call is not in progress');
    if (this.#media.peerConnection) throw new CallError('InvalidState', 'the call is already on this device');
    /** @type {Promise<{ succeeded: boolean, error: string | null, sdpAnswer: string | null }>} */
    const completed = new Promise((resolve) => { this.#pull = { id: null, resolve }; });
    const pull = this.#pull;
    try {
      const media = this.#snapshot.media;
      await this.#signaling.run(async () => {
        try {
          const sdpOffer = await this.#media.createPullOffer({
            localHold: Boolean(this.#snapshot.current.localHold),
            sendVideo: Boolean(media.localVideo),
            receiveVideo: Boolean(media.remoteVideo),
          });
          pull.id = await this.#invoke('PullCall', this.getId(), sdpOffer);
        } catch (error) {
          this.#releaseMedia();
          throw error;
        }
        this.#candidates.startSending();
      });
      const result = await completed;
      await this.#signaling.run(async () => {
        if (!result.succeeded) {
          this.#releaseMedia();
          throw parseOperationError(result.error);
        }
        await this.#media.peerConnection.setRemoteDescription({ type: 'answer', sdp: result.sdpAnswer });
        this.#candidates.flushRemote();
        await this.#media.syncSenders();
      });
    } finally {
      if (this.#pull === pull) this.#pull = null;
    }
  }

  /** The other party pulled the call to another of its devices: a new connection answers that device's offer. */
  #answerPull(operationId, sdpOffer) {
    this.#candidates.awaitNewConnection();
    return this.#signaling.run(async () => {
      try {
        const directions = answerDirections({ ...this.#media.intent, remoteHold: this.#snapshot.remoteHold });
        const answer = await this.#media.answerOnNewConnection(sdpOffer, directions);
        this.#candidates.flushRemote();
        try {
          await this.#invoke('AnswerRenegotiation', this.getId(), operationId, answer.sdp);
        } catch (error) {
          // The pull is over without this answer (the pulling device left, it timed out): the call stays
          // on the old connection, which was kept for this.
          answer.undo();
          this.#candidates.forgetHeldRemote();
          throw error;
        }
        answer.keep();
        this._emit('renegotiationAnswered', 'PullCall');
      } catch (error) {
        this.#candidates.forgetHeldRemote();
        this.#service._log('warn', `could not answer PullCall: ${error}`);
        this.#invoke('RejectRenegotiation', this.getId(), operationId, String(error?.message ?? error).slice(0, 200)).catch(() => {});
      }
    });
  }

  // ------------------------------------------------------------------------------------------
  // Transfers (TransferCall, ConsultativeTransfer)
  // ------------------------------------------------------------------------------------------

  /**
   * Blind transfer: the other party calls `target` (`user`, `user@domain`, `tel:+E164`). The call is put on
   * hold first if it is not. Reports `transferProgress(call, state)` as it goes, then `transferCallSucceeded`
   * (the target answered: this call ends `Transferred`) or `transferCallFailed(error)` (refused, rejected, not
   * answered…: the call stays held, to unhold). Resolves true or false accordingly.
   * @param {string | { address: string }} target
   */
  transferCall(target) {
    const address = typeof target === 'string' ? target : target?.address ?? String(target);
    return this.#transferWith('transferCall', [], () => this.#invoke('TransferCall', this.getId(), address));
  }

  /**
   * Attended transfer: connects the other party of this call with the other party of `otherCall` (the
   * consultation call, also this device's). Both calls are put on hold first if they are not; when the new call
   * is in progress both end `Transferred`. Reports like transferCall (`transferCallSucceeded/Failed`).
   * @param {Call} otherCall
   */
  consultativeTransfer(otherCall) {
    return this.#transferWith('transferCall', [otherCall], () => this.#invoke('ConsultativeTransfer', this.getId(), otherCall?.getId?.()));
  }

  async #transferWith(base, others, start) {
    return this.#listener.attempt(base, async () => {
      if (this.#transfer) throw new CallError('OperationInProgress', 'a transfer of this call is in progress');
      for (const call of [this, ...others]) {
        if (!(call instanceof Call) || call.#closed || !IN_CALL_STATES.includes(call.getState())) {
          throw new CallError('InvalidState', 'the call is not in progress');
        }
      }
      // The SDK rule: a call is transferred on hold (the server would hold it without renegotiating).
      for (const call of [this, ...others]) {
        if (!call.#snapshot.current.localHold && !(await call.holdCall())) throw new CallError('InvalidState', 'the call could not be put on hold');
      }
      /** @type {Promise<{ succeeded: boolean, reason: string | null }>} */
      const outcome = new Promise((resolve) => { this.#transfer = { resolve }; });
      const transfer = this.#transfer;
      try {
        await start();
        const { succeeded, reason } = await outcome;
        if (!succeeded) throw new CallError(reason ?? 'Failed', `the transfer failed: ${reason ?? 'Failed'}`);
      } finally {
        if (this.#transfer === transfer) this.#transfer = null;
      }
    });
  }

  /** @internal TransferProgress(callId, state, reason) for a transfer this side asked for. */
  _onTransferProgress(state, reason) {
    // Progress applied on two nodes may arrive out of order: a Ringing after the outcome is stale.
    if (state === 'Ringing' && !this.#transfer) return;
    this._emit('transferProgress', state, reason ?? null);
    if (state === 'Succeeded') this.#transfer?.resolve({ succeeded: true, reason: null });
    if (state === 'Failed') this.#transfer?.resolve({ succeeded: false, reason: reason ?? 'Failed' });
  }

  // ------------------------------------------------------------------------------------------
  // Events from the service
  // ------------------------------------------------------------------------------------------

  /** @internal RenegotiationRequested: answer the other party's offer, or refuse it. */
  _onRenegotiationRequested(operationId, operation, sdpOffer) {
    if (operation === 'PullCall') return this.#answerPull(operationId, sdpOffer);
    return this.#renegotiation.answer(operationId, operation, sdpOffer);
  }

  /** @internal CallOperationCompleted for an operation this device started. */
  _onOperationCompleted(operationId, operation, succeeded, error, sdpAnswer) {
    const pull = this.#pull;
    if (pull && (pull.id === operationId || (pull.id === null && operation === 'PullCall'))) {
      pull.resolve({ succeeded, error, sdpAnswer });
      return;
    }
    this.#renegotiation.completed(operationId, operation, succeeded, error, sdpAnswer);
  }

  /** @internal A newer snapshot (CallStatusChanged, MediaAttributesChanged, ResumeCall, IncomingCall). */
  _onSnapshot(snapshot, source) {
    const changes = this.#snapshot.accept(snapshot, source);
    if (!changes) return; // stale
    this.#mergeRemoteParameters(snapshot.customParameters);
    if (IN_CALL_STATES.includes(snapshot.state)) this.#media.localHold = Boolean(snapshot.localHold);
    this.#syncQuality();
    if (changes.mediaChanged) this._emit('mediaAttributesChanged', { ...snapshot.media });
    if (changes.statusChanged) {
      if (snapshot.state === 'Ended') this.#close();
      this._emit('callStatusChanged', snapshot.state);
      if (snapshot.state === 'Ended' && snapshot.endReason === 'MovedToAnotherDevice') this._emit('callPulled');
      if (snapshot.state === 'Ended' && snapshot.endReason === 'Transferred') this._emit('callTransferred');
    }
  }

  /** @internal RemoteDescription: the callee's answer. */
  _onRemoteDescription(type, sdp) {
    return this.#signaling.run(async () => {
      const pc = this.#media.peerConnection;
      if (!pc || this.#closed) return;
      try {
        await pc.setRemoteDescription({ type, sdp });
        this.#candidates.flushRemote();
      } catch (error) {
        this.#service._log('error', `the answer could not be applied, ending the call: ${error}`);
        this._emit('callFailed', toCallError(error, 'WebRtcError'));
        this.endCall();
      }
    });
  }

  /** @internal CustomParametersReceived: the other party sent custom parameters (before the status change they come with). */
  _onCustomParameters(customParameters) {
    if (!customParameters || typeof customParameters !== 'object') return;
    this.#mergeRemoteParameters(customParameters);
    this._emit('customParametersReceived', { ...customParameters });
  }

  /** @internal DtmfReceived: the other party sent DTMF digits (SendDtmf). */
  _onDtmfReceived(digits) {
    this._emit('dtmfReceived', digits);
  }

  /** @internal IceCandidate from the other party. */
  _onRemoteCandidate(candidate) {
    if (this.#closed) return;
    this.#candidates.remote(candidate);
  }

  /** @internal The connection came back: the server's view of the call. */
  _onResumed(snapshot) {
    this.#renegotiation.resumed(snapshot.pendingOperationId);
    this._onSnapshot(snapshot, 'resume');
    this._emit('callResumed');
  }

  /** @internal The call could not be resumed after a reconnect. */
  _onResumeFailed(error) {
    this._emit('callResumeFailed', error);
    if (error.code === 'InvalidState' || error.code === 'CallNotFound') {
      const last = this.#snapshot.current;
      this._onSnapshot({ ...last, state: 'Ended', endReason: last.endReason ?? 'ConnectionLost', sequence: last.sequence }, 'resume');
    }
  }

  /** @internal */
  _emit(name, ...args) {
    this.#listener.emit(name, ...args);
  }

  /** @internal Releases everything (the service is disconnecting). */
  _dispose() {
    this.#close();
  }

  // ------------------------------------------------------------------------------------------
  // Plumbing
  // ------------------------------------------------------------------------------------------

  #invoke(method, ...args) {
    return this.#service._invoke(method, ...args);
  }

  /** @param {Record<string, string> | null | undefined} parameters */
  #mergeRemoteParameters(parameters) {
    if (parameters && typeof parameters === 'object') Object.assign(this.#remoteParameters, parameters);
  }

  /** Quality is sampled while the call is connected (InCall, OnHold, RemotelyHeld, OnDoubleHold). */
  #syncQuality() {
    if (!this.#closed && IN_CALL_STATES.includes(this.getState())) this.#quality.start();
    else this.#quality.stop();
  }

  /** A quality sample: ReportQuality (its failures only logged), `qualitySample`, the warnings that changed. */
  #onQualitySample(sample) {
    if (this.#closed || !IN_CALL_STATES.includes(this.getState())) return;
    this.#invoke('ReportQuality', this.getId(), sample)
      .catch((error) => this.#service._log('info', `ReportQuality: ${error?.code ?? ''}: ${error?.message ?? error}`));
    this._emit('qualitySample', { ...sample });
    const { raised, cleared } = this.#warnings.add(sample);
    for (const name of raised) this._emit('qualityWarning', name);
    for (const name of cleared) this._emit('qualityWarningCleared', name);
  }

  #sendCandidate(candidate) {
    if (this.#closed) return;
    this.#invoke('SendIceCandidate', this.getId(), candidate)
      .catch((error) => this.#service._log('warn', `SendIceCandidate: ${error.code}: ${error.message}`));
  }

  #releaseMedia() {
    this.#media.release();
    this.#candidates.stopSending();
  }

  /** The first offer or answer failed: release the media and do not leave a call behind on the server that nobody will establish. */
  #giveUpMedia() {
    this.#releaseMedia();
    this.#invoke('EndCall', this.getId(), null, null).catch(() => {});
  }

  #close() {
    if (this.#closed) return;
    this.#closed = true;
    this.#quality.stop();
    this.#pull?.resolve({ succeeded: false, error: 'InvalidState: the call ended', sdpAnswer: null });
    const transferred = this.#snapshot.current.endReason === 'Transferred';
    this.#transfer?.resolve({ succeeded: transferred, reason: transferred ? null : 'InvalidState' });
    this.#renegotiation.abandon();
    this.#media.dispose();
    this.#candidates.stopSending();
    this.#service._forget(this);
  }
}
