// The media of one call: its RTCPeerConnection, the audio and video transceivers, the microphone and
// camera tracks, the local and remote streams and their views. It knows what this side sends (hold,
// video, mute); it creates the caller's first offer and the callee's first answer. Renegotiations
// (renegotiation.js) use its transceivers, directions and senders.

import { CallError } from '../errors.js';
import { MediaViews } from './media-views.js';
import { acceptDirections, answerSendsVideo, establishDirections, sentMedia } from './sdp-directions.js';

/** @typedef {import('./sdp-directions.js').Directions} Directions */
/** An RTCRtpTransceiver with `stopped` (browsers have it; TypeScript's DOM declarations do not). */
/** @typedef {RTCRtpTransceiver & { stopped?: boolean }} Transceiver */

export class MediaSession {
  /** @type {RTCPeerConnection | null} */ #pc = null;
  /** @type {MediaStream | null} */ #localStream = null;
  /** @type {MediaStream | null} */ #remoteStream = null;
  /** @type {MediaStreamTrack | null} */ #micTrack = null;
  /** @type {MediaStreamTrack | null} */ #camTrack = null;
  /** @type {Transceiver | null} */ #audioTx = null;
  /** @type {Transceiver | null} */ #videoTx = null;
  #views = new MediaViews();
  #localHold = false;
  #sendingVideo = false;
  #muted = false;
  #host;

  /**
   * @param {object} host
   * @param {(constraints: MediaStreamConstraints) => Promise<MediaStream>} host.getUserMedia
   * @param {() => Promise<RTCIceServer[]>} host.iceServers
   * @param {() => Partial<RTCConfiguration>} host.rtcConfiguration extra configuration, read for each new connection
   * @param {(candidate: RTCIceCandidate | null) => void} host.onLocalCandidate the `icecandidate` event's
   * @param {(stream: MediaStream) => void} host.onRemoteStreamChanged
   * @param {(state: RTCIceConnectionState) => void} host.onIceConnectionStateChange
   * @param {{ localHold?: boolean, muted?: boolean }} [initial] from the call's first snapshot
   */
  constructor(host, { localHold = false, muted = false } = {}) {
    this.#host = host;
    this.#localHold = Boolean(localHold);
    this.#muted = Boolean(muted);
  }

