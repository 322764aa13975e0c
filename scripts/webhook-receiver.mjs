#!/usr/bin/env node
// A tiny webhook receiver for trying CallServer's webhooks (no dependencies, Node 20+).
//
//   WEBHOOK_SECRET=whsec_... node scripts/webhook-receiver.mjs [PORT=9000]
//
// Listens on http://127.0.0.1:PORT/ (any path), verifies each request's Standard Webhooks signature
// (webhook-id, webhook-timestamp within 5 minutes, webhook-signature = v1,base64 HMAC-SHA256 of
// "id.timestamp.body" keyed with the base64-decoded secret after "whsec_"), answers 204, and prints each
// verified event as one JSON line: { id, type, timestamp, data, again } ("again" when the webhook-id was
// seen before: deliveries are at least once). A request that does not verify is answered 401 and told
// on stderr. Also a module: verifyWebhook() is what the end-to-end tests check signatures with.

import http from 'node:http';
import { createHmac, timingSafeEqual } from 'node:crypto';
import { pathToFileURL } from 'node:url';

/**
 * Verifies a Standard Webhooks request: `headers` as Node gives them (lower-case names), `body` the raw
 * text. Returns { id, timestamp, event } or throws an Error saying what is wrong.
 */
export function verifyWebhook(secret, headers, body, { toleranceSeconds = 300, nowMs = Date.now() } = {}) {
  const id = headers['webhook-id'];
  const timestamp = headers['webhook-timestamp'];
  const signatures = headers['webhook-signature'];
  if (!id || !timestamp || !signatures) throw new Error('missing webhook-id, webhook-timestamp or webhook-signature');
  if (!/^\d+$/.test(timestamp)) throw new Error('webhook-timestamp is not unix seconds');
  if (Math.abs(nowMs / 1000 - Number(timestamp)) > toleranceSeconds) throw new Error('webhook-timestamp is more than 5 minutes away');
  const key = Buffer.from(secret.startsWith('whsec_') ? secret.slice('whsec_'.length) : secret, 'base64');
  const expected = createHmac('sha256', key).update(`${id}.${timestamp}.${body}`).digest();
  const matches = signatures.split(' ').some((versioned) => {
    const [version, signature] = versioned.split(',');
    const given = Buffer.from(signature ?? '', 'base64');
    return version === 'v1' && given.length === expected.length && timingSafeEqual(given, expected);
  });
  if (!matches) throw new Error('no webhook-signature matches');
  return { id, timestamp: Number(timestamp), event: JSON.parse(body) };
}

function main() {
  const secret = process.env.WEBHOOK_SECRET;
  const port = Number(process.argv[2] ?? process.env.PORT ?? 9000);
  if (!secret?.startsWith('whsec_')) {
    process.stderr.write('set WEBHOOK_SECRET to the endpoint\'s secret (whsec_...)\n');
    process.exit(2);
  }
  const seen = new Set();
  const server = http.createServer((request, response) => {
    const chunks = [];
    request.on('data', (chunk) => chunks.push(chunk));
    request.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      try {
        const { id, event } = verifyWebhook(secret, request.headers, body);
        console.log(JSON.stringify({ id, type: event.type, timestamp: event.timestamp, data: event.data, again: seen.has(id) }));
        seen.add(id);
        response.writeHead(204).end();
      } catch (error) {
        process.stderr.write(`refused ${request.method} ${request.url}: ${error.message}\n`);
        response.writeHead(401).end();
      }
    });
  });
  server.listen(port, '127.0.0.1', () => process.stderr.write(`listening on http://127.0.0.1:${port}/\n`));
  for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => server.close(() => process.exit(0)));
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) main();
