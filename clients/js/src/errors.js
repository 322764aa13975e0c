// Errors of the CallServer SDK: every failure reaches the application as a CallError {code, message}.

/** An error with the contract's code (`InvalidState`, `OperationInProgress`, …) or an SDK code. */
export class CallError extends Error {
  /**
   * @param {string} code the error code: one of the server's codes, or `MediaError`, `WebRtcError`,
   *   `ConnectionError`, `Unexpected` for failures that happen in the SDK or the browser
   * @param {string} message a human-readable explanation
   * @param {unknown} [cause] the underlying error
   */
  constructor(code, message, cause) {
    super(message);
    /** @type {'CallError'} */
    this.name = 'CallError';
    this.code = code;
    if (cause !== undefined) this.cause = cause;
  }

  toJSON() {
    return { code: this.code, message: this.message };
  }
}

/**
 * Reads a hub invocation failure. The server throws `HubException("Code: text")` and SignalR delivers
 * "An unexpected error occurred invoking 'X' on the server. HubException: Code: text".
 * @param {unknown} error
 * @returns {CallError}
 */
export function parseHubError(error) {
  if (error instanceof CallError) return error;
  const text = error instanceof Error ? error.message : String(error);
  const hub = /HubException: (\w+):\s*([\s\S]*)$/.exec(text);
  if (hub) return new CallError(hub[1], hub[2], error);
  if (/connection|not in the 'Connected' State|disconnected|WebSocket/i.test(text)) {
    return new CallError('ConnectionError', text, error);
  }
  return new CallError('Unexpected', text, error);
}

/**
 * Reads the `error` of a CallOperationCompleted event ("Timeout: the other party did not answer in time").
 * @param {string | null | undefined} text
 * @returns {CallError}
 */
export function parseOperationError(text) {
  const match = /^(\w+):\s*([\s\S]*)$/.exec(text ?? '');
  return match ? new CallError(match[1], match[2]) : new CallError('Unexpected', text || 'the operation failed');
}

/** @param {unknown} error @param {string} [fallbackCode] @returns {CallError} */
export function toCallError(error, fallbackCode = 'Unexpected') {
  if (error instanceof CallError) return error;
  if (error && typeof error === 'object' && 'name' in error) {
    const name = /** @type {{name: string}} */ (error).name;
    if (['NotAllowedError', 'NotFoundError', 'NotReadableError', 'OverconstrainedError', 'SecurityError'].includes(name)) {
      return new CallError('MediaError', `${name}: ${/** @type {Error} */ (error).message}`, error);
    }
    if (['InvalidStateError', 'InvalidAccessError', 'OperationError', 'InvalidModificationError'].includes(name)) {
      return new CallError('WebRtcError', `${name}: ${/** @type {Error} */ (error).message}`, error);
    }
  }
  const message = error instanceof Error ? error.message : String(error);
  return new CallError(fallbackCode, message, error);
}
