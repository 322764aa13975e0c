// Runs the tasks that touch an RTCPeerConnection's signaling state one after another (an offer, an
// answer, a remote description), so that no two of them interleave.

export class SignalingQueue {
  /** @type {Promise<unknown>} */ #tail = Promise.resolve();

  /**
   * Runs `task` once every task queued before it has settled; resolves or rejects as `task` does.
   * @template T
   * @param {() => T | Promise<T>} task
   * @returns {Promise<T>}
   */
  run(task) {
    const result = this.#tail.then(task, task);
    this.#tail = result.catch(() => {});
    return result;
  }
}
