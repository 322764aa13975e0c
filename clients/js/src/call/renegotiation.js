// Mid-call renegotiation (HoldCall, UnholdCall, VideoStart, VideoStop), both ways:
// - ours: one operation at a time; its offer goes with the hub method, which returns the operation
//   id; CallOperationCompleted brings the answer (applied) or a failure (the offer is rolled back and
//   the transceivers put back as they were);
// - theirs: RenegotiationRequested brings the other party's offer; this side answers with its own
//   hold and video state (AnswerRenegotiation), or refuses it (RejectRenegotiation).

import { CallError, parseOperationError } from '../errors.js';
import { answerDirections, intentAfter, operationOfferDirections } from './sdp-directions.js';

/** The mid-call operations (hub methods) and the listener callbacks that report them. */
export const RENEGOTIATIONS = Object.freeze({
  HoldCall: 'holdCall',
  UnholdCall: 'unholdCall',
  VideoStart: 'videoStart',
  VideoStop: 'videoStop',
});

/**
 * CallOperationCompleted's outcome.
 * @typedef {{ succeeded: boolean, error: string | null, sdpAnswer: string | null }} OperationResult
 */

/**
 * The operation this device started and waits for.
 * @typedef {{ name: string, id: string | null, resolve: (result: OperationResult) => void, result: OperationResult | null }} PendingOperation
 */

export class Renegotiation {
  /** @type {PendingOperation | null} */ #operation = null;
  /** @type {import('./media-session.js').MediaSession} */ #media;
  /** @type {import('./signaling-queue.js').SignalingQueue} */ #signaling;
  /** @type {import('./ice-candidate-queue.js').IceCandidateQueue} */ #candidates;
  #host;

  /**
   * @param {object} parts
   * @param {import('./media-session.js').MediaSession} parts.media
   * @param {import('./signaling-queue.js').SignalingQueue} parts.signaling
   * @param {import('./ice-candidate-queue.js').IceCandidateQueue} parts.candidates
   * @param {object} host
   * @param {() => string} host.callId
   * @param {() => boolean} host.remoteHold whether the other party holds this side (the last snapshot's)
   * @param {(method: string, ...args: unknown[]) => Promise<any>} host.invoke a hub method
   * @param {(operation: string) => void} host.answered the other party's operation was answered
   * @param {(level: 'warn', message: string) => void} host.log
   */
  constructor({ media, signaling, candidates }, host) {
    this.#media = media;
    this.#signaling = signaling;
    this.#candidates = candidates;
    this.#host = host;
  }

