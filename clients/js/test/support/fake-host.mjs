// The other side of a Call in unit tests: a fake hub connection that records every invocation and
// answers as the test scripts it, the service members a Call uses (CallService's @internal ones, over
// that hub), and a listener that records every callback.

import { parseHubError } from '../../src/errors.js';
import { fakeGetUserMedia } from './fake-webrtc.mjs';

/**
 * A hub connection: `invoke(method, ...args)` is recorded; `reply(method, fn)` scripts the result;
 * `receive(method, ...args)` is the server sending a hub event to the handlers given to `on`.
 */
export class FakeHub {
  /** Every invocation, in order: `{method, args}`. */
  invocations = [];
  /** The connection's state, as HubConnection.state. */
  state = 'Disconnected';
  #replies = new Map();
  #handlers = new Map();
  #waiters = [];

  on(method, handler) {
    this.#handlers.set(method, [...(this.#handlers.get(method) ?? []), handler]);
  }

  /** The server sends the event `method(...args)` to this connection. Throws when nobody listens to it. */
  receive(method, ...args) {
    const handlers = this.#handlers.get(method) ?? [];
    if (handlers.length === 0) throw new Error(`no handler for the hub event ${method}`);
    for (const handler of handlers) handler(...args);
  }

  async start() { this.state = 'Connected'; }
  async stop() { this.state = 'Disconnected'; }
  onreconnecting() {}
  onreconnected() {}
  onclose() {}

  /** `fn(...args)` gives the invocation's result, or throws (as the server's HubException would). */
  reply(method, fn) {
    this.#replies.set(method, fn);
    return this;
  }

  async invoke(method, ...args) {
    this.invocations.push({ method, args });
    for (const waiter of [...this.#waiters]) waiter();
    const reply = this.#replies.get(method);
    return reply ? reply(...args) : null;
  }

  /** The arguments of each invocation of `method`, in order. */
  calls(method) {
    return this.invocations.filter((i) => i.method === method).map((i) => i.args);
  }

  /** The invoked methods' names, in order. */
  get methods() {
    return this.invocations.map((i) => i.method);
  }

  /** Resolves with the arguments of the `nth` invocation of `method` (at once if it already happened). */
  invoked(method, nth = 1) {
    return new Promise((resolve) => {
      const check = () => {
        const calls = this.calls(method);
        if (calls.length < nth) return false;
        this.#waiters = this.#waiters.filter((w) => w !== waiter);
        resolve(calls[nth - 1]);
        return true;
      };
      const waiter = () => { check(); };
      if (!check()) this.#waiters.push(waiter);
    });
  }
}

/** A server-side failure as SignalR delivers it: "… HubException: Code: text". */
export function hubError(code, text) {
  return new Error(`An unexpected error occurred invoking the method on the server. HubException: ${code}: ${text}`);
}

/** A listener that records every callback: `events` [{name, args}] (args without the call). */
export function recordingListener() {
  const events = [];
  let waiters = [];
  const record = (name) => (_call, ...args) => {
    events.push({ name, args });
    for (const waiter of [...waiters]) waiter();
  };
  const listener = new Proxy({}, {
    get(_target, name) {
      if (typeof name !== 'string' || name === 'then') return undefined;
      return record(name);
    },
  });
  return {
    listener,
    events,
    /** The callbacks' names, in order. */
    get names() { return events.map((e) => e.name); },
    /** The arguments of the first `name` callback, or undefined. */
    args(name) { return events.find((e) => e.name === name)?.args; },
    /** Resolves with the arguments of the `nth` `name` callback (at once if it already came). */
    next(name, nth = 1) {
      return new Promise((resolve) => {
        const check = () => {
          const found = events.filter((e) => e.name === name);
          if (found.length < nth) return false;
          waiters = waiters.filter((w) => w !== check);
          resolve(found[nth - 1].args);
          return true;
        };
        if (!check()) waiters.push(check);
      });
    },
  };
}

/**
 * The members of CallService that a Call uses, over a FakeHub. `logs` and `forgotten` record what
 * the call logged and when it asked to be forgotten (it ended). `qualityIntervalMs` (default 0: none) is
 * the time between the calls' quality samples.
 */
export function fakeService({ hub = new FakeHub(), listener = null, getUserMedia = fakeGetUserMedia(), iceServers = [], iceCandidateFilter = null, qualityIntervalMs = 0 } = {}) {
  const logs = [];
  const forgotten = [];
  return {
    hub,
    logs,
    forgotten,
    getUserMedia,
    listener,
    rtcConfiguration: {},
    async _invoke(method, ...args) {
      try {
        return await hub.invoke(method, ...args);
      } catch (error) {
        throw parseHubError(error);
      }
    },
    async _iceServers() { return iceServers; },
    _acceptCandidate(candidate, direction) {
      return typeof iceCandidateFilter === 'function' ? Boolean(iceCandidateFilter(candidate, direction)) : true;
    },
    _getUserMedia(constraints) { return getUserMedia(constraints); },
    _forget(call) { forgotten.push(call); },
    // No quality sampling unless a test asks for it (quality.test.mjs, with mocked timers).
    _qualityIntervalMs() { return qualityIntervalMs; },
    _log(level, message) { logs.push({ level, message }); },
  };
}