  get peerConnection() { return this.#pc; }
  get localStream() { return this.#localStream; }
  get remoteStream() { return this.#remoteStream; }
  get audioTransceiver() { return this.#audioTx; }
  get videoTransceiver() { return this.#videoTx; }

  /** This side holds the other party (it sends nothing). */
  get localHold() { return this.#localHold; }
  set localHold(value) { this.#localHold = Boolean(value); }
  /** This side sends camera video. */
  get sendingVideo() { return this.#sendingVideo; }
  set sendingVideo(value) { this.#sendingVideo = Boolean(value); }
  /** What this side does: `{localHold, sendingVideo}`. */
  get intent() { return { localHold: this.#localHold, sendingVideo: this.#sendingVideo }; }
  get muted() { return this.#muted; }

  /** Mutes or unmutes: the microphone track is disabled while muted. */
  setMuted(muted) {
    this.#muted = muted;
    if (this.#micTrack) this.#micTrack.enabled = !muted;
  }

  /** @param {HTMLVideoElement | null | undefined} element */
  setLocalView(element) {
    this.#views.setLocal(element);
    this.#showViews();
  }

  /** @param {HTMLVideoElement | null | undefined} element */
  setRemoteView(element) {
    this.#views.setRemote(element);
    this.#showViews();
  }

  // ------------------------------------------------------------------------------------------
  // The first offer and answer
  // ------------------------------------------------------------------------------------------

  /**
   * The caller's offer (an OfferKind): microphone (and camera), the connection, the transceivers,
   * the local description. Resolves to the offer's SDP.
   * @param {string} kind
   * @returns {Promise<string>}
   */
  async createInitialOffer(kind) {
    const directions = establishDirections(kind);
    await this.#acquireMedia(directions.sendVideo);
    const pc = await this.#open();
    this.#audioTx = pc.addTransceiver(this.#micTrack, { direction: directions.audio, streams: [this.#localStream] });
    if (directions.sendVideo) {
      this.#videoTx = pc.addTransceiver(this.#camTrack, { direction: directions.video, streams: [this.#localStream] });
      this.#sendingVideo = true;
    } else if (directions.video) {
      this.#videoTx = pc.addTransceiver('video', { direction: directions.video });
    }
    await pc.setLocalDescription(await pc.createOffer());
    return pc.localDescription.sdp;
  }

  /**
   * A pulled call's offer (PullCall) from this device: a new connection with the call's state, holding
   * (audio `sendonly`) when this side holds, sending video when it did. Resolves to the offer's SDP.
   * @param {{ localHold: boolean, sendVideo: boolean, receiveVideo: boolean }} state
   * @returns {Promise<string>}
   */
  async createPullOffer({ localHold, sendVideo, receiveVideo }) {
    await this.#acquireMedia(sendVideo);
    this.#localHold = Boolean(localHold);
    const pc = await this.#open();
    const direction = localHold ? 'sendonly' : 'sendrecv';
    this.#audioTx = pc.addTransceiver(this.#micTrack, { direction, streams: [this.#localStream] });
    if (sendVideo && this.#camTrack) {
      this.#videoTx = pc.addTransceiver(this.#camTrack, { direction, streams: [this.#localStream] });
      this.#sendingVideo = true;
    } else if (receiveVideo) {
      this.#videoTx = pc.addTransceiver('video', { direction: localHold ? 'inactive' : 'recvonly' });
    }
    await pc.setLocalDescription(await pc.createOffer());
    return pc.localDescription.sdp;
  }

  /**
   * The other party pulled the call to another of its devices: a new connection answers that device's
   * offer with this side's tracks, hold and video (`directions`). The old connection stays until the
   * server took the answer: `keep()` then closes it, `undo()` (the pull failed) closes the new one and
   * puts the old one back, so the call never loses its media to a pull that did not happen.
   * @param {string} sdpOffer
   * @param {Directions} directions
   * @returns {Promise<{ sdp: string, keep: () => void, undo: () => void }>}
   */
  async answerOnNewConnection(sdpOffer, directions) {
    const previous = { pc: this.#pc, audioTx: this.#audioTx, videoTx: this.#videoTx, remoteStream: this.#remoteStream };
    const restore = () => {
      try { this.#pc?.close(); } catch { /* closed */ }
      this.#pc = previous.pc;
      this.#audioTx = previous.audioTx;
      this.#videoTx = previous.videoTx;
      this.#remoteStream = previous.remoteStream;
      this.#showViews(true);
    };
    this.#pc = null;
    this.#audioTx = null;
    this.#videoTx = null;
    try {
      const pc = await this.#open();
      await pc.setRemoteDescription({ type: 'offer', sdp: sdpOffer });
      this.pickTransceivers();
      if (!this.#audioTx) throw new CallError('InvalidSdp', 'the offer has no audio');
      await this.#audioTx.sender.replaceTrack(this.#micTrack);
      this.#audioTx.sender.setStreams?.(this.#localStream);
      if (this.#videoTx && this.#sendingVideo && this.#camTrack) {
        await this.#videoTx.sender.replaceTrack(this.#camTrack);
        this.#videoTx.sender.setStreams?.(this.#localStream);
      }
      this.setDirections(directions);
      await pc.setLocalDescription(await pc.createAnswer());
      await this.syncSenders();
      return {
        sdp: pc.localDescription.sdp,
        keep: () => {
          try { previous.pc?.close(); } catch { /* closed */ }
          this.#showViews(true);
        },
        undo: restore,
      };
    } catch (error) {
      restore();
      throw error;
    }
  }

  /**
   * The callee's answer to `sdpOffer`, sending video when `sendVideo` (the camera is dropped when the
   * answer does not send it). Resolves to the answer's SDP.
   * @param {string} sdpOffer
   * @param {boolean} sendVideo
   * @returns {Promise<string>}
   */
  async answerInitialOffer(sdpOffer, sendVideo) {
    await this.#acquireMedia(sendVideo);
    const pc = await this.#open();
    await pc.setRemoteDescription({ type: 'offer', sdp: sdpOffer });
    this.pickTransceivers();
    if (!this.#audioTx) throw new CallError('InvalidSdp', 'the offer has no audio');
    const directions = acceptDirections(sendVideo);
    await this.#audioTx.sender.replaceTrack(this.#micTrack);
    this.#audioTx.sender.setStreams?.(this.#localStream);
    this.#audioTx.direction = directions.audio;
    if (this.#videoTx) {
      if (sendVideo) {
        await this.#videoTx.sender.replaceTrack(this.#camTrack);
        this.#videoTx.sender.setStreams?.(this.#localStream);
      }
      this.#videoTx.direction = directions.video;
    }
    await pc.setLocalDescription(await pc.createAnswer());
    this.#sendingVideo = Boolean(sendVideo && answerSendsVideo(pc.localDescription.sdp));
    if (!this.#sendingVideo) this.dropCamera();
    return pc.localDescription.sdp;
  }

  // ------------------------------------------------------------------------------------------
  // Transceivers, directions, senders (for renegotiations)
  // ------------------------------------------------------------------------------------------

  /** Which transceiver carries audio and which video (after a remote offer added m-lines). */
  pickTransceivers() {
    for (const tx of /** @type {Transceiver[]} */ (this.#pc.getTransceivers())) {
      if (tx.stopped) continue;
      const kind = tx.receiver.track?.kind;
      if (kind === 'audio' && !this.#audioTx) this.#audioTx = tx;
      if (kind === 'video' && (!this.#videoTx || this.#videoTx.stopped)) this.#videoTx = tx;
    }
  }

  /** Sets the transceivers' directions (the video one unless it is stopped). */
  setDirections(/** @type {Directions} */ { audio, video }) {
    if (this.#audioTx) this.#audioTx.direction = audio;
    if (this.#videoTx && !this.#videoTx.stopped && video) this.#videoTx.direction = video;
  }

  /** Remembers the transceivers' directions; the function returned puts them back. */
  rememberDirections() {
    const saved = [this.#audioTx, this.#videoTx].filter(Boolean).map((tx) => /** @type {const} */ ([tx, tx.direction]));
    return () => {
      for (const [tx, dir] of saved) {
        if (!tx.stopped) tx.direction = dir;
      }
    };
  }

  /** Puts on the senders what this side sends now: nothing while holding, else microphone (and camera). */
  async syncSenders() {
    const send = sentMedia(this.intent);
    const audio = send.audio ? this.#micTrack : null;
    if (this.#audioTx && !this.#audioTx.stopped && this.#audioTx.sender.track !== audio) {
      await this.#audioTx.sender.replaceTrack(audio);
    }
    const video = send.video ? this.#camTrack : null;
    if (this.#videoTx && !this.#videoTx.stopped && this.#videoTx.sender.track !== video) {
      await this.#videoTx.sender.replaceTrack(video);
    }
  }

  /**
   * VideoStart's media: the camera (asked for if the call has none), a video transceiver (added,
   * `recvonly`, if the call has none) with the camera on its sender. Resolves to the function that
   * undoes it.
   * @returns {Promise<() => Promise<void>>}
   */
  async startCamera() {
    const pc = this.#pc;
    const hadCamera = Boolean(this.#camTrack);
    if (!hadCamera) {
      const stream = await this.#host.getUserMedia({ video: true });
      this.#camTrack = stream.getVideoTracks()[0];
      this.#localStream.addTrack(this.#camTrack);
      this.#showViews();
    }
    let added = false;
    if (!this.#videoTx || this.#videoTx.stopped) {
      this.#videoTx = pc.addTransceiver('video', { direction: 'recvonly', streams: [this.#localStream] });
      added = true;
    }
    const previousTrack = this.#videoTx.sender.track;
    await this.#videoTx.sender.replaceTrack(this.#camTrack);
    return async () => {
      if (added) {
        try { this.#videoTx.stop(); } catch { /* already gone */ }
        this.#videoTx = null;
      } else {
        await this.#videoTx.sender.replaceTrack(previousTrack);
      }
      if (!hadCamera) this.dropCamera();
    };
  }

  /** Stops the camera and takes it out of the local stream. */
  dropCamera() {
    if (!this.#camTrack) return;
    this.#camTrack.stop();
    this.#localStream?.removeTrack(this.#camTrack);
    this.#camTrack = null;
    this.#showViews();
  }

  /** Stops the tracks, closes the connection, clears the views. */
  release() {
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
    this.#sendingVideo = false;
    this.#views.clear();
  }

  /** The call is over: also forget the SDK's own audio element. */
  dispose() {
    this.release();
    this.#views.dropAudioSink();
  }

  // ------------------------------------------------------------------------------------------

  async #acquireMedia(video) {
    const stream = await this.#host.getUserMedia({ audio: true, video });
    this.#micTrack = stream.getAudioTracks()[0] ?? null;
    this.#camTrack = video ? stream.getVideoTracks()[0] ?? null : null;
    if (!this.#micTrack) throw new CallError('MediaError', 'no microphone track');
    this.#micTrack.enabled = !this.#muted;
    this.#localStream = new MediaStream(stream.getTracks());
    this.#showViews();
  }

  async #open() {
    const iceServers = await this.#host.iceServers();
    const pc = new RTCPeerConnection({
      iceServers,
      bundlePolicy: 'max-bundle',
      rtcpMuxPolicy: 'require',
      ...this.#host.rtcConfiguration(),
    });
    this.#pc = pc;
    this.#remoteStream = new MediaStream();
    pc.addEventListener('icecandidate', (event) => this.#host.onLocalCandidate(event.candidate));
    pc.addEventListener('track', (event) => {
      const track = event.track;
      if (!this.#remoteStream.getTracks().includes(track)) this.#remoteStream.addTrack(track);
      track.addEventListener('ended', () => {
        this.#remoteStream?.removeTrack(track);
        this.#showViews(true);
      });
      this.#showViews(true);
      this.#host.onRemoteStreamChanged(this.#remoteStream);
    });
    pc.addEventListener('iceconnectionstatechange', () => {
      this.#host.onIceConnectionStateChange(pc.iceConnectionState);
    });
    return pc;
  }

  #showViews(remoteChanged = false) {
    this.#views.show(this.#localStream, this.#remoteStream, remoteChanged);
  }
}
