// A loopback APNs for the end-to-end tests: an HTTP/2 server without TLS (h2c, which CallServer
// speaks with prior knowledge to an http:// Push:Apns:Endpoint) on 127.0.0.1 and a free port. It
// checks what Apple checks of a VoIP push with token-based authentication (the ES256 provider token
// verified with the public key of the test's key pair, kid, iss, a fresh iat, the apns-* headers, a
// JSON object body), records every request, and answers 200, or as told: 410 for a token, or no answer
// at all for the pushes of a call (the stream stays open until released or until the client gives up).
//
//   const key = generateApnsKey();                       // key.privateKeyPem → Push__Apns__PrivateKey
//   const apns = await new ApnsStandIn({ publicKey: key.publicKey, keyId: 'KEY1234567', teamId: 'TEAM123456' }).start();
//   // Push__Apns__Endpoint=apns.endpoint, …
//   const push = await apns.waitForRequest((r) => r.payload?.callId === callId, 5_000);
//   await apns.stop();

import { createPublicKey, generateKeyPairSync, randomUUID, verify } from 'node:crypto';
import http2 from 'node:http2';

/** A P-256 key pair as Apple hands out APNs keys: `privateKeyPem` is the .p8 (PKCS#8 PEM). */
export function generateApnsKey() {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  return {
    privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }),
    publicKey,
    publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }),
  };
}

const base64url = (text) => Buffer.from(text, 'base64url');

/** The apns-* headers a VoIP push must carry, and the reason APNs gives when one is wrong. */
function headerProblems(headers) {
  const problems = [];
  if (headers['apns-push-type'] !== 'voip') problems.push('InvalidPushType');
  if (!/\.voip$/.test(headers['apns-topic'] ?? '')) problems.push('BadTopic');
  if (headers['apns-priority'] !== '10') problems.push('BadPriority');
  if (!/^\d+$/.test(headers['apns-expiration'] ?? '')) problems.push('BadExpirationDate');
  const collapseId = headers['apns-collapse-id'] ?? '';
  if (collapseId.length === 0 || Buffer.byteLength(collapseId) > 64) problems.push('BadCollapseId');
  return problems;
}

export class ApnsStandIn {
  /**
   * @param {object} options
   * @param {import('node:crypto').KeyObject | string} options.publicKey the team key's public half (KeyObject or PEM)
   * @param {string} options.keyId the expected `kid`
   * @param {string} options.teamId the expected `iss`
   */
  constructor({ publicKey, keyId, teamId }) {
    this.publicKey = typeof publicKey === 'string' ? createPublicKey(publicKey) : publicKey;
    this.keyId = keyId;
    this.teamId = teamId;
    /** Every request, in arrival order: { path, deviceToken, headers, userAgent, jwt, payload, body, problems, status, abandoned, receivedAt }. */
    this.requests = [];
    this.endpoint = undefined;
    this.server = undefined;
    this.goneTokens = new Set();
    this.hungCalls = new Set();
    /** call id → streams held open for it. */
    this.held = new Map();
    this.waiters = new Set();
    this.sessions = new Set();
  }

