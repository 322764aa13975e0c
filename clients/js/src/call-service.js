// The connection to CallServer's hub (/hubs/calls) and the calls of this device.

import * as signalR from '@microsoft/signalr';
import { Call } from './call.js';
import { CallError, parseHubError } from './errors.js';
import { CallHistory } from './history/call-history.js';
import { parseCallHistoryChange } from './history/call-history-entry.js';
import { problem } from './http-problem.js';
import { PushManager } from './push/push-manager.js';
import { renewalDelayMs, renewalPathOf, tokenClaims } from './token-renewal.js';

const DEFAULT_RECONNECT_DELAYS = [0, 1000, 2000, 5000, 10000, 10000]; // within the server's 30 s grace

function trimSlash(url) {
  return url.replace(/\/+$/, '');
}

function defaultBaseUrl() {
  return typeof location !== 'undefined' ? location.origin : undefined;
}

/** The `sub` claim of a JWT (the caller's address), or null. */
function tokenSubject(token) {
  return tokenClaims(token)?.sub ?? null;
}

export class CallService {
  /** @type {signalR.HubConnection} */ #hub;
  /** @type {Map<string, Call>} */ #calls = new Map();
  #tokenFactory;
  #iceCache = null; // { servers, expires }
  #options;
  /** The current token when the application gave one (renewed here for an anonymous caller). */
  #token = null;
  #renewalTimer = null;
  /** The calls a consultative transfer connects this device to (TransferConnected): accepted without ringing. */
  /** @type {Map<string, string>} newCallId → the consultation call it replaces */ #connectedByTransfer = new Map();

  /**
   * Connects to the server and returns the service once the hub connection is up.
   * @param {import('../index.js').CallServiceOptions} options
   */
  static async connect(options) {
    const service = new CallService(options);
    await service.#start();
    service.#scheduleRenewal();
    return service;
  }