  /** The name of the operation this device waits for, or null. */
  get pendingOperation() { return this.#operation?.name ?? null; }

  /**
   * Runs our `operation` (HoldCall, UnholdCall, VideoStart, VideoStop) to its end: resolves once the
   * answer is applied, rejects (a CallError) when it could not be offered or the server reports a
   * failure. Claims the call's one operation slot before its first `await`.
   * @param {string} operation
   * @param {object} [steps]
   * @param {() => Promise<(() => Promise<void>) | void> | void} [steps.prepare] media to set up before the
   *   offer (inside the signaling queue); may resolve to the function that undoes it
   * @param {() => void} [steps.succeeded] after the answer is applied, before the senders are updated
   * @param {(sdpOffer: string) => Promise<string | null>} [steps.send] sends the offer and resolves to the
   *   operation id, instead of the `operation` hub method (HoldAndAccept sends a HoldCall's offer)
   * @param {() => void} [steps.sent] the offer was taken (the operation id is known); its answer is awaited
   */
  async offer(operation, { prepare, succeeded, send, sent } = {}) {
    if (!this.#media.peerConnection) throw new CallError('InvalidState', 'the call has no media session on this device');
    if (this.#operation) {
      throw new CallError('OperationInProgress', `${this.#operation.name} is still in progress`);
    }
    /** @type {PendingOperation} */
    const pending = { name: operation, id: null, resolve: null, result: null };
    /** @type {Promise<OperationResult>} */
    const completed = new Promise((resolve) => { pending.resolve = resolve; });
    this.#operation = pending;
    try {
      let undo;
      await this.#signaling.run(async () => {
        const pc = this.#media.peerConnection;
        if (!pc || pc.signalingState !== 'stable') {
          throw new CallError('OperationInProgress', 'a renegotiation is in progress');
        }
        const undoMedia = await prepare?.();
        const restoreDirections = this.#media.rememberDirections();
        this.#media.setDirections(operationOfferDirections(operation, this.#intent()));
        undo = async () => {
          restoreDirections();
          if (typeof undoMedia === 'function') await undoMedia();
        };
        try {
          await pc.setLocalDescription(await pc.createOffer());
          const sdpOffer = pc.localDescription.sdp;
          pending.id = await (send ? send(sdpOffer) : this.#host.invoke(operation, this.#host.callId(), sdpOffer));
        } catch (error) {
          await this.#rollback(undo);
          throw error;
        }
      });
      sent?.();
      const result = await completed;
      await this.#signaling.run(async () => {
        if (!result.succeeded) {
          await this.#rollback(undo);
          throw parseOperationError(result.error);
        }
        await this.#media.peerConnection.setRemoteDescription({ type: 'answer', sdp: result.sdpAnswer });
        const after = intentAfter(operation, this.#media.intent);
        this.#media.localHold = after.localHold;
        this.#media.sendingVideo = after.sendingVideo;
        succeeded?.();
        await this.#media.syncSenders();
      });
    } finally {
      if (this.#operation === pending) this.#operation = null;
    }
  }

  /** CallOperationCompleted: the outcome of our operation (matched by id, or by name before the id is known). */
  completed(operationId, operation, succeeded, error, sdpAnswer) {
    const pending = this.#operation;
    if (!pending || pending.result) return;
    if (pending.id === operationId || (pending.id === null && pending.name === operation)) {
      pending.result = { succeeded, error, sdpAnswer };
      pending.resolve(pending.result);
    }
  }

  /**
   * After a reconnect: an operation the server no longer waits for completed while this device was
   * away (its completion went to the old connection). Fail it, so that it does not hold the slot.
   * @param {string | null | undefined} serverPendingOperationId the snapshot's pendingOperationId
   */
  resumed(serverPendingOperationId) {
    const pending = this.#operation;
    if (pending?.id && serverPendingOperationId !== pending.id) {
      pending.resolve?.({ succeeded: false, error: 'Timeout: the operation completed while this device was reconnecting', sdpAnswer: null });
    }
  }

  /** The call ended: our operation fails. */
  abandon() {
    this.#operation?.resolve?.({ succeeded: false, error: 'InvalidState: the call ended', sdpAnswer: null });
  }

  /**
   * RenegotiationRequested: applies the other party's offer and answers it with AnswerRenegotiation,
   * or, if that fails, rolls it back and sends RejectRenegotiation. Never rejects.
   * @param {string} operationId
   * @param {string} operation
   * @param {string} sdpOffer
   * @returns {Promise<void>}
   */
  answer(operationId, operation, sdpOffer) {
    return this.#signaling.run(async () => {
      const pc = this.#media.peerConnection;
      try {
        if (!pc) throw new CallError('InvalidState', 'no media session on this device');
        if (pc.signalingState === 'have-local-offer') {
          await pc.setLocalDescription({ type: 'rollback' });
        }
        await pc.setRemoteDescription({ type: 'offer', sdp: sdpOffer });
        this.#media.pickTransceivers();
        this.#media.setDirections(answerDirections(this.#media.intent));
        await pc.setLocalDescription(await pc.createAnswer());
        await this.#media.syncSenders();
        this.#candidates.flushRemote();
        await this.#host.invoke('AnswerRenegotiation', this.#host.callId(), operationId, pc.localDescription.sdp);
        this.#host.answered(operation);
      } catch (error) {
        this.#host.log('warn', `could not answer ${operation}: ${error}`);
        try {
          if (pc && pc.signalingState === 'have-remote-offer') await pc.setRemoteDescription({ type: 'rollback' });
        } catch { /* nothing more to undo */ }
        try {
          await this.#host.invoke('RejectRenegotiation', this.#host.callId(), operationId, String(error?.message ?? error).slice(0, 200));
        } catch (rejectError) {
          this.#host.log('warn', `RejectRenegotiation failed: ${rejectError}`);
        }
      }
    });
  }

  /** @returns {import('./sdp-directions.js').MediaIntent} */
  #intent() {
    return { ...this.#media.intent, remoteHold: this.#host.remoteHold() };
  }

  /** Rolls our offer back (if it is still the local description), then undoes the media changes. */
  async #rollback(undo) {
    const pc = this.#media.peerConnection;
    try {
      if (pc && pc.signalingState === 'have-local-offer') {
        await pc.setLocalDescription({ type: 'rollback' });
      }
    } catch (error) {
      this.#host.log('warn', `rollback failed: ${error}`);
    }
    await undo?.();
  }
}
