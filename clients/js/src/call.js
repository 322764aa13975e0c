// One call: its signaling state (the server's snapshots) and its media (one RTCPeerConnection).
//
// Offers (the seeds' three kinds): establishCall(true) = audio + video; establishCall(false) = audio
// + an inactive video transceiver (two m-lines); establishAudioCall() = one audio m-line.
// Hold (RFC 3264 §8.4): the holder offers audio `sendonly` (`inactive` when it is itself held) and
// sends no media while holding; unhold offers `sendrecv`. VideoStart offers video `sendrecv`
// (adding a video m-line when the call has none); VideoStop offers `recvonly`.

import { CallError, parseOperationError, toCallError } from './errors.js';
import { IN_CALL_STATES } from './constants.js';
import { summarizeStats } from './stats.js';

const RENEGOTIATIONS = {
  HoldCall: 'holdCall',
  UnholdCall: 'unholdCall',
  VideoStart: 'videoStart',
  VideoStop: 'videoStop',
};

/** @param {boolean} send @param {boolean} recv @returns {RTCRtpTransceiverDirection} */
function direction(send, recv) {
  if (send && recv) return 'sendrecv';
  if (send) return 'sendonly';
  if (recv) return 'recvonly';
  return 'inactive';
}

/** The direction of each m-section of an SDP, in order, by media kind. */
function sdpDirections(sdp) {
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

export class Call {
  /** @type {import('./call-service.js').CallService} */ #service;
  #listener;
  #snapshot;
  #incomingOffer = null;
  /** @type {RTCPeerConnection | null} */ #pc = null;
  #localStream = null;
  #remoteStream = null;
  #micTrack = null;
  #camTrack = null;
  #audioTx = null;
  #videoTx = null;
  #localView = null;
  #remoteView = null;
  #audioSink = null;
  #pendingRemoteCandidates = [];
  #pendingLocalCandidates = [];
  #canSendCandidates = false;
  #queue = Promise.resolve();
  #operation = null; // { name, id, resolve, early }
  #localHold = false;
  #sendingVideo = false;
  #muted = false;
  #closed = false;

  /** @internal */
  constructor(service, snapshot, { listener, offer } = {}) {
    this.#service = service;
    this.#snapshot = snapshot;
    this.#listener = listener ?? null;
    this.#incomingOffer = offer ?? null;
    this.#localHold = Boolean(snapshot.localHold);
    this.#muted = Boolean(snapshot.media?.localMuted);
  }

  // ------------------------------------------------------------------------------------------
  // Reading the call
  // ------------------------------------------------------------------------------------------

  /** The call id. */
  getId() { return this.#snapshot.callId; }
  /** The state as the server last told this device (`Initial`, `Dialing`, … `Ended`). */
  getState() { return this.#snapshot.state; }
  /** A copy of the last CallSnapshot (this device's point of view). */
  getSnapshot() { return structuredClone(this.#snapshot); }
  /** `outgoing` or `incoming`. */
  getDirection() { return this.#snapshot.direction; }
  isIncoming() { return this.#snapshot.direction === 'incoming'; }
  getLocalAddress() { return this.#snapshot.localAddress; }
  getRemoteAddress() { return this.#snapshot.remoteAddress; }
  getRemoteDisplayName() { return this.#snapshot.remoteDisplayName ?? null; }
  getEndReason() { return this.#snapshot.endReason ?? null; }
  /** The media flags of the snapshot: {audio, video, localVideo, remoteVideo, localMuted, remoteMuted}. */
  getMediaAttributes() { return { ...this.#snapshot.media }; }
  isMuted() { return this.#muted; }
  isVideoSending() { return this.#sendingVideo; }
  /** The incoming offer's SDP (incoming calls). */
  getIncomingOffer() { return this.#incomingOffer; }
  /** Whether the incoming offer carries active video (incoming calls). */
  isVideoOffered() {
    return sdpDirections(this.#incomingOffer).some((m) => m.kind === 'video' && m.port !== 0 && m.direction !== 'inactive');
  }
  getPeerConnection() { return this.#pc; }
  getLocalStream() { return this.#localStream; }
  getRemoteStream() { return this.#remoteStream; }
  /** The RTCPeerConnection's stats report (null before media was set up). */
  async getStats() { return this.#pc ? this.#pc.getStats() : null; }
  /** A summary of getStats(): bytes and frames per kind and the selected candidate pair, plus ICE state. */
  async getMediaStats() {
    const report = await this.getStats();
    return {
      ...summarizeStats(report),
      iceConnectionState: this.#pc?.iceConnectionState ?? 'new',
      connectionState: this.#pc?.connectionState ?? 'new',
      signalingState: this.#pc?.signalingState ?? 'closed',
    };
  }

  /** Where the local camera is shown (a <video>; it is muted). */
  setLocalVideoView(element) {
    this.#localView = element ?? null;
    this.#attachViews();
  }

  /** Where the remote party is shown and heard (a <video>). */
  setRemoteVideoView(element) {
    this.#remoteView = element ?? null;
    this.#attachViews();
  }

  // ------------------------------------------------------------------------------------------
  // Outgoing: the three offers
  // ------------------------------------------------------------------------------------------

  /** Sends the offer: audio and video when `video`, else audio with an inactive video m-line. */
  establishCall(video = false) {
    return this.#establish(video ? 'video' : 'audioWithInactiveVideo');
  }

  /** Sends an audio-only offer (a single audio m-line). */
  establishAudioCall() {
    return this.#establish('audio');
  }

  async #establish(kind) {
    return this.#attempt('establishCall', async () => {
      if (this.isIncoming()) throw new CallError('Forbidden', 'only the caller establishes a call');
      if (this.#pc || this.getState() !== 'Initial') throw new CallError('InvalidState', 'the call was already established');
      await this.#run(async () => {
        try {
          const video = kind === 'video';
          await this.#acquireMedia(video);
          const pc = await this.#createPeerConnection();
          this.#audioTx = pc.addTransceiver(this.#micTrack, { direction: 'sendrecv', streams: [this.#localStream] });
          if (video) {
            this.#videoTx = pc.addTransceiver(this.#camTrack, { direction: 'sendrecv', streams: [this.#localStream] });
            this.#sendingVideo = true;
          } else if (kind === 'audioWithInactiveVideo') {
            this.#videoTx = pc.addTransceiver('video', { direction: 'inactive' });
          }
          await pc.setLocalDescription(await pc.createOffer());
          await this.#invoke('EstablishCall', this.getId(), pc.localDescription.sdp);
        } catch (error) {
          this.#releaseMedia();
          // Do not leave a call behind on the server that nobody will establish.
          this.#invoke('EndCall', this.getId()).catch(() => {});
          throw error;
        }
        this.#startSendingCandidates();
      });
    });
  }

  // ------------------------------------------------------------------------------------------
  // Incoming: accept, reject, ignore, forward
  // ------------------------------------------------------------------------------------------

  /** Answers the incoming call, sending video when `video` (and the offer has video). */
  acceptCall(video = false) {
    return this.#attempt('acceptCall', async () => {
      if (!this.isIncoming()) throw new CallError('Forbidden', 'only the callee accepts a call');
      if (this.#pc) throw new CallError('InvalidState', 'the call was already accepted');
      if (this.getState() !== 'Ringing') throw new CallError('InvalidState', 'the call is not ringing');
      await this.#run(async () => {
        try {
          const sendVideo = video && this.isVideoOffered();
          await this.#acquireMedia(sendVideo);
          const pc = await this.#createPeerConnection();
          await pc.setRemoteDescription({ type: 'offer', sdp: this.#incomingOffer });
          this.#pickTransceivers();
          if (!this.#audioTx) throw new CallError('InvalidSdp', 'the offer has no audio');
          await this.#audioTx.sender.replaceTrack(this.#micTrack);
          this.#audioTx.sender.setStreams?.(this.#localStream);
          this.#audioTx.direction = 'sendrecv';
          if (this.#videoTx) {
            if (sendVideo) {
              await this.#videoTx.sender.replaceTrack(this.#camTrack);
              this.#videoTx.sender.setStreams?.(this.#localStream);
            }
            this.#videoTx.direction = sendVideo ? 'sendrecv' : 'recvonly';
          }
          await pc.setLocalDescription(await pc.createAnswer());
          const answerVideo = sdpDirections(pc.localDescription.sdp).find((m) => m.kind === 'video');
          this.#sendingVideo = Boolean(sendVideo && answerVideo && answerVideo.port !== 0 && /send/.test(answerVideo.direction));
          if (!this.#sendingVideo) this.#dropCamera();
          await this.#invoke('AcceptCall', this.getId(), pc.localDescription.sdp);
        } catch (error) {
          this.#releaseMedia();
          // Do not leave a call behind on the server that nobody will establish.
          this.#invoke('EndCall', this.getId()).catch(() => {});
          throw error;
        }
        this.#startSendingCandidates();
        await this.#flushRemoteCandidates();
      });
    });
  }

  /** Rejects the incoming call (every device stops ringing; the caller sees Rejected). */
  rejectCall() {
    return this.#attempt('rejectCall', () => this.#invoke('RejectCall', this.getId()));
  }

  /** Stops ringing on this device only; the caller is not told. */
  ignoreCall() {
    return this.#attempt('ignoreCall', () => this.#invoke('IgnoreCall', this.getId()));
  }

  /** Forwards the ringing call to another user (`user` or `user@domain`). */
  forwardCall(target) {
    const address = typeof target === 'string' ? target : target?.address ?? String(target);
    return this.#attempt('forwardCall', () => this.#invoke('ForwardCall', this.getId(), address));
  }

  // ------------------------------------------------------------------------------------------
  // Either party
  // ------------------------------------------------------------------------------------------

  /** Ends the call (for a ringing incoming call this rejects it; for an unanswered outgoing call it cancels). */
  endCall() {
    return this.#attempt('endCall', () => this.#invoke('EndCall', this.getId()));
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
    return this.#attempt(muted ? 'muteCall' : 'unmuteCall', async () => {
      const before = this.#muted;
      this.#muted = muted;
      if (this.#micTrack) this.#micTrack.enabled = !muted;
      try {
        await this.#invoke(muted ? 'Mute' : 'Unmute', this.getId());
      } catch (error) {
        this.#muted = before;
        if (this.#micTrack) this.#micTrack.enabled = !before;
        throw error;
      }
    });
  }

  /** Puts the call on hold: the other party stops hearing and seeing this side, and vice versa. */
  holdCall() {
    return this.#renegotiate('HoldCall', async () => {
      const undo = this.#rememberDirections();
      this.#applyOfferDirections({ localHold: true, sendingVideo: this.#sendingVideo });
      return {
        undo,
        succeeded: () => { this.#localHold = true; },
      };
    });
  }

  /** Takes the call off hold. */
  unholdCall() {
    return this.#renegotiate('UnholdCall', async () => {
      const undo = this.#rememberDirections();
      this.#applyOfferDirections({ localHold: false, sendingVideo: this.#sendingVideo });
      return {
        undo,
        succeeded: () => { this.#localHold = false; },
      };
    });
  }

  /** Starts sending camera video (adds a video m-line to an audio-only call). */
  videoStart() {
    return this.#renegotiate('VideoStart', async () => {
      const pc = this.#pc;
      const hadCamera = Boolean(this.#camTrack);
      if (!hadCamera) {
        const stream = await this.#getUserMedia({ video: true });
        this.#camTrack = stream.getVideoTracks()[0];
        this.#localStream.addTrack(this.#camTrack);
        this.#attachViews();
      }
      let added = false;
      if (!this.#videoTx || this.#videoTx.stopped) {
        this.#videoTx = pc.addTransceiver('video', { direction: 'recvonly', streams: [this.#localStream] });
        added = true;
      }
      const undoDirections = this.#rememberDirections();
      const previousTrack = this.#videoTx.sender.track;
      await this.#videoTx.sender.replaceTrack(this.#camTrack);
      this.#applyOfferDirections({ localHold: this.#localHold, sendingVideo: true });
      return {
        undo: async () => {
          undoDirections();
          if (added) {
            try { this.#videoTx.stop(); } catch { /* already gone */ }
            this.#videoTx = null;
          } else {
            await this.#videoTx.sender.replaceTrack(previousTrack);
          }
          if (!hadCamera) this.#dropCamera();
        },
        succeeded: () => { this.#sendingVideo = true; },
      };
    });
  }

  /** Stops sending video. */
  videoStop() {
    return this.#renegotiate('VideoStop', async () => {
      if (!this.#videoTx) throw new CallError('InvalidState', 'no video is being sent');
      const undo = this.#rememberDirections();
      this.#applyOfferDirections({ localHold: this.#localHold, sendingVideo: false });
      return {
        undo,
        succeeded: () => {
          this.#sendingVideo = false;
          this.#dropCamera();
        },
      };
    });
  }

  // ------------------------------------------------------------------------------------------
  // Renegotiation: ours (an operation) and theirs (RenegotiationRequested)
  // ------------------------------------------------------------------------------------------

  async #renegotiate(method, prepare) {
    const callbackBase = RENEGOTIATIONS[method];
    return this.#attempt(callbackBase, async () => {
      if (this.#closed || !IN_CALL_STATES.includes(this.getState())) {
        throw new CallError('InvalidState', 'the call is not in progress');
      }
      if (!this.#pc) throw new CallError('InvalidState', 'the call has no media session on this device');
      if (this.#operation) {
        throw new CallError('OperationInProgress', `${this.#operation.name} is still in progress`);
      }
      const operation = { name: method, id: null, resolve: null, result: null };
      const completed = new Promise((resolve) => { operation.resolve = resolve; });
      this.#operation = operation;
      try {
        let plan;
        await this.#run(async () => {
          const pc = this.#pc;
          if (!pc || pc.signalingState !== 'stable') {
            throw new CallError('OperationInProgress', 'a renegotiation is in progress');
          }
          plan = await prepare();
          try {
            await pc.setLocalDescription(await pc.createOffer());
            operation.id = await this.#invoke(method, this.getId(), pc.localDescription.sdp);
          } catch (error) {
            await this.#rollback(plan.undo);
            throw error;
          }
        });
        const result = await completed;
        await this.#run(async () => {
          if (!result.succeeded) {
            await this.#rollback(plan.undo);
            throw parseOperationError(result.error);
          }
          await this.#pc.setRemoteDescription({ type: 'answer', sdp: result.sdpAnswer });
          plan.succeeded();
          await this.#syncSenders();
        });
      } finally {
        if (this.#operation === operation) this.#operation = null;
      }
    });
  }

  async #rollback(undo) {
    try {
      if (this.#pc && this.#pc.signalingState === 'have-local-offer') {
        await this.#pc.setLocalDescription({ type: 'rollback' });
      }
    } catch (error) {
      this.#service._log('warn', `rollback failed: ${error}`);
    }
    await undo?.();
  }

  #rememberDirections() {
    const saved = [this.#audioTx, this.#videoTx].filter(Boolean).map((tx) => [tx, tx.direction]);
    return () => {
      for (const [tx, dir] of saved) {
        if (!tx.stopped) tx.direction = dir;
      }
    };
  }

  /** Our offer's directions. Holding: audio sendonly, or inactive when the other side holds too. */
  #applyOfferDirections({ localHold, sendingVideo }) {
    const remoteHold = Boolean(this.#snapshot.remoteHold);
    if (this.#audioTx) {
      this.#audioTx.direction = localHold ? direction(!remoteHold, false) : 'sendrecv';
    }
    if (this.#videoTx && !this.#videoTx.stopped) {
      this.#videoTx.direction = localHold ? direction(sendingVideo, false) : direction(sendingVideo, true);
    }
  }

  /** Our answer's directions: what we would do; the answer is their intersection with the offer. */
  #applyAnswerDirections() {
    if (this.#audioTx) this.#audioTx.direction = direction(true, !this.#localHold);
    if (this.#videoTx && !this.#videoTx.stopped) {
      this.#videoTx.direction = direction(this.#sendingVideo, !this.#localHold);
    }
  }

  /** While this side holds it sends nothing (no music on hold); otherwise the microphone and camera. */
  async #syncSenders() {
    const audio = this.#localHold ? null : this.#micTrack;
    if (this.#audioTx && !this.#audioTx.stopped && this.#audioTx.sender.track !== audio) {
      await this.#audioTx.sender.replaceTrack(audio);
    }
    const video = this.#sendingVideo && !this.#localHold ? this.#camTrack : null;
    if (this.#videoTx && !this.#videoTx.stopped && this.#videoTx.sender.track !== video) {
      await this.#videoTx.sender.replaceTrack(video);
    }
  }

  /** @internal RenegotiationRequested: answer the other party's offer, or refuse it. */
  _onRenegotiationRequested(operationId, operation, sdpOffer) {
    return this.#run(async () => {
      const pc = this.#pc;
      try {
        if (!pc) throw new CallError('InvalidState', 'no media session on this device');
        if (pc.signalingState === 'have-local-offer') {
          await pc.setLocalDescription({ type: 'rollback' });
        }
        await pc.setRemoteDescription({ type: 'offer', sdp: sdpOffer });
        this.#pickTransceivers();
        this.#applyAnswerDirections();
        await pc.setLocalDescription(await pc.createAnswer());
        await this.#syncSenders();
        await this.#flushRemoteCandidates();
        await this.#invoke('AnswerRenegotiation', this.getId(), operationId, pc.localDescription.sdp);
        this._emit('renegotiationAnswered', operation);
      } catch (error) {
        this.#service._log('warn', `could not answer ${operation}: ${error}`);
        try {
          if (pc && pc.signalingState === 'have-remote-offer') await pc.setRemoteDescription({ type: 'rollback' });
        } catch { /* nothing more to undo */ }
        try {
          await this.#invoke('RejectRenegotiation', this.getId(), operationId, String(error?.message ?? error).slice(0, 200));
        } catch (rejectError) {
          this.#service._log('warn', `RejectRenegotiation failed: ${rejectError}`);
        }
      }
    });
  }

  /** @internal CallOperationCompleted for an operation this device started. */
  _onOperationCompleted(operationId, operation, succeeded, error, sdpAnswer) {
    const pending = this.#operation;
    if (!pending || pending.result) return;
    if (pending.id === operationId || (pending.id === null && pending.name === operation)) {
      pending.result = { succeeded, error, sdpAnswer };
      pending.resolve(pending.result);
    }
  }

  // ------------------------------------------------------------------------------------------
  // Events from the service
  // ------------------------------------------------------------------------------------------

  /** @internal A newer snapshot (CallStatusChanged, MediaAttributesChanged, ResumeCall, IncomingCall). */
  _onSnapshot(snapshot, source) {
    if (snapshot.sequence < this.#snapshot.sequence) return; // stale
    const before = this.#snapshot;
    this.#snapshot = snapshot;
    if (IN_CALL_STATES.includes(snapshot.state)) this.#localHold = Boolean(snapshot.localHold);
    if (source === 'media' || JSON.stringify(before.media) !== JSON.stringify(snapshot.media)) {
      this._emit('mediaAttributesChanged', { ...snapshot.media });
    }
    if (before.state !== snapshot.state || before.remoteAddress !== snapshot.remoteAddress ||
        before.remoteHold !== snapshot.remoteHold || before.localHold !== snapshot.localHold) {
      if (snapshot.state === 'Ended') this.#close();
      this._emit('callStatusChanged', snapshot.state);
    }
  }

  /** @internal RemoteDescription: the callee's answer. */
  _onRemoteDescription(type, sdp) {
    return this.#run(async () => {
      if (!this.#pc || this.#closed) return;
      try {
        await this.#pc.setRemoteDescription({ type, sdp });
        await this.#flushRemoteCandidates();
      } catch (error) {
        this.#service._log('error', `the answer could not be applied, ending the call: ${error}`);
        this._emit('callFailed', toCallError(error, 'WebRtcError'));
        this.endCall();
      }
    });
  }

  /** @internal IceCandidate from the other party. */
  _onRemoteCandidate(candidate) {
    if (!candidate || this.#closed) return;
    if (!this.#service._acceptCandidate(candidate, 'remote')) return;
    if (this.#pc && this.#pc.remoteDescription) {
      this.#addRemoteCandidate(candidate);
    } else {
      this.#pendingRemoteCandidates.push(candidate);
    }
  }

  #addRemoteCandidate(candidate) {
    this.#pc.addIceCandidate(candidate).catch((error) => this.#service._log('warn', `addIceCandidate: ${error}`));
  }

  async #flushRemoteCandidates() {
    if (!this.#pc || !this.#pc.remoteDescription) return;
    const pending = this.#pendingRemoteCandidates.splice(0);
    for (const candidate of pending) this.#addRemoteCandidate(candidate);
  }

  /** @internal The connection came back: the server's view of the call. */
  _onResumed(snapshot) {
    // An operation whose completion went to the old connection is no longer pending on the server: fail it
    // here, so that it does not hold the call's one operation slot for ever.
    const pending = this.#operation;
    if (pending?.id && snapshot.pendingOperationId !== pending.id) {
      pending.resolve?.({ succeeded: false, error: 'Timeout: the operation completed while this device was reconnecting', sdpAnswer: null });
    }
    this._onSnapshot(snapshot, 'resume');
    this._emit('callResumed');
  }

  /** @internal The call could not be resumed after a reconnect. */
  _onResumeFailed(error) {
    this._emit('callResumeFailed', error);
    if (error.code === 'InvalidState' || error.code === 'CallNotFound') {
      this._onSnapshot({ ...this.#snapshot, state: 'Ended', endReason: this.#snapshot.endReason ?? 'ConnectionLost', sequence: this.#snapshot.sequence }, 'resume');
    }
  }

  /** @internal */
  _emit(name, ...args) {
    const listener = this.#listener ?? this.#service.listener;
    const callback = listener?.[name];
    if (typeof callback !== 'function') return;
    try {
      callback.call(listener, this, ...args);
    } catch (error) {
      this.#service._log('error', `listener.${name} threw: ${error?.stack ?? error}`);
    }
  }

  /** @internal Releases everything (the service is disconnecting). */
  _dispose() {
    this.#close();
  }

  // ------------------------------------------------------------------------------------------
  // Plumbing
  // ------------------------------------------------------------------------------------------

  /** Runs `work`, reporting `<base>Succeeded` / `<base>Failed` to the listener; resolves true/false. */
  async #attempt(base, work) {
    try {
      await work();
      this._emit(`${base}Succeeded`);
      return true;
    } catch (error) {
      const callError = toCallError(error);
      this.#service._log('info', `${base} failed: ${callError.code}: ${callError.message}`);
      this._emit(`${base}Failed`, callError);
      return false;
    }
  }

  /** Serialises everything that touches the RTCPeerConnection's signaling state. */
  #run(task) {
    const result = this.#queue.then(task, task);
    this.#queue = result.catch(() => {});
    return result;
  }

  #invoke(method, ...args) {
    return this.#service._invoke(method, ...args);
  }

  #getUserMedia(constraints) {
    return this.#service._getUserMedia(constraints);
  }

  async #acquireMedia(video) {
    const stream = await this.#getUserMedia({ audio: true, video });
    this.#micTrack = stream.getAudioTracks()[0] ?? null;
    this.#camTrack = video ? stream.getVideoTracks()[0] ?? null : null;
    if (!this.#micTrack) throw new CallError('MediaError', 'no microphone track');
    this.#micTrack.enabled = !this.#muted;
    this.#localStream = new MediaStream(stream.getTracks());
    this.#attachViews();
  }

  #dropCamera() {
    if (!this.#camTrack) return;
    this.#camTrack.stop();
    this.#localStream?.removeTrack(this.#camTrack);
    this.#camTrack = null;
    this.#attachViews();
  }

  async #createPeerConnection() {
    const iceServers = await this.#service._iceServers();
    const pc = new RTCPeerConnection({
      iceServers,
      bundlePolicy: 'max-bundle',
      rtcpMuxPolicy: 'require',
      ...this.#service.rtcConfiguration,
    });
    this.#pc = pc;
    this.#remoteStream = new MediaStream();
    pc.addEventListener('icecandidate', (event) => {
      if (!event.candidate || !event.candidate.candidate) return; // end of gathering: nothing to tell
      const init = event.candidate.toJSON();
      const candidate = { candidate: init.candidate, sdpMid: init.sdpMid ?? null, sdpMLineIndex: init.sdpMLineIndex ?? null };
      if (!this.#service._acceptCandidate(candidate, 'local')) return;
      if (this.#canSendCandidates) this.#sendCandidate(candidate);
      else this.#pendingLocalCandidates.push(candidate);
    });
    pc.addEventListener('track', (event) => {
      const track = event.track;
      if (!this.#remoteStream.getTracks().includes(track)) this.#remoteStream.addTrack(track);
      track.addEventListener('ended', () => {
        this.#remoteStream?.removeTrack(track);
        this.#attachViews(true);
      });
      this.#attachViews(true);
      this._emit('remoteStreamChanged', this.#remoteStream);
    });
    pc.addEventListener('iceconnectionstatechange', () => {
      this._emit('iceConnectionStateChanged', pc.iceConnectionState);
    });
    return pc;
  }

  #startSendingCandidates() {
    this.#canSendCandidates = true;
    for (const candidate of this.#pendingLocalCandidates.splice(0)) this.#sendCandidate(candidate);
  }

  #sendCandidate(candidate) {
    if (this.#closed) return;
    this.#invoke('SendIceCandidate', this.getId(), candidate)
      .catch((error) => this.#service._log('warn', `SendIceCandidate: ${error.code}: ${error.message}`));
  }

  #attachViews(remoteChanged = false) {
    const setSource = (element, stream, muted) => {
      if (!element) return;
      if (element.srcObject !== stream || remoteChanged) {
        element.srcObject = stream;
      }
      if (muted) element.muted = true;
      element.playsInline = true;
      element.autoplay = true;
      if (stream) element.play?.().catch(() => { /* autoplay policy: the element plays on the next gesture */ });
    };
    setSource(this.#localView, this.#localStream, true);
    if (this.#remoteView) {
      setSource(this.#remoteView, this.#remoteStream, false);
      if (this.#audioSink) {
        this.#audioSink.srcObject = null;
        this.#audioSink = null;
      }
    } else if (this.#remoteStream && typeof document !== 'undefined' && typeof Audio !== 'undefined') {
      // Without a remote view the call is still heard.
      this.#audioSink ??= new Audio();
      setSource(this.#audioSink, this.#remoteStream, false);
    }
  }

  #releaseMedia() {
    for (const track of this.#localStream?.getTracks() ?? []) track.stop();
    this.#micTrack?.stop();
    this.#camTrack?.stop();
    this.#micTrack = null;
    this.#camTrack = null;
    this.#localStream = null;
    try { this.#pc?.close(); } catch { /* closed */ }
    this.#pc = null;
    this.#audioTx = null;
    this.#videoTx = null;
    this.#remoteStream = null;
    this.#canSendCandidates = false;
    this.#pendingLocalCandidates = [];
    this.#sendingVideo = false;
    for (const element of [this.#localView, this.#remoteView, this.#audioSink]) {
      if (element) element.srcObject = null;
    }
  }

  #close() {
    if (this.#closed) return;
    this.#closed = true;
    this.#operation?.resolve?.({ succeeded: false, error: 'InvalidState: the call ended', sdpAnswer: null });
    this.#releaseMedia();
    this.#audioSink = null;
    this.#service._forget(this);
  }

  /** Which transceiver carries audio and which video (after a remote offer added m-lines). */
  #pickTransceivers() {
    for (const tx of this.#pc.getTransceivers()) {
      if (tx.stopped) continue;
      const kind = tx.receiver.track?.kind;
      if (kind === 'audio' && !this.#audioTx) this.#audioTx = tx;
      if (kind === 'video' && (!this.#videoTx || this.#videoTx.stopped)) this.#videoTx = tx;
    }
  }
}
