// One call: the application's handle on it. It composes the parts in ./call/:
//   call-snapshot.js        the server's view of the call (CallSnapshots, stale ones dropped)
//   media-session.js        the RTCPeerConnection, transceivers, tracks, streams (and media-views.js)
//   sdp-directions.js       which direction each transceiver offers or answers, per operation
//   renegotiation.js        hold/unhold/video offers and answers, their operation ids and outcomes
//   ice-candidate-queue.js  trickle ICE, candidates kept until they can be sent or applied
//   signaling-queue.js      one signaling step at a time
//   listener-dispatch.js    the application's listener (<operation>Succeeded/Failed, events)

import { CallError, parseOperationError, toCallError } from './errors.js';
import { IN_CALL_STATES } from './constants.js';
import { summarizeStats } from './stats.js';
import { CallSnapshotView } from './call/call-snapshot.js';
import { IceCandidateQueue } from './call/ice-candidate-queue.js';
import { ListenerDispatch } from './call/listener-dispatch.js';
import { MediaSession } from './call/media-session.js';
import { Renegotiation, RENEGOTIATIONS } from './call/renegotiation.js';
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

  /** Sends the offer: audio and video when `video`, else audio with an inactive video m-line. */
  establishCall(video = false) {
    return this.#establish(video ? OfferKind.Video : OfferKind.AudioWithInactiveVideo);
  }

  /** Sends an audio-only offer (a single audio m-line). */
  establishAudioCall() {
    return this.#establish(OfferKind.Audio);
  }

  async #establish(kind) {
    return this.#listener.attempt('establishCall', async () => {
      if (this.isIncoming()) throw new CallError('Forbidden', 'only the caller establishes a call');
      if (this.#media.peerConnection || this.getState() !== 'Initial') throw new CallError('InvalidState', 'the call was already established');
      await this.#signaling.run(async () => {
        try {
          const sdpOffer = await this.#media.createInitialOffer(kind);
          await this.#invoke('EstablishCall', this.getId(), sdpOffer);
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

  /** Answers the incoming call, sending video when `video` (and the offer has video). */
  acceptCall(video = false) {
    return this.#listener.attempt('acceptCall', async () => {
      if (!this.isIncoming()) throw new CallError('Forbidden', 'only the callee accepts a call');
      if (this.#media.peerConnection) throw new CallError('InvalidState', 'the call was already accepted');
      if (this.getState() !== 'Ringing') throw new CallError('InvalidState', 'the call is not ringing');
      await this.#signaling.run(async () => {
        try {
          const sdpAnswer = await this.#media.answerInitialOffer(this.#incomingOffer, video && this.isVideoOffered());
          await this.#invoke('AcceptCall', this.getId(), sdpAnswer);
        } catch (error) {
          this.#giveUpMedia();
          throw error;
        }
        this.#candidates.startSending();
        this.#candidates.flushRemote();
      });
    });
  }

  /** Rejects the incoming call (every device stops ringing; the caller sees Rejected). */
  rejectCall() {
    return this.#listener.attempt('rejectCall', () => this.#invoke('RejectCall', this.getId()));
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

  // ------------------------------------------------------------------------------------------
  // Either party
  // ------------------------------------------------------------------------------------------

  /** Ends the call (for a ringing incoming call this rejects it; for an unanswered outgoing call it cancels). */
  endCall() {
    return this.#listener.attempt('endCall', () => this.#invoke('EndCall', this.getId()));
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
    if (IN_CALL_STATES.includes(snapshot.state)) this.#media.localHold = Boolean(snapshot.localHold);
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
    this.#invoke('EndCall', this.getId()).catch(() => {});
  }

  #close() {
    if (this.#closed) return;
    this.#closed = true;
    this.#pull?.resolve({ succeeded: false, error: 'InvalidState: the call ended', sdpAnswer: null });
    const transferred = this.#snapshot.current.endReason === 'Transferred';
    this.#transfer?.resolve({ succeeded: transferred, reason: transferred ? null : 'InvalidState' });
    this.#renegotiation.abandon();
    this.#media.dispose();
    this.#candidates.stopSending();
    this.#service._forget(this);
  }
}