  /**
   * An anonymous caller's token (given as `accessToken`) is renewed ahead of its expiry, unless
   * `renewAnonymousToken` is false: the hub closes a connection when its token expires, and the automatic
   * reconnect then uses the new token and resumes the calls (same identity, so ResumeCall is allowed).
   */
  #scheduleRenewal() {
    if (!this.#token || this.#options.renewAnonymousToken === false || !renewalPathOf(this.#token)) return;
    const delay = renewalDelayMs(this.#token, Date.now());
    if (delay === null) return;
    this.#renewalTimer = setTimeout(() => this.#renew(), delay);
  }

  async #renew() {
    this.#renewalTimer = null;
    try {
      const renewed = await CallService.renewToken({
        baseUrl: this.#options.baseUrl, accessToken: this.#token, fetch: this.#options.fetch ?? globalThis.fetch,
      });
      this.#token = renewed.accessToken;
      this.#scheduleRenewal();
    } catch (error) {
      (this.#options.logger ?? console).warn?.(`CallServer: could not renew the anonymous token: ${error?.message ?? error}`);
    }
  }

  /** POST /api/v1/auth/token: `{accessToken, expiresAt, address}` for a registered user. */
  static async login({ baseUrl = defaultBaseUrl(), username, password, fetch: fetchImpl = globalThis.fetch }) {
    const response = await fetchImpl(`${trimSlash(baseUrl)}/api/v1/auth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username, password }),
    });
    if (!response.ok) throw await problem(response);
    return response.json();
  }

  /**
   * POST /api/v1/anonymous-tokens: a token for an anonymous caller (needs `apiKey` unless public tokens are allowed).
   * @param {{ baseUrl?: string, apiKey?: string, allowedCallees?: string[], displayName?: string, ttlSeconds?: number, fetch?: typeof fetch }} [options]
   */
  static async anonymousToken({ baseUrl = defaultBaseUrl(), apiKey, allowedCallees, displayName, ttlSeconds, fetch: fetchImpl = globalThis.fetch } = {}) {
    const body = {};
    if (allowedCallees) body.allowedCallees = allowedCallees;
    if (displayName) body.displayName = displayName;
    if (ttlSeconds) body.ttlSeconds = ttlSeconds;
    const response = await fetchImpl(`${trimSlash(baseUrl)}/api/v1/anonymous-tokens`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(apiKey ? { 'X-Api-Key': apiKey } : {}) },
      body: JSON.stringify(body),
    });
    if (!response.ok) throw await problem(response);
    return response.json();
  }

  /**
   * POST /api/v1/anonymous-tokens/renew: a new token for the same anonymous caller (same address, allowed
   * callees and display name), in exchange for its current, still valid token.
   * @param {{ baseUrl?: string, accessToken: string, fetch?: typeof fetch }} options
   */
  static async renewAnonymousToken({ baseUrl = defaultBaseUrl(), accessToken, fetch: fetchImpl = globalThis.fetch }) {
    return CallService.renewToken({ baseUrl, accessToken, fetch: fetchImpl, path: '/api/v1/anonymous-tokens/renew' });
  }

  /**
   * Renews a token the server renews: an anonymous caller's (POST /api/v1/anonymous-tokens/renew) or a user
   * token the app's backend minted (POST /api/v1/user-tokens/renew): same identity, a new expiry.
   * @param {{ baseUrl?: string, accessToken: string, fetch?: typeof fetch, path?: string }} options
   */
  static async renewToken({ baseUrl = defaultBaseUrl(), accessToken, fetch: fetchImpl = globalThis.fetch, path = renewalPathOf(accessToken) ?? '/api/v1/user-tokens/renew' }) {
    const response = await fetchImpl(`${trimSlash(baseUrl)}${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${accessToken}` },
    });
    if (!response.ok) throw await problem(response);
    return response.json();
  }

  /** @param {import('../index.js').CallServiceOptions} options */
  constructor(options = {}) {
    const baseUrl = options.baseUrl ?? defaultBaseUrl();
    if (!baseUrl) throw new CallError('InvalidArgument', 'baseUrl is required');
    if (!options.accessToken && !options.accessTokenFactory) {
      throw new CallError('InvalidArgument', 'accessToken or accessTokenFactory is required');
    }
    this.#options = { ...options, baseUrl: trimSlash(baseUrl) };
    this.#token = options.accessToken ?? null;
    this.#tokenFactory = options.accessTokenFactory ?? (() => this.#token);
    /** The application's listener (CallApplicationListener): incomingCall, callStatusChanged, … */
    this.listener = options.listener ?? null;
    /** Extra RTCConfiguration fields for every RTCPeerConnection (iceServers come from the server). */
    this.rtcConfiguration = options.rtcConfiguration ?? {};
    this.localAddress = options.accessToken ? tokenSubject(options.accessToken) : null;
    /** Push wake-ups of this installation (subscribe, unsubscribe, …), with this service's token. */
    this.push = new PushManager({ baseUrl: this.#options.baseUrl, accessTokenFactory: () => this.#tokenFactory(), fetch: options.fetch });
    /** This user's call history (fetch, get, remove, clear), with this service's token. */
    this.history = new CallHistory({ baseUrl: this.#options.baseUrl, accessTokenFactory: () => this.#tokenFactory(), fetch: options.fetch });
  }

  get baseUrl() { return this.#options.baseUrl; }

  /** The hub connection state: Disconnected, Connecting, Connected, Disconnecting, Reconnecting. */
  getConnectionState() { return this.#hub?.state ?? 'Disconnected'; }

  /** This user's address (from the token's `sub`). */
  getLocalAddress() { return this.localAddress; }

  /** The calls this device knows and that have not ended. */
  getCalls() { return [...this.#calls.values()]; }

  getCall(callId) { return this.#calls.get(callId) ?? null; }

  async #start() {
    const options = this.#options;
    const builder = new signalR.HubConnectionBuilder()
      .withUrl(`${options.baseUrl}${options.hubPath ?? '/hubs/calls'}`, {
        accessTokenFactory: async () => {
          const token = await this.#tokenFactory();
          if (!this.localAddress) this.localAddress = tokenSubject(token);
          return token;
        },
        ...(options.transport !== undefined ? { transport: options.transport } : {}),
      })
      .withAutomaticReconnect(options.reconnectDelays ?? DEFAULT_RECONNECT_DELAYS)
      .configureLogging(options.signalRLogLevel ?? signalR.LogLevel.Warning);
    const hub = builder.build();
    this.#hub = hub;

    hub.on('IncomingCall', (snapshot, sdpOffer) => this.#onIncomingCall(snapshot, sdpOffer));
    hub.on('CallStatusChanged', (snapshot) => this.#calls.get(snapshot.callId)?._onSnapshot(snapshot, 'status'));
    hub.on('MediaAttributesChanged', (snapshot) => this.#calls.get(snapshot.callId)?._onSnapshot(snapshot, 'media'));
    hub.on('RemoteDescription', (callId, type, sdp) => this.#calls.get(callId)?._onRemoteDescription(type, sdp));
    hub.on('RenegotiationRequested', (callId, operationId, operation, sdpOffer) => {
      const call = this.#calls.get(callId);
      if (call) {
        call._onRenegotiationRequested(operationId, operation, sdpOffer);
      } else {
        this._invoke('RejectRenegotiation', callId, operationId, 'unknown call on this device').catch(() => {});
      }
    });
    hub.on('CallOperationCompleted', (callId, operationId, operation, succeeded, error, sdpAnswer) =>
      this.#calls.get(callId)?._onOperationCompleted(operationId, operation, succeeded, error, sdpAnswer));
    hub.on('IceCandidate', (callId, candidate) => this.#calls.get(callId)?._onRemoteCandidate(candidate));
    hub.on('CallHistoryChanged', (change) => this.#onCallHistoryChanged(change));
    hub.on('TransferRequested', (callId, newCallId, target, transferredBy) => this.#onTransferRequested(callId, newCallId, target, transferredBy));
    hub.on('TransferConnected', (callId, newCallId, transferredBy) => this.#onTransferConnected(callId, newCallId, transferredBy));
    hub.on('TransferProgress', (callId, state, reason) => this.#calls.get(callId)?._onTransferProgress(state, reason));
    hub.on('CustomParametersReceived', (callId, customParameters) => this.#calls.get(callId)?._onCustomParameters(customParameters));
    hub.on('DtmfReceived', (callId, digits) => this.#calls.get(callId)?._onDtmfReceived(digits));

    // The node is shutting down: its close follows, automatic reconnect reaches another node and resumes the calls.
    hub.on('ServerDraining', () => this.#emit('connectionStateChanged', 'Draining', null));
    hub.onreconnecting((error) => this.#emit('connectionStateChanged', 'Reconnecting', error ?? null));
    hub.onreconnected(() => {
      this.#emit('connectionStateChanged', 'Connected', null);
      this.#resumeCalls();
    });
    hub.onclose((error) => this.#emit('connectionStateChanged', 'Disconnected', error ?? null));

    try {
      await hub.start();
      // SignalR answers the handshake before the server has registered this device; the first
      // invocation is handled after that, so once it returns, calls to this user ring here.
      await hub.invoke('GetActiveCalls');
    } catch (error) {
      throw new CallError('ConnectionError', error?.message ?? String(error), error);
    }
    await this.#learnAddress();
    this.#emit('connectionStateChanged', 'Connected', null);
  }

  /**
   * The token's `sub` is the address for CallServer's own tokens; a token of the app's identity provider names
   * its user in its own way, so the server says (GET /api/v1/auth/me). Best effort: an older server keeps `sub`.
   */
  async #learnAddress() {
    try {
      const token = await this.#tokenFactory();
      const response = await (this.#options.fetch ?? globalThis.fetch)(`${this.#options.baseUrl}/api/v1/auth/me`, {
        headers: { authorization: `Bearer ${token}` },
      });
      if (response.ok) this.localAddress = (await response.json()).address ?? this.localAddress;
    } catch (error) {
      this._log('info', `GET /api/v1/auth/me failed (${error?.message ?? error}); the address is the token's sub`);
    }
  }

  /**
   * Creates an outgoing call to `callee` (`user`, `user@domain`, `tel:+E164`). The call is in state
   * Initial: give it views, then establishCall(video) / establishAudioCall().
   * @param {string | { address: string }} callee
   * @param {object} [listener] this call's listener (default: the service's)
   * @returns {Promise<Call>}
   */
  async createOutgoingCall(callee, listener) {
    const snapshot = await this._invoke('CreateOutgoingCall', typeof callee === 'string' ? callee : callee?.address);
    const call = new Call(this, snapshot, { listener });
    this.#calls.set(call.getId(), call);
    return call;
  }

  /**
   * PullCall: moves a call of this account from another of its devices to this one. Resolves to the call
   * here once the other party answered this device's offer; rejects with the CallError otherwise.
   * @param {string} callId
   * @param {object} [listener] this call's listener (default: the service's)
   * @returns {Promise<Call>}
   */
  async pullCall(callId, listener) {
    const known = this.#calls.get(callId);
    if (known && known.getState() !== 'Ended') throw new CallError('InvalidState', 'the call is already on this device');
    // As the party on the other device sees it (this device may have seen it end: AnsweredElsewhere).
    const snapshots = await this._invoke('GetCallsOnOtherDevices');
    const snapshot = snapshots.find((s) => s.callId === callId);
    if (!snapshot) throw new CallError('InvalidState', 'no call of this account with that id is in progress on another device');
    const call = new Call(this, snapshot, { listener });
    this.#calls.set(callId, call);
    try {
      await call._pull();
    } catch (error) {
      if (this.#calls.get(callId) === call) this.#calls.delete(callId);
      throw error;
    }
    return call;
  }

  /**
   * Call waiting: answers `newCall` (ringing here while this device is in `heldCall`) and puts `heldCall` on
   * hold, as one command (HoldAndAccept). As `newCall.holdAndAccept(heldCall, options)`: resolves true or
   * false, never rejects (`holdAndAcceptSucceeded/Failed` on `newCall`, then `holdCallSucceeded/Failed` on
   * `heldCall` when the hold completes).
   * @param {Call} newCall
   * @param {Call} heldCall
   * @param {{ video?: boolean, customParameters?: Record<string, string> | null }} [options]
   * @returns {Promise<boolean>}
   */
  holdAndAccept(newCall, heldCall, options = undefined) {
    if (!(newCall instanceof Call)) return Promise.reject(new CallError('InvalidArgument', 'newCall must be a Call'));
    return newCall.holdAndAccept(heldCall, options);
  }

  /**
   * Call waiting: answers `newCall` and ends `endedCall`, as one command (EndAndAccept). As
   * `newCall.endAndAccept(endedCall, options)`: resolves true or false, never rejects.
   * @param {Call} newCall
   * @param {Call} endedCall
   * @param {{ video?: boolean, reason?: string | null, customParameters?: Record<string, string> | null }} [options]
   * @returns {Promise<boolean>}
   */
  endAndAccept(newCall, endedCall, options = undefined) {
    if (!(newCall instanceof Call)) return Promise.reject(new CallError('InvalidArgument', 'newCall must be a Call'));
    return newCall.endAndAccept(endedCall, options);
  }

  /**
   * The account's calls in progress that another of its devices holds (GetCallsOnOtherDevices), as their
   * party sees them: what pullCall can move here.
   * @returns {Promise<import('../index.js').CallSnapshot[]>}
   */
  async listCallsOnOtherDevices() {
    return this._invoke('GetCallsOnOtherDevices'); // the server lists only the calls in progress there
  }

  /** Stops the hub connection and releases every call's media (calls go on on the server until the grace period ends). */
  async disconnect() {
    if (this.#renewalTimer) clearTimeout(this.#renewalTimer);
    this.#renewalTimer = null;
    for (const call of this.#calls.values()) call._dispose();
    this.#calls.clear();
    this.#connectedByTransfer.clear();
    await this.#hub?.stop();
  }

  #onIncomingCall(snapshot, sdpOffer) {
    const known = this.#calls.get(snapshot.callId);
    if (known) {
      known._onSnapshot(snapshot, 'status'); // ResumeCall of a call that still rings
      return;
    }
    const call = new Call(this, snapshot, { offer: sdpOffer });
    this.#calls.set(call.getId(), call);
    const replaced = snapshot.replacesCallId ? this.#calls.get(snapshot.replacesCallId) : null;
    if (replaced || this.#connectedByTransfer.has(snapshot.callId)) {
      // A consultative transfer connects this device to the transferee: taken without ringing, with the
      // replaced call's video.
      this.#connectedByTransfer.delete(snapshot.callId);
      this.#emit('transferConnected', call, replaced ?? null);
      call.acceptCall(Boolean(replaced?.getMediaAttributes()?.localVideo));
      return;
    }
    this.#emit('incomingCall', call);
  }

  /**
   * TransferRequested: the other party of `callId` transfers this device's user to `target`; this device
   * places the new call (its own offer, the replaced call's video) without the application's help, and
   * tells it with `transferRequested(newCall, oldCall)`. The old call ends Transferred once the target answers.
   */
  async #onTransferRequested(callId, newCallId, target, transferredBy) {
    const replaced = this.#calls.get(callId) ?? null;
    let call;
    try {
      const snapshot = await this._invoke('GetCall', newCallId);
      call = new Call(this, snapshot);
      this.#calls.set(newCallId, call);
    } catch (error) {
      this._log('warn', `TransferRequested: the new call ${newCallId} cannot be read (${error?.code ?? error}); the transfer fails`);
      return;
    }
    this.#emit('transferRequested', call, replaced, { target, transferredBy });
    await call.establishCall(Boolean(replaced?.getMediaAttributes()?.localVideo));
  }

  /** TransferConnected: the consultation call `callId` is replaced by `newCallId`, which is taken here without ringing. */
  #onTransferConnected(callId, newCallId, transferredBy) {
    this.#connectedByTransfer.set(newCallId, callId);
    this._log('info', `TransferConnected: ${transferredBy} connects call ${callId} to ${newCallId}`);
  }

  /** The user's history changed (a call ended, an entry was removed, or all were) on any of its devices. */
  #onCallHistoryChanged(json) {
    const change = parseCallHistoryChange(json);
    if (!change) {
      this._log('warn', `CallHistoryChanged without a change: ${JSON.stringify(json)}`);
      return;
    }
    this.history._onChanged(change);
    this.#emit('callHistoryChanged', change);
  }

