// Trickle ICE for one call. Local candidates are held until the offer or answer is on the server
// (startSending), remote ones until the RTCPeerConnection has a remote description (flushRemote);
// both keep their order.

/** @typedef {import('../../index.js').IceCandidateInit} IceCandidateInit */

/**
 * The {candidate, sdpMid, sdpMLineIndex} of a gathered candidate, or null for the end of gathering.
 * @param {RTCIceCandidate | null | undefined} iceCandidate
 * @returns {IceCandidateInit | null}
 */
export function candidateInit(iceCandidate) {
  if (!iceCandidate || !iceCandidate.candidate) return null;
  const init = iceCandidate.toJSON();
  return { candidate: init.candidate, sdpMid: init.sdpMid ?? null, sdpMLineIndex: init.sdpMLineIndex ?? null };
}

export class IceCandidateQueue {
  /** @type {IceCandidateInit[]} */ #pendingLocal = [];
  /** @type {IceCandidateInit[]} */ #pendingRemote = [];
  #canSend = false;
  #awaitingNewConnection = false;
  #peerConnection;
  #send;
  #accept;
  #log;

  /**
   * @param {object} options
   * @param {() => RTCPeerConnection | null} options.peerConnection the call's, when it has one
   * @param {(candidate: IceCandidateInit) => void} options.send sends a local candidate to the other party
   * @param {(candidate: IceCandidateInit, direction: 'local' | 'remote') => boolean} options.accept the application's filter
   * @param {(level: 'warn', message: string) => void} options.log
   */
  constructor({ peerConnection, send, accept, log }) {
    this.#peerConnection = peerConnection;
    this.#send = send;
    this.#accept = accept;
    this.#log = log;
  }

  /** A candidate this device gathered (the `icecandidate` event's): sent now, or kept until startSending. */
  local(iceCandidate) {
    const candidate = candidateInit(iceCandidate);
    if (!candidate) return; // end of gathering: nothing to tell
    if (!this.#accept(candidate, 'local')) return;
    if (this.#canSend) this.#send(candidate);
    else this.#pendingLocal.push(candidate);
  }

  /** The offer or answer is on the server: send the kept local candidates and the next ones at once. */
  startSending() {
    this.#canSend = true;
    for (const candidate of this.#pendingLocal.splice(0)) this.#send(candidate);
  }

  /** The media were released: hold local candidates again and forget the kept ones. */
  stopSending() {
    this.#canSend = false;
    this.#pendingLocal = [];
  }

  /** A candidate from the other party: added now if there is a remote description, else kept. */
  remote(candidate) {
    if (!candidate) return;
    if (!this.#accept(candidate, 'remote')) return;
    const pc = this.#peerConnection();
    if (pc && pc.remoteDescription && !this.#awaitingNewConnection) this.#add(pc, candidate);
    else this.#pendingRemote.push(candidate);
  }

  /**
   * The call moves to a new connection (PullCall): the other party's candidates from now on belong to it,
   * so they are kept until its remote description is set (flushRemote), not added to the old one.
   */
  awaitNewConnection() {
    this.#awaitingNewConnection = true;
  }

  /** A new connection did not happen: its kept candidates go, and the other party's go to the current one again. */
  forgetHeldRemote() {
    if (!this.#awaitingNewConnection) return;
    this.#awaitingNewConnection = false;
    this.#pendingRemote = [];
  }

  /** The remote description was set: add the kept remote candidates, in the order they came. */
  flushRemote() {
    const pc = this.#peerConnection();
    if (!pc || !pc.remoteDescription) return;
    this.#awaitingNewConnection = false;
    for (const candidate of this.#pendingRemote.splice(0)) this.#add(pc, candidate);
  }

  /** @param {RTCPeerConnection} pc @param {IceCandidateInit} candidate */
  #add(pc, candidate) {
    pc.addIceCandidate(candidate).catch((error) => this.#log('warn', `addIceCandidate: ${error}`));
  }
}
