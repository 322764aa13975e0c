// A webhook receiver on 127.0.0.1 for the end-to-end tests: verifies every request's Standard Webhooks
// signature with node:crypto (verifyWebhook of scripts/webhook-receiver.mjs), records every request in
// arrival order (with the time, the sending node's user-agent and how it was answered), can hold the
// requests of one call's event unanswered (hold/release), or every request (hang/stopHanging), and can go down (stop listening: connections
// are refused) and come up again on the same port. Waits are event-driven with a deadline.

import http from 'node:http';
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { verifyWebhook } from '../../../scripts/webhook-receiver.mjs';
import { freePort } from './server.mjs';

export class WebhookReceiver {
  constructor() {
    this.secret = `whsec_${randomBytes(32).toString('base64')}`;
    this.received = []; // { id, type, callId, event, userAgent, at, wallAt, status, problems }
    this.held = new Map(); // `${callId} ${type}` → [response]
    this.holding = new Set();
    this.waiters = [];
    this.sockets = new Set();
    this.server = http.createServer((request, response) => this.handle(request, response));
    this.server.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
  }

  async start() {
    this.port = await freePort();
    await this.up();
    this.url = `http://127.0.0.1:${this.port}/hooks`;
    return this;
  }

  /** Listens (again) on the same port. */
  up() {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.port, '127.0.0.1', () => {
        this.server.off('error', reject);
        resolve();
      });
    });
  }

  /** Stops listening and drops every connection: senders get connection refused until up(). */
  down() {
    return new Promise((resolve) => {
      this.server.close(() => resolve());
      for (const socket of this.sockets) socket.destroy();
    });
  }

  /** Requests for `callId`'s `type` get no answer until release(). */
  hold(callId, type) {
    this.holding.add(`${callId} ${type}`);
  }

  /** Every request gets no answer (the sender times out) until stopHanging(). */
  hang() {
    this.hanging = true;
  }

  /** Answers every hanging request (200) and answers at once from now on. */
  stopHanging() {
    this.hanging = false;
    for (const key of [...this.held.keys()]) {
      const [callId, type] = key.split(' ');
      if (!this.holding.has(key)) this.release(callId, type);
    }
  }

  /** Answers what was held (200) and stops holding. */
  release(callId, type) {
    const key = `${callId} ${type}`;
    this.holding.delete(key);
    for (const { response, entry } of this.held.get(key) ?? []) {
      if (entry.status !== 'held' || response.destroyed) continue;
      entry.status = 200;
      response.writeHead(200).end();
    }
    this.held.delete(key);
  }

  handle(request, response) {
    const chunks = [];
    request.on('data', (chunk) => chunks.push(chunk));
    request.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const entry = {
        at: performance.now(),
        wallAt: Date.now(),
        userAgent: request.headers['user-agent'] ?? '',
        contentType: request.headers['content-type'] ?? '',
        problems: [],
        status: undefined,
      };
      try {
        const { id, event } = verifyWebhook(this.secret, request.headers, body);
        Object.assign(entry, { id, type: event.type, callId: event.data?.callId, event });
        const keys = Object.keys(event).sort().join(',');
        if (keys !== 'data,timestamp,type') entry.problems.push(`body has ${keys}`);
        if (!entry.contentType.startsWith('application/json')) entry.problems.push(`content-type ${entry.contentType}`);
      } catch (error) {
        entry.problems.push(error.message);
      }
      this.received.push(entry);
      const key = `${entry.callId} ${entry.type}`;
      if (entry.problems.length > 0) {
        entry.status = 401;
        response.writeHead(401).end();
      } else if (this.holding.has(key) || this.hanging) {
        entry.status = 'held';
        if (!this.held.has(key)) this.held.set(key, []);
        this.held.get(key).push({ response, entry });
        request.socket.on('close', () => {
          if (entry.status !== 'held') return;
          entry.status = 'abandoned';
          this.notify();
        });
      } else {
        entry.status = 200;
        response.writeHead(200).end();
      }
      this.notify();
    });
  }

  notify() {
    for (const waiter of this.waiters.splice(0)) {
      const found = waiter.condition(this.received);
      if (found) {
        clearTimeout(waiter.timer);
        waiter.resolve(found);
      } else {
        this.waiters.push(waiter);
      }
    }
  }

  /** Resolves with condition(received) once truthy; rejects after timeoutMs. */
  waitUntil(description, condition, timeoutMs = 10_000) {
    const found = condition(this.received);
    if (found) return Promise.resolve(found);
    return new Promise((resolve, reject) => {
      const waiter = { condition, resolve };
      waiter.timer = setTimeout(() => {
        this.waiters.splice(this.waiters.indexOf(waiter), 1);
        reject(new Error(`${description}: not within ${timeoutMs} ms; received ${this.received.map((r) => `${r.type}/${r.callId?.slice(0, 8)}/${r.status}`).join(' ')}`));
      }, timeoutMs);
      this.waiters.push(waiter);
    });
  }

  /** Every request for `callId`, in arrival order. */
  of(callId) {
    return this.received.filter((r) => r.callId === callId);
  }

  /** The types of `callId` in the order they were first answered 2xx (each once). */
  firstDelivered(callId) {
    const seen = new Set();
    return this.of(callId).filter((r) => r.status === 200 && !seen.has(r.id) && seen.add(r.id)).map((r) => r.type);
  }

  /** Waits until `callId`'s `type` was answered 200; resolves with that request. */
  waitDelivered(callId, type, timeoutMs) {
    return this.waitUntil(`${type} of ${callId} delivered`, (all) => all.find((r) => r.callId === callId && r.type === type && r.status === 200), timeoutMs);
  }

  async stop() {
    for (const [key] of this.held) {
      const [callId, type] = key.split(' ');
      this.release(callId, type);
    }
    await this.down().catch(() => {});
  }
}

/** The node id in a webhook user-agent: `CallServer-Webhooks/1 (node <id>)`. */
export function senderOf(userAgent) {
  return /\(node ([^)]+)\)/.exec(userAgent)?.[1];
}
