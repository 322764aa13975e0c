// The server's view of one call (its CallSnapshots), from this device's side: the last one, and what
// changed when a newer one arrives.

/** @typedef {import('../../index.js').CallSnapshot} CallSnapshot */

export class CallSnapshotView {
  /** @type {CallSnapshot} */ #snapshot;

  /** @param {CallSnapshot} snapshot */
  constructor(snapshot) {
    this.#snapshot = snapshot;
  }

  /** The last snapshot (not a copy: do not change it). */
  get current() { return this.#snapshot; }
  /** A copy of the last snapshot. */
  copy() { return structuredClone(this.#snapshot); }

  get callId() { return this.#snapshot.callId; }
  get state() { return this.#snapshot.state; }
  get direction() { return this.#snapshot.direction; }
  get isIncoming() { return this.#snapshot.direction === 'incoming'; }
  get localAddress() { return this.#snapshot.localAddress; }
  get remoteAddress() { return this.#snapshot.remoteAddress; }
  get remoteDisplayName() { return this.#snapshot.remoteDisplayName ?? null; }
  get endReason() { return this.#snapshot.endReason ?? null; }
  get remoteHold() { return Boolean(this.#snapshot.remoteHold); }
  /** A copy of the media flags. */
  get media() { return { ...this.#snapshot.media }; }

  /**
   * Takes `snapshot` unless it is older than the last one (`sequence`).
   * @param {CallSnapshot} snapshot
   * @param {string} source `status` (CallStatusChanged, IncomingCall), `media` (MediaAttributesChanged), `resume`
   * @returns {{ mediaChanged: boolean, statusChanged: boolean } | null} null when stale;
   *   `mediaChanged`: the media flags changed, or the server said so (`media`); `statusChanged`: the
   *   state, the remote party or a hold flag changed
   */
  accept(snapshot, source) {
    if (snapshot.sequence < this.#snapshot.sequence) return null;
    const before = this.#snapshot;
    this.#snapshot = snapshot;
    return {
      mediaChanged: source === 'media' || JSON.stringify(before.media) !== JSON.stringify(snapshot.media),
      statusChanged: before.state !== snapshot.state || before.remoteAddress !== snapshot.remoteAddress ||
        before.remoteHold !== snapshot.remoteHold || before.localHold !== snapshot.localHold,
    };
  }
}
