// Where a call's streams are shown and heard: the application's local and remote <video> elements,
// and an Audio element of the SDK's own when there is no remote view (the call is still heard).

export class MediaViews {
  /** @type {HTMLVideoElement | null} */ #local = null;
  /** @type {HTMLVideoElement | null} */ #remote = null;
  /** @type {HTMLAudioElement | null} */ #audioSink = null;
  /** The streams this call put on elements: clear() takes only those off (another call may show its own there now). */
  /** @type {Set<MediaStream>} */ #shown = new Set();

  /** @param {HTMLVideoElement | null | undefined} element */
  setLocal(element) { this.#local = element ?? null; }
  /** @param {HTMLVideoElement | null | undefined} element */
  setRemote(element) { this.#remote = element ?? null; }

  /**
   * Shows the streams: the local one muted in the local view, the remote one in the remote view (or
   * the audio sink). `remoteChanged`: the remote stream gained or lost a track (set it again).
   * @param {MediaStream | null} localStream
   * @param {MediaStream | null} remoteStream
   * @param {boolean} [remoteChanged]
   */
  show(localStream, remoteStream, remoteChanged = false) {
    const setSource = (element, stream, muted) => {
      if (!element) return;
      if (element.srcObject !== stream || remoteChanged) {
        element.srcObject = stream;
      }
      if (stream) this.#shown.add(stream);
      if (muted) element.muted = true;
      element.playsInline = true;
      element.autoplay = true;
      if (stream) element.play?.().catch(() => { /* autoplay policy: the element plays on the next gesture */ });
    };
    setSource(this.#local, localStream, true);
    if (this.#remote) {
      setSource(this.#remote, remoteStream, false);
      if (this.#audioSink) {
        this.#audioSink.srcObject = null;
        this.#audioSink = null;
      }
    } else if (remoteStream && typeof document !== 'undefined' && typeof Audio !== 'undefined') {
      this.#audioSink ??= new Audio();
      setSource(this.#audioSink, remoteStream, false);
    }
  }

  /**
   * The media were released: the elements showing this call's streams show nothing. An element that shows
   * another call's stream by now (the application gave it to another call: call waiting, a consultation) is
   * left alone.
   */
  clear() {
    for (const element of [this.#local, this.#remote, this.#audioSink]) {
      if (element && (!element.srcObject || this.#shown.has(/** @type {MediaStream} */ (element.srcObject)))) element.srcObject = null;
    }
    this.#shown.clear();
  }

  /** The call is over: the SDK's own audio element is dropped. */
  dropAudioSink() {
    this.#audioSink = null;
  }
}