  async #resumeCalls() {
    for (const call of [...this.#calls.values()]) {
      try {
        const snapshot = await this._invoke('ResumeCall', call.getId());
        call._onResumed(snapshot);
      } catch (error) {
        call._onResumeFailed(parseHubError(error));
      }
    }
  }

  #emit(name, ...args) {
    const callback = this.listener?.[name];
    if (typeof callback !== 'function') return;
    try {
      callback.call(this.listener, ...args);
    } catch (error) {
      this._log('error', `listener.${name} threw: ${error?.stack ?? error}`);
    }
  }

  // ------------------------------------------------------------------------------------------
  // Used by Call
  // ------------------------------------------------------------------------------------------

  /** @internal */
  async _invoke(method, ...args) {
    try {
      return await this.#hub.invoke(method, ...args);
    } catch (error) {
      throw parseHubError(error);
    }
  }

  /** @internal ICE servers from GET /api/v1/ice-servers (none when the server has no such endpoint). */
  async _iceServers() {
    if (this.#options.iceServers) return this.#options.iceServers;
    if (this.#iceCache && this.#iceCache.expires > Date.now()) return this.#iceCache.servers;
    const fetchImpl = this.#options.fetch ?? globalThis.fetch;
    let servers = [];
    let ttlSeconds = 300;
    try {
      const token = await this.#tokenFactory();
      const response = await fetchImpl(`${this.baseUrl}/api/v1/ice-servers`, {
        headers: { authorization: `Bearer ${token}` },
      });
      if (response.ok) {
        const body = await response.json();
        servers = (body.iceServers ?? []).map(({ urls, username, credential }) => ({
          urls, ...(username ? { username } : {}), ...(credential ? { credential } : {}),
        }));
        ttlSeconds = body.ttlSeconds ?? ttlSeconds;
      } else if (response.status !== 404) {
        this._log('warn', `GET /api/v1/ice-servers answered ${response.status}; using no ICE servers`);
      }
    } catch (error) {
      this._log('warn', `GET /api/v1/ice-servers failed (${error}); using no ICE servers`);
    }
    this.#iceCache = { servers, expires: Date.now() + ttlSeconds * 800 };
    return servers;
  }

  /** @internal The time between two quality samples of a connected call (ms; 0: none). */
  _qualityIntervalMs() {
    const interval = this.#options.qualityIntervalMs;
    return typeof interval === 'number' && Number.isFinite(interval) && interval >= 0 ? interval : 5000;
  }

  /** @internal */
  _acceptCandidate(candidate, direction) {
    const filter = this.#options.iceCandidateFilter;
    return typeof filter === 'function' ? Boolean(filter(candidate, direction)) : true;
  }

  /** @internal */
  async _getUserMedia(constraints) {
    const getUserMedia = this.#options.getUserMedia ?? ((c) => navigator.mediaDevices.getUserMedia(c));
    return getUserMedia(constraints);
  }

  /** @internal */
  _forget(call) {
    if (this.#calls.get(call.getId()) === call) this.#calls.delete(call.getId());
    for (const [newCallId, replaced] of this.#connectedByTransfer) {
      if (replaced === call.getId()) this.#connectedByTransfer.delete(newCallId);
    }
  }

  /** @internal */
  _log(level, message) {
    const logger = this.#options.logger ?? console;
    (logger[level] ?? logger.log)?.call(logger, `[callserver] ${message}`);
  }
}