  /** Starts listening on 127.0.0.1:0; `this.endpoint` is then `http://127.0.0.1:PORT`. */
  async start() {
    this.server = http2.createServer();
    this.server.on('stream', (stream, headers) => this.#onStream(stream, headers));
    this.server.on('sessionError', () => {});
    await new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(0, '127.0.0.1', () => {
        this.server.off('error', reject);
        resolve();
      });
    });
    this.endpoint = `http://127.0.0.1:${this.server.address().port}`;
    return this;
  }

  /** Pushes to `deviceToken` are answered 410 {"reason":"Unregistered"} from now on. */
  answerGone(deviceToken) {
    this.goneTokens.add(deviceToken);
  }

  /** Pushes whose payload's callId is `callId` get no answer (until `release(callId)` or the client gives up). */
  hangCall(callId) {
    this.hungCalls.add(callId);
  }

  /** Stops hanging `callId`: the pushes held for it are answered 200 now, later ones at once. */
  release(callId) {
    this.hungCalls.delete(callId);
    for (const { stream, request } of this.held.get(callId) ?? []) {
      if (!stream.closed && !stream.destroyed) this.#answer(stream, request, 200);
    }
    this.held.delete(callId);
  }

  /**
   * The first recorded request that `predicate` accepts, now or when one arrives or changes (is
   * answered, or abandoned by the client); rejects after `timeoutMs` naming what did arrive.
   * For example `(r) => r.payload?.callId === id && r.abandoned` waits until CallServer gave up on a hung push.
   */
  waitForRequest(predicate, timeoutMs = 5_000) {
    const found = this.requests.find(predicate);
    if (found) return Promise.resolve(found);
    return new Promise((resolve, reject) => {
      const waiter = {
        predicate,
        resolve: (request) => {
          clearTimeout(waiter.timer);
          this.waiters.delete(waiter);
          resolve(request);
        },
        timer: setTimeout(() => {
          this.waiters.delete(waiter);
          const seen = this.requests.map((r) => `${r.deviceToken} ${r.payload?.type ?? '?'} ${r.payload?.callId ?? ''} ${r.status ?? 'pending'}`);
          reject(new Error(`APNs stand-in: no matching request within ${timeoutMs} ms (received: ${seen.join('; ') || 'none'})`));
        }, timeoutMs),
      };
      this.waiters.add(waiter);
    });
  }

  /** Closes every held stream and the server. */
  async stop() {
    for (const waiter of this.waiters) clearTimeout(waiter.timer);
    this.waiters.clear();
    for (const streams of this.held.values()) {
      for (const { stream } of streams) if (!stream.destroyed) stream.close(http2.constants.NGHTTP2_CANCEL);
    }
    this.held.clear();
    if (!this.server) return;
    await new Promise((resolve) => {
      this.server.close(() => resolve());
      // Sessions kept alive by the client would hold close() open: end them.
      for (const session of this.sessions) session.destroy();
    });
    this.server = undefined;
  }

  #onStream(stream, headers) {
    if (!this.sessions.has(stream.session)) {
      this.sessions.add(stream.session);
      stream.session.once('close', () => this.sessions.delete(stream.session));
    }
    stream.on('error', () => {});
    const chunks = [];
    stream.on('data', (chunk) => chunks.push(chunk));
    stream.on('end', () => this.#onRequest(stream, headers, Buffer.concat(chunks).toString('utf8')));
  }

  #onRequest(stream, headers, body) {
    const path = headers[':path'] ?? '';
    const deviceToken = path.startsWith('/3/device/') ? decodeURIComponent(path.slice('/3/device/'.length)) : '';
    const authorization = headers.authorization ?? '';
    const jwt = /^bearer /i.test(authorization) ? authorization.slice('bearer '.length) : '';
    let payload;
    try {
      payload = JSON.parse(body);
    } catch {
      payload = undefined;
    }

    const problems = [];
    if (headers[':method'] !== 'POST' || deviceToken === '') problems.push('BadPath');
    problems.push(...this.#jwtProblems(jwt));
    problems.push(...headerProblems(headers));
    if (payload === null || typeof payload !== 'object' || Array.isArray(payload)) problems.push('PayloadEmpty');

    const request = {
      path,
      deviceToken,
      headers: { ...headers },
      userAgent: headers['user-agent'],
      jwt,
      payload,
      body,
      problems,
      status: undefined,
      abandoned: false,
      receivedAt: Date.now(),
    };
    this.requests.push(request);
    this.#changed(request);

    if (problems.length > 0) {
      const jwtProblem = problems.some((problem) => problem.startsWith('jwt'));
      this.#answer(stream, request, jwtProblem ? 403 : 400, jwtProblem ? 'InvalidProviderToken' : problems[0]);
    } else if (this.goneTokens.has(deviceToken)) {
      this.#answer(stream, request, 410, 'Unregistered');
    } else if (payload.callId !== undefined && this.hungCalls.has(payload.callId)) {
      this.#hold(stream, request, payload.callId);
    } else {
      this.#answer(stream, request, 200);
    }
  }

  #hold(stream, request, callId) {
    const entry = { stream, request };
    if (!this.held.has(callId)) this.held.set(callId, new Set());
    this.held.get(callId).add(entry);
    stream.once('close', () => {
      this.held.get(callId)?.delete(entry);
      if (request.status === undefined) {
        request.abandoned = true;
        this.#changed(request);
      }
    });
  }

  #changed(request) {
    for (const waiter of [...this.waiters]) {
      if (waiter.predicate(request)) waiter.resolve(request);
    }
  }

  #answer(stream, request, status, reason) {
    request.status = status;
    queueMicrotask(() => this.#changed(request));
    if (status === 200) {
      stream.respond({ ':status': 200, 'apns-id': randomUUID().toUpperCase() });
      stream.end();
      return;
    }
    const body = status === 410 ? { reason, timestamp: Date.now() } : { reason };
    stream.respond({ ':status': status, 'content-type': 'application/json' });
    stream.end(JSON.stringify(body));
  }

  /** Problems of the provider token, named `jwt …` (APNs answers 403 InvalidProviderToken to any). */
  #jwtProblems(compact) {
    const parts = compact.split('.');
    if (parts.length !== 3) return ['jwt missing or malformed'];
    let header;
    let claims;
    try {
      header = JSON.parse(base64url(parts[0]).toString('utf8'));
      claims = JSON.parse(base64url(parts[1]).toString('utf8'));
    } catch {
      return ['jwt missing or malformed'];
    }
    const problems = [];
    const signed = header.alg === 'ES256'
      && verify('sha256', Buffer.from(`${parts[0]}.${parts[1]}`), { key: this.publicKey, dsaEncoding: 'ieee-p1363' }, base64url(parts[2]));
    if (!signed) problems.push('jwt signature does not verify with the team key');
    if (header.kid !== this.keyId) problems.push(`jwt kid ${header.kid}`);
    if (claims.iss !== this.teamId) problems.push(`jwt iss ${claims.iss}`);
    const now = Math.floor(Date.now() / 1000);
    if (typeof claims.iat !== 'number' || claims.iat > now + 60 || claims.iat < now - 3600) problems.push('jwt iat not fresh');
    return problems;
  }
}
