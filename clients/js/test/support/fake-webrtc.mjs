// A fake of the browser's WebRTC objects, enough for the SDK: RTCPeerConnection (signaling states,
// transceivers, offers and answers written from the transceivers' directions, candidates),
// transceivers, tracks, MediaStream. Everything the SDK does to a connection is recorded in `calls`.
// install() puts RTCPeerConnection and MediaStream on globalThis, as a browser has them.

/** An SDP of m-sections `{kind, direction, port?}` (port 0: a stopped/rejected m-line). */
export function sdp(sections) {
  const lines = ['v=0', 'o=- 1 1 IN IP4 127.0.0.1', 's=-', 't=0 0'];
  sections.forEach((section, index) => {
    lines.push(`m=${section.kind} ${section.port ?? 9} UDP/TLS/RTP/SAVPF ${section.kind === 'audio' ? 111 : 96}`);
    lines.push(`a=mid:${index}`);
    lines.push(`a=${section.direction}`);
  });
  return `${lines.join('\r\n')}\r\n`;
}

/** The m-sections of an SDP written by sdp(): `[{kind, port, direction}]`. */
export function sections(text) {
  const result = [];
  for (const line of (text ?? '').split(/\r?\n/)) {
    if (line.startsWith('m=')) {
      const [kind, port] = line.slice(2).split(' ');
      result.push({ kind, port: Number(port), direction: 'sendrecv' });
    } else if (/^a=(sendrecv|sendonly|recvonly|inactive)$/.test(line) && result.length) {
      result[result.length - 1].direction = line.slice(2);
    }
  }
  return result;
}

/** The directions of an SDP's m-sections, e.g. `['sendonly', 'inactive']`. */
export function directionsOf(text) {
  return sections(text).map((m) => (m.port === 0 ? 'rejected' : m.direction));
}

const SEND = new Set(['sendrecv', 'sendonly']);
const RECV = new Set(['sendrecv', 'recvonly']);

function makeDirection(send, recv) {
  if (send && recv) return 'sendrecv';
  if (send) return 'sendonly';
  if (recv) return 'recvonly';
  return 'inactive';
}

/** The answer's direction (RFC 3264 §6.1): what the answerer wants, intersected with the offer's, reversed. */
export function answerDirection(local, offered) {
  return makeDirection(SEND.has(local) && RECV.has(offered), RECV.has(local) && SEND.has(offered));
}

function domError(name, message) {
  return Object.assign(new Error(message), { name });
}

let nextId = 1;

export class FakeTrack extends EventTarget {
  constructor(kind, label = `${kind}-${nextId++}`) {
    super();
    this.kind = kind;
    this.id = label;
    this.enabled = true;
    this.readyState = 'live';
  }

  stop() { this.readyState = 'ended'; }
}

