// Calls the application's listener for one call: its own listener, else the service's. A listener
// that throws is logged, never propagated.

import { toCallError } from '../errors.js';

/** @typedef {(level: 'info' | 'warn' | 'error', message: string) => void} Log */

export class ListenerDispatch {
  #call;
  #listener;
  #fallback;
  #log;

  /**
   * @param {object} call the first argument of every callback
   * @param {object} options
   * @param {object | null} [options.listener] this call's listener
   * @param {() => object | null} options.fallback the listener to use without one (the service's)
   * @param {Log} options.log
   */
  constructor(call, { listener, fallback, log }) {
    this.#call = call;
    this.#listener = listener ?? null;
    this.#fallback = fallback;
    this.#log = log;
  }

  /** Calls `listener[name](call, ...args)` if the listener has it. */
  emit(name, ...args) {
    const listener = this.#listener ?? this.#fallback();
    const callback = listener?.[name];
    if (typeof callback !== 'function') return;
    try {
      callback.call(listener, this.#call, ...args);
    } catch (error) {
      this.#log('error', `listener.${name} threw: ${error?.stack ?? error}`);
    }
  }

  /**
   * Runs `work` and reports `<base>Succeeded` or `<base>Failed(error)`; resolves true or false, never
   * rejects. `work` runs synchronously up to its first `await`.
   * @param {string} base
   * @param {() => unknown} work
   * @returns {Promise<boolean>}
   */
  async attempt(base, work) {
    try {
      await work();
      this.emit(`${base}Succeeded`);
      return true;
    } catch (error) {
      const callError = toCallError(error);
      this.#log('info', `${base} failed: ${callError.code}: ${callError.message}`);
      this.emit(`${base}Failed`, callError);
      return false;
    }
  }
}