export class FakeMediaStream {
  #tracks;
  constructor(tracks = []) { this.#tracks = [...tracks]; }
  getTracks() { return [...this.#tracks]; }
  getAudioTracks() { return this.#tracks.filter((t) => t.kind === 'audio'); }
  getVideoTracks() { return this.#tracks.filter((t) => t.kind === 'video'); }
  addTrack(track) { if (!this.#tracks.includes(track)) this.#tracks.push(track); }
  removeTrack(track) { this.#tracks = this.#tracks.filter((t) => t !== track); }
}

export class FakeSender {
  constructor(track) {
    this.track = track ?? null;
    /** Every track given to replaceTrack, in order. */
    this.replaced = [];
    this.streams = [];
  }

  async replaceTrack(track) {
    this.replaced.push(track);
    this.track = track;
  }

  setStreams(...streams) { this.streams = streams; }
}

/**
 * An RTCDTMFSender: insertDTMF is recorded in `inserted`; `playTone(tone)` is the browser playing one
 * (the `tonechange` event; '' at the end). `canInsertDTMF` as the test sets it (default true).
 */
export class FakeDTMFSender extends EventTarget {
  canInsertDTMF = true;
  toneBuffer = '';
  /** Every insertDTMF call's arguments, in order. */
  inserted = [];

  insertDTMF(...args) {
    this.inserted.push(args);
    this.toneBuffer = args[0];
  }

  playTone(tone) {
    const event = new Event('tonechange');
    event.tone = tone;
    this.toneBuffer = this.toneBuffer.slice(1);
    this.dispatchEvent(event);
  }
}

export class FakeTransceiver {
  constructor(kind, { direction = 'sendrecv', track = null, streams = [] } = {}) {
    this.kind = kind;
    this.direction = direction;
    this.sender = new FakeSender(track);
    this.sender.streams = streams;
    // Browsers give every audio sender an RTCDTMFSender (null for video).
    this.sender.dtmf = kind === 'audio' ? new FakeDTMFSender() : null;
    this.receiver = { track: new FakeTrack(kind, `remote-${kind}-${nextId++}`) };
    this.stopped = false;
  }

  stop() {
    this.stopped = true;
    this.direction = 'stopped';
  }
}

export class FakeIceCandidate {
  constructor(init) { this.init = init; this.candidate = init.candidate; }
  toJSON() { return { ...this.init }; }
}

export class FakePeerConnection extends EventTarget {
  /** Every connection created, in order. */
  static created = [];

  constructor(configuration) {
    super();
    FakePeerConnection.created.push(this);
    this.configuration = configuration;
    /** What the SDK did: `[method, argument]`, in order. */
    this.calls = [];
    /** Candidates added with addIceCandidate (after a remote description), in order. */
    this.candidates = [];
    this.signalingState = 'stable';
    this.iceConnectionState = 'new';
    this.connectionState = 'new';
    this.localDescription = null;
    this.remoteDescription = null;
    /** @type {FakeTransceiver[]} */
    this.transceivers = [];
    this.closed = false;
    this.#failures = new Map();
  }

  #failures;
  #stable = { local: null, remote: null };
  #addedByRemoteOffer = [];

  /** The next call of `method` rejects with `error` (e.g. a DOMException-like {name: 'OperationError'}). */
  failNext(method, error = domError('OperationError', `${method} failed`)) {
    this.#failures.set(method, error);
  }

  #record(method, argument) {
    this.calls.push([method, argument]);
    const failure = this.#failures.get(method);
    if (failure) {
      this.#failures.delete(method);
      throw failure;
    }
  }

  /** The names of the recorded calls, e.g. ['createOffer', 'setLocalDescription:offer']. */
  get steps() {
    return this.calls.map(([method, argument]) => (argument?.type ? `${method}:${argument.type}` : method));
  }

  addTransceiver(trackOrKind, init = {}) {
    this.calls.push(['addTransceiver', { kind: trackOrKind?.kind ?? trackOrKind, direction: init.direction }]);
    const track = typeof trackOrKind === 'string' ? null : trackOrKind;
    const transceiver = new FakeTransceiver(track ? track.kind : trackOrKind, { direction: init.direction, track, streams: init.streams });
    this.transceivers.push(transceiver);
    return transceiver;
  }

  getTransceivers() { return [...this.transceivers]; }

  getSenders() { return this.transceivers.map((tx) => tx.sender); }

  async createOffer() {
    this.#record('createOffer');
    if (this.closed) throw domError('InvalidStateError', 'closed');
    return {
      type: 'offer',
      sdp: sdp(this.transceivers.map((tx) => (tx.stopped ? { kind: tx.kind, direction: 'inactive', port: 0 } : { kind: tx.kind, direction: tx.direction }))),
    };
  }

  async createAnswer() {
    this.#record('createAnswer');
    if (this.signalingState !== 'have-remote-offer') throw domError('InvalidStateError', `createAnswer in ${this.signalingState}`);
    const offered = sections(this.remoteDescription.sdp);
    return {
      type: 'answer',
      sdp: sdp(offered.map((m, index) => {
        const tx = this.transceivers[index];
        if (m.port === 0 || !tx || tx.stopped) return { kind: m.kind, direction: 'inactive', port: 0 };
        return { kind: m.kind, direction: answerDirection(tx.direction, m.direction) };
      })),
    };
  }

  async setLocalDescription(description) {
    this.#record('setLocalDescription', description);
    const { type } = description;
    if (type === 'rollback') {
      if (this.signalingState !== 'have-local-offer') throw domError('InvalidStateError', `rollback in ${this.signalingState}`);
      this.localDescription = this.#stable.local;
      this.signalingState = 'stable';
    } else if (type === 'offer') {
      if (this.signalingState !== 'stable') throw domError('InvalidStateError', `local offer in ${this.signalingState}`);
      this.localDescription = description;
      this.signalingState = 'have-local-offer';
    } else if (type === 'answer') {
      if (this.signalingState !== 'have-remote-offer') throw domError('InvalidStateError', `local answer in ${this.signalingState}`);
      this.localDescription = description;
      this.signalingState = 'stable';
      this.#stable = { local: this.localDescription, remote: this.remoteDescription };
      this.#addedByRemoteOffer = [];
    }
  }

  async setRemoteDescription(description) {
    this.#record('setRemoteDescription', description);
    const { type } = description;
    if (type === 'rollback') {
      if (this.signalingState !== 'have-remote-offer') throw domError('InvalidStateError', `rollback in ${this.signalingState}`);
      this.remoteDescription = this.#stable.remote;
      this.transceivers = this.transceivers.filter((tx) => !this.#addedByRemoteOffer.includes(tx));
      this.#addedByRemoteOffer = [];
      this.signalingState = 'stable';
      return;
    }
    if (!description.sdp?.startsWith('v=0')) throw domError('OperationError', 'Failed to parse SessionDescription');
    if (type === 'offer') {
      if (this.signalingState !== 'stable') throw domError('InvalidStateError', `remote offer in ${this.signalingState}`);
      sections(description.sdp).forEach((m, index) => {
        if (!this.transceivers[index]) {
          const tx = new FakeTransceiver(m.kind, { direction: 'recvonly' });
          this.transceivers.push(tx);
          this.#addedByRemoteOffer.push(tx);
        }
      });
      this.remoteDescription = description;
      this.signalingState = 'have-remote-offer';
    } else if (type === 'answer') {
      if (this.signalingState !== 'have-local-offer') throw domError('InvalidStateError', `remote answer in ${this.signalingState}`);
      this.remoteDescription = description;
      this.signalingState = 'stable';
      this.#stable = { local: this.localDescription, remote: this.remoteDescription };
    }
  }

  async addIceCandidate(candidate) {
    this.#record('addIceCandidate', candidate);
    if (!this.remoteDescription) throw domError('InvalidStateError', 'addIceCandidate before the remote description');
    this.candidates.push(candidate);
  }

  async getStats() { return new Map(); }

  close() {
    this.calls.push(['close']);
    this.closed = true;
    this.signalingState = 'closed';
  }

  /** As the browser does when it gathered a candidate (`init` null: the end of gathering). */
  gather(init) {
    const event = new Event('icecandidate');
    event.candidate = init ? new FakeIceCandidate(init) : null;
    this.dispatchEvent(event);
  }
}

/** A getUserMedia that hands out fake tracks and records the constraints it was asked for. */
export function fakeGetUserMedia() {
  const requests = [];
  /** @type {Error | null} */
  let failure = null;
  const getUserMedia = async (constraints) => {
    requests.push(constraints);
    if (failure) {
      const error = failure;
      failure = null;
      throw error;
    }
    const tracks = [];
    if (constraints.audio) tracks.push(new FakeTrack('audio', 'microphone'));
    if (constraints.video) tracks.push(new FakeTrack('video', 'camera'));
    return new FakeMediaStream(tracks);
  };
  return Object.assign(getUserMedia, {
    requests,
    failNext(error = domError('NotAllowedError', 'Permission denied')) { failure = error; },
  });
}

/** Puts the fakes where the browser has the real ones. */
export function install() {
  globalThis.RTCPeerConnection = FakePeerConnection;
  globalThis.MediaStream = FakeMediaStream;
}
