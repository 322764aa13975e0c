// PushManager (callService.push) and parsePushNotification: the exact requests to the push endpoints,
// the browser's Web Push subscription, the installation's stable id, and the errors.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CallError } from '../src/errors.js';
import { CallService } from '../src/call-service.js';
import { PushManager, parsePushNotification } from '../src/index.js';
import { INSTALLATION_KEY } from '../src/push/installation.js';
import {
  FakeServer, FakeServiceWorkerContainer, FakeSubscription, MemoryStorage, vapidKey,
} from './support/fake-push.mjs';

const BASE = 'https://calls.example.com';
const KEY = vapidKey();
const storedAt = '2026-11-28T10:00:00.000Z';

/** A server that stores what it is given (PUT echoes the registration) and serves the VAPID key. */
function pushServer() {
  const server = new FakeServer(BASE);
  server.on('GET', '/api/v1/push/webpush-key', () => [200, { publicKey: KEY.text }]);
  for (const id of ['install-1', 'phone-7', 'other-id']) {
    server.on('PUT', `/api/v1/push-registrations/${id}`, (request) => [200, { registrationId: id, ...request.body, updatedAt: storedAt }]);
  }
  return server;
}

function manager({ server = pushServer(), container = new FakeServiceWorkerContainer(), storage = new MemoryStorage(), ...options } = {}) {
  const push = new PushManager({ baseUrl: `${BASE}/`, accessToken: 'user-token', fetch: server.fetch, serviceWorkerContainer: container, storage, ...options });
  return { push, server, container, storage };
}

const isCallError = (code, message) => (error) => {
  assert.ok(error instanceof CallError, `a CallError, not ${error}`);
  assert.equal(error.code, code);
  if (message) assert.match(error.message, message);
  return true;
};

// ------------------------------------------------------------------------------------------------
// subscribe
// ------------------------------------------------------------------------------------------------

test('subscribe() in a browser: the VAPID key, pushManager.subscribe (visible, that key), then a webpush PUT under the installation id', async () => {
  const { push, server, container, storage } = manager({ registrationId: undefined });
  storage.setItem(INSTALLATION_KEY, JSON.stringify({ registrationId: 'install-1', platform: null, appId: null }));

  const stored = await push.subscribe();

  assert.deepEqual(server.lines, ['GET /api/v1/push/webpush-key', 'PUT /api/v1/push-registrations/install-1']);
  for (const request of server.requests) assert.equal(request.headers.authorization, 'Bearer user-token');
  const pushManager = container.registration.pushManager;
  assert.equal(pushManager.subscribeCalls.length, 1);
  assert.equal(pushManager.subscribeCalls[0].userVisibleOnly, true);
  assert.deepEqual([...pushManager.subscribeCalls[0].applicationServerKey], [...KEY.bytes]);
  const subscription = { endpoint: 'https://push.example.net/send/1', keys: { p256dh: 'p256dh-1', auth: 'auth-1' } };
  assert.deepEqual(server.requests[1].body, { platform: 'webpush', subscription });
  assert.equal(server.requests[1].headers['content-type'], 'application/json');
  assert.deepEqual(stored, { registrationId: 'install-1', platform: 'webpush', subscription, updatedAt: storedAt });
  assert.deepEqual(JSON.parse(storage.getItem(INSTALLATION_KEY)), { registrationId: 'install-1', platform: 'webpush', appId: null });
});

test('the installation id is made once, kept in storage and used by every later manager', async () => {
  const storage = new MemoryStorage();
  const server = new FakeServer(BASE);
  const first = manager({ server, storage }).push.getRegistrationId();
  assert.match(first, /^[A-Za-z0-9._-]{1,64}$/);
  assert.equal(manager({ server, storage }).push.getRegistrationId(), first);
  assert.equal(JSON.parse(storage.getItem(INSTALLATION_KEY)).registrationId, first);
  assert.notEqual(manager({ server, storage: new MemoryStorage() }).push.getRegistrationId(), first);

  // Without storage (a worker, storage refused) the id lives as long as the manager.
  const { push } = manager({ server, storage: null });
  assert.equal(push.getRegistrationId(), push.getRegistrationId());
  assert.notEqual(manager({ server, storage: null }).push.getRegistrationId(), push.getRegistrationId());

  // Unreadable storage is replaced by a new id.
  const broken = new MemoryStorage();
  broken.setItem(INSTALLATION_KEY, '{not json');
  const fresh = manager({ server, storage: broken }).push.getRegistrationId();
  assert.match(fresh, /^[A-Za-z0-9._-]{1,64}$/);
  assert.equal(JSON.parse(broken.getItem(INSTALLATION_KEY)).registrationId, fresh);
});

test('subscribe() uses options.serviceWorkerRegistration and options.registrationId (the page has no service worker of its own)', async () => {
  const { push, server, container } = manager({ container: new FakeServiceWorkerContainer({ registered: false }) });
  const elsewhere = new FakeServiceWorkerContainer().registration;
  const stored = await push.subscribe({ serviceWorkerRegistration: elsewhere, registrationId: 'phone-7', appId: 'softphone' });
  assert.equal(elsewhere.pushManager.subscribeCalls.length, 1);
  assert.equal(container.registration, null);
  assert.deepEqual(server.lines, ['GET /api/v1/push/webpush-key', 'PUT /api/v1/push-registrations/phone-7']);
  assert.equal(server.requests[1].body.appId, 'softphone');
  assert.equal(stored.registrationId, 'phone-7');
});

test('a browser subscription made with another VAPID key is dropped before subscribing; one with this key is kept by the browser', async () => {
  const { push, container } = manager({ registrationId: 'install-1' });
  const pushManager = container.registration.pushManager;
  const old = new FakeSubscription({ endpoint: 'https://push.example.net/old', p256dh: 'p', auth: 'a', applicationServerKey: vapidKey(2).bytes });
  pushManager.current = old;
  await push.subscribe();
  assert.equal(old.unsubscribed, true);

  const same = new FakeSubscription({ endpoint: 'https://push.example.net/same', p256dh: 'p', auth: 'a', applicationServerKey: KEY.bytes });
  pushManager.current = same;
  await push.subscribe();
  assert.equal(same.unsubscribed, false);
});

test('subscribe({ platform, token, appId }) stores a native token with only a PUT (no service worker involved)', async () => {
  const { push, server, container, storage } = manager({ container: null });
  storage.setItem(INSTALLATION_KEY, JSON.stringify({ registrationId: 'install-1' }));
  const apns = await push.subscribe({ platform: 'apns', token: 'apns-device-token', appId: 'com.example.phone' });
  assert.deepEqual(server.lines, ['PUT /api/v1/push-registrations/install-1']);
  assert.deepEqual(server.requests[0].body, { platform: 'apns', token: 'apns-device-token', appId: 'com.example.phone' });
  assert.deepEqual(apns, { registrationId: 'install-1', platform: 'apns', token: 'apns-device-token', appId: 'com.example.phone', updatedAt: storedAt });
  assert.equal(container, null);

  await push.subscribe({ platform: 'fcm', token: 'fcm-token', registrationId: 'phone-7' });
  assert.deepEqual(server.requests[1].body, { platform: 'fcm', token: 'fcm-token' });
  assert.equal(server.lines[1], 'PUT /api/v1/push-registrations/phone-7');
});

test('subscribe() refuses bad arguments before any request: registration id, missing token, unknown platform', async () => {
  const { push, server } = manager();
  await assert.rejects(push.subscribe({ registrationId: 'has space' }), isCallError('InvalidArgument', /registrationId/));
  await assert.rejects(push.subscribe({ registrationId: 'x'.repeat(65) }), isCallError('InvalidArgument'));
  await assert.rejects(push.subscribe({ platform: 'fcm' }), isCallError('InvalidArgument', /token/));
  await assert.rejects(push.subscribe({ platform: 'apns', token: '' }), isCallError('InvalidArgument', /token/));
  await assert.rejects(push.subscribe({ platform: /** @type {any} */ ('sms') }), isCallError('InvalidArgument', /sms/));
  assert.throws(() => new PushManager({ baseUrl: BASE, accessToken: 't', registrationId: 'a/b' }), isCallError('InvalidArgument'));
  assert.throws(() => new PushManager({ baseUrl: BASE }), isCallError('InvalidArgument', /accessToken/));
  assert.deepEqual(server.requests, []);
});

test('subscribe() without service workers, or before one is registered, is PushUnavailable (it does not wait forever)', async () => {
  await assert.rejects(manager({ container: null }).push.subscribe(), isCallError('PushUnavailable', /navigator\.serviceWorker/));
  const { push, server } = manager({ container: new FakeServiceWorkerContainer({ registered: false }) });
  await assert.rejects(push.subscribe(), isCallError('PushUnavailable', /no service worker is registered/));
  assert.deepEqual(server.requests, []);
});

test('a browser that refuses to subscribe is PushError with its reason, and nothing is stored', async () => {
  const { push, server, container } = manager();
  container.registration.pushManager.refusal = Object.assign(new Error('Registration failed - permission denied'), { name: 'NotAllowedError' });
  await assert.rejects(push.subscribe(), isCallError('PushError', /NotAllowedError: Registration failed - permission denied/));
  assert.deepEqual(server.lines, ['GET /api/v1/push/webpush-key']);
});

test('an anonymous token is Forbidden, too many registrations is RateLimited, with the problem\'s detail', async () => {
  const server = new FakeServer(BASE);
  server.on('PUT', '/api/v1/push-registrations/install-1', () => [403, { type: 'about:blank', title: 'Forbidden', status: 403, code: 'Forbidden', detail: 'anonymous callers cannot register for push' }]);
  const { push } = manager({ server, container: null, registrationId: 'install-1' });
  await assert.rejects(push.subscribe({ platform: 'fcm', token: 't' }), isCallError('Forbidden', /^anonymous callers cannot register for push$/));

  server.on('PUT', '/api/v1/push-registrations/install-1', () => [429, { title: 'Too many', status: 429, code: 'RateLimited', detail: 'at most 10 push registrations per user' }]);
  await assert.rejects(push.subscribe({ platform: 'fcm', token: 't' }), isCallError('RateLimited', /at most 10/));

  server.on('GET', '/api/v1/push-registrations', () => [429, undefined]); // no problem body: the status says
  await assert.rejects(push.checkPushSubscription(), isCallError('RateLimited', /HTTP 429/));
  server.on('GET', '/api/v1/push/webpush-key', () => [503, { code: 'PushUnavailable', detail: 'Web Push is not configured' }]);
  await assert.rejects(manager({ server, registrationId: 'install-1' }).push.subscribe(), isCallError('PushUnavailable', /not configured/));
});

test('a request that does not reach the server is ConnectionError', async () => {
  const push = new PushManager({ baseUrl: BASE, accessToken: 't', storage: null, serviceWorkerContainer: null, fetch: async () => { throw new TypeError('fetch failed'); } });
  await assert.rejects(push.subscribe({ platform: 'apns', token: 'x' }), isCallError('ConnectionError', /PUT .* failed: fetch failed/));
});

// ------------------------------------------------------------------------------------------------
// unsubscribe, refreshDeviceToken, checkPushSubscription
// ------------------------------------------------------------------------------------------------

test('unsubscribe() deletes the registration and the browser subscription; false when the server had none', async () => {
  const { push, server, container } = manager({ registrationId: 'install-1' });
  server.on('DELETE', '/api/v1/push-registrations/install-1', () => [204, undefined]);
  await push.subscribe();
  const subscription = container.registration.pushManager.current;
  assert.equal(await push.unsubscribe(), true);
  assert.equal(server.lines.at(-1), 'DELETE /api/v1/push-registrations/install-1');
  assert.equal(server.requests.at(-1).headers.authorization, 'Bearer user-token');
  assert.equal(server.requests.at(-1).body, undefined);
  assert.equal(subscription.unsubscribed, true);

  server.on('DELETE', '/api/v1/push-registrations/install-1', () => [404, { code: 'NotFound', detail: 'no such registration' }]);
  assert.equal(await push.unsubscribe(), false);
  server.on('DELETE', '/api/v1/push-registrations/install-1', () => [403, { code: 'Forbidden', detail: 'anonymous' }]);
  await assert.rejects(push.unsubscribe(), isCallError('Forbidden'));
});

test('unsubscribe() of a native token leaves the browser subscription alone', async () => {
  const { push, server, container } = manager({ registrationId: 'install-1' });
  server.on('DELETE', '/api/v1/push-registrations/install-1', () => [204, undefined]);
  const browserSubscription = await container.registration.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: KEY.bytes });
  await push.subscribe({ platform: 'apns', token: 'apns-token' });
  assert.equal(await push.unsubscribe(), true);
  assert.equal(browserSubscription.unsubscribed, false);
});

test('refreshDeviceToken(token) PUTs the new token under the same id with the remembered platform and appId, also in a later manager', async () => {
  const storage = new MemoryStorage();
  storage.setItem(INSTALLATION_KEY, JSON.stringify({ registrationId: 'install-1' }));
  const { push, server } = manager({ storage, container: null });
  await push.subscribe({ platform: 'fcm', token: 'first-token', appId: 'com.example.phone' });

  const later = manager({ server, storage, container: null }).push; // the app started again
  const stored = await later.refreshDeviceToken('second-token');
  assert.deepEqual(server.lines, ['PUT /api/v1/push-registrations/install-1', 'PUT /api/v1/push-registrations/install-1']);
  assert.deepEqual(server.requests[1].body, { platform: 'fcm', token: 'second-token', appId: 'com.example.phone' });
  assert.equal(stored.token, 'second-token');

  const unknown = manager({ server, container: null }).push; // never subscribed: which platform?
  await assert.rejects(unknown.refreshDeviceToken('t'), isCallError('InvalidArgument', /platform/));
  await unknown.refreshDeviceToken('t', { platform: 'apns', registrationId: 'phone-7' });
  assert.deepEqual(server.requests.at(-1).body, { platform: 'apns', token: 't' });
});

test('an apns registration carries its alertToken (missed calls); refreshDeviceToken keeps it unless given a new one, also in a later manager', async () => {
  const storage = new MemoryStorage();
  storage.setItem(INSTALLATION_KEY, JSON.stringify({ registrationId: 'install-1' }));
  const { push, server } = manager({ storage, container: null });
  await push.subscribe({ platform: 'apns', token: 'voip-1', alertToken: 'alert-1', appId: 'com.example.phone' });
  assert.deepEqual(server.requests[0].body, { platform: 'apns', token: 'voip-1', appId: 'com.example.phone', alertToken: 'alert-1' });

  const later = manager({ server, storage, container: null }).push; // the app started again
  await later.refreshDeviceToken('voip-2');
  assert.deepEqual(server.requests[1].body, { platform: 'apns', token: 'voip-2', appId: 'com.example.phone', alertToken: 'alert-1' });
  await later.refreshDeviceToken('voip-2', { alertToken: 'alert-2' });
  assert.deepEqual(server.requests[2].body, { platform: 'apns', token: 'voip-2', appId: 'com.example.phone', alertToken: 'alert-2' });
  await assert.rejects(later.refreshDeviceToken('voip-3', { alertToken: '' }), isCallError('InvalidArgument', /token/));

  // fcm has no alert token: none is sent even if given.
  await push.subscribe({ platform: 'fcm', token: 'fcm-1', alertToken: 'ignored', registrationId: 'phone-7' });
  assert.deepEqual(server.requests.at(-1).body, { platform: 'fcm', token: 'fcm-1' });
});

test('refreshDeviceToken() for Web Push: a new PushSubscription, the current one, or a new subscription when the browser has none', async () => {
  const { push, server, container } = manager({ registrationId: 'install-1' });
  const renewed = new FakeSubscription({ endpoint: 'https://push.example.net/renewed', p256dh: 'p2', auth: 'a2' });
  await push.refreshDeviceToken(renewed);
  assert.deepEqual(server.requests.at(-1).body, { platform: 'webpush', subscription: { endpoint: 'https://push.example.net/renewed', keys: { p256dh: 'p2', auth: 'a2' } } });

  await push.refreshDeviceToken(); // the browser has none: subscribes
  assert.deepEqual(server.lines.slice(-2), ['GET /api/v1/push/webpush-key', 'PUT /api/v1/push-registrations/install-1']);
  assert.equal(container.registration.pushManager.subscribeCalls.length, 1);

  await push.refreshDeviceToken(); // the browser's current one, no new subscription
  assert.equal(server.lines.at(-1), 'PUT /api/v1/push-registrations/install-1');
  assert.equal(server.requests.at(-1).body.subscription.endpoint, 'https://push.example.net/send/1');
  assert.equal(container.registration.pushManager.subscribeCalls.length, 1);
});

test('checkPushSubscription(): registered when the server lists this id (and, for Web Push, the browser\'s subscription is the stored one)', async () => {
  const { push, server, container } = manager({ registrationId: 'install-1' });
  let listed = [];
  server.on('GET', '/api/v1/push-registrations', () => [200, listed]);

  assert.deepEqual(await push.checkPushSubscription(), { registered: false, registration: null });
  assert.deepEqual(server.lines, ['GET /api/v1/push-registrations']);
  assert.equal(server.requests[0].headers.authorization, 'Bearer user-token');

  const stored = await push.subscribe();
  listed = [{ registrationId: 'other-id', platform: 'fcm', token: 'x', updatedAt: storedAt }, stored];
  assert.deepEqual(await push.checkPushSubscription(), { registered: true, registration: stored });

  // The browser's subscription changed (or was dropped) behind the server's back.
  container.registration.pushManager.current = new FakeSubscription({ endpoint: 'https://push.example.net/moved', p256dh: 'p', auth: 'a' });
  assert.deepEqual(await push.checkPushSubscription(), { registered: false, registration: stored });
  container.registration.pushManager.current = null;
  assert.equal((await push.checkPushSubscription()).registered, false);

  // A native token needs no browser subscription.
  const native = { registrationId: 'install-1', platform: 'apns', token: 't', updatedAt: storedAt };
  listed = [native];
  assert.deepEqual(await push.checkPushSubscription(), { registered: true, registration: native });
  assert.deepEqual(await push.checkPushSubscription({ registrationId: 'phone-7' }), { registered: false, registration: null });
});

test('checkPushSubscription(): a subscription made with another VAPID key (the server\'s keys changed) is replaced at once', async () => {
  const { push, server, container } = manager({ registrationId: 'install-1' });
  const stored = await push.subscribe({ appId: 'softphone' });
  server.on('GET', '/api/v1/push-registrations', () => [200, [stored]]);
  const pushManager = container.registration.pushManager;

  // Made with this key: nothing to do.
  pushManager.current = new FakeSubscription({ endpoint: stored.subscription.endpoint, p256dh: 'p256dh-1', auth: 'auth-1', applicationServerKey: KEY.bytes });
  assert.deepEqual(await push.checkPushSubscription(), { registered: true, registration: stored });
  assert.equal(pushManager.subscribeCalls.length, 1);

  // Made with the key before: dropped, subscribed again with the current key, stored under the same id (and app id).
  const old = new FakeSubscription({ endpoint: stored.subscription.endpoint, p256dh: 'p256dh-1', auth: 'auth-1', applicationServerKey: vapidKey(2).bytes });
  pushManager.current = old;
  const lines = server.lines.length;
  const check = await push.checkPushSubscription();
  assert.equal(old.unsubscribed, true);
  assert.equal(pushManager.subscribeCalls.length, 2);
  assert.deepEqual([...pushManager.subscribeCalls[1].applicationServerKey], [...KEY.bytes]);
  assert.deepEqual(server.lines.slice(lines), [
    'GET /api/v1/push-registrations', 'GET /api/v1/push/webpush-key', 'GET /api/v1/push/webpush-key', 'PUT /api/v1/push-registrations/install-1',
  ]);
  assert.equal(server.requests.at(-1).body.appId, 'softphone');
  assert.equal(check.registered, true);
  assert.equal(check.resubscribed, true);
  assert.deepEqual(check.registration, { registrationId: 'install-1', ...server.requests.at(-1).body, updatedAt: storedAt });
  assert.notEqual(check.registration.subscription.endpoint, old.endpoint);

  // A browser that does not say which key it used is taken as it is.
  pushManager.current = new FakeSubscription({ endpoint: stored.subscription.endpoint, p256dh: 'p256dh-1', auth: 'auth-1' });
  assert.deepEqual(await push.checkPushSubscription(), { registered: true, registration: stored });
  assert.equal(pushManager.subscribeCalls.length, 2);
});

test('callService.push uses the service\'s base URL, fetch and current token (a factory is asked at every request)', async () => {
  const server = pushServer();
  const withToken = new CallService({ baseUrl: `${BASE}/`, accessToken: 'service-token', fetch: server.fetch });
  await withToken.push.subscribe({ platform: 'apns', token: 'device', registrationId: 'phone-7' });
  assert.equal(server.requests[0].url, `${BASE}/api/v1/push-registrations/phone-7`);
  assert.equal(server.requests[0].headers.authorization, 'Bearer service-token');

  let issued = 0;
  const withFactory = new CallService({ baseUrl: BASE, accessTokenFactory: async () => `token-${++issued}`, fetch: server.fetch });
  await withFactory.push.subscribe({ platform: 'apns', token: 'device', registrationId: 'phone-7' });
  await withFactory.push.refreshDeviceToken('device-2', { platform: 'apns', registrationId: 'phone-7' });
  assert.deepEqual(server.requests.slice(1).map((r) => r.headers.authorization), ['Bearer token-1', 'Bearer token-2']);
  assert.ok(withToken.push instanceof PushManager);
});

// ------------------------------------------------------------------------------------------------
// parsePushNotification
// ------------------------------------------------------------------------------------------------

const incoming = {
  type: 'incomingCall', callId: 'call-42', from: 'alice@callserver.local', displayName: 'Alice', video: true, expiresAt: '2026-11-28T10:00:30.0000000Z',
};

test('parsePushNotification reads an incomingCall push (a PushEvent\'s data.json(), a JSON string, or the PushMessageData)', () => {
  const expected = {
    type: 'incomingCall', callId: 'call-42', from: 'alice@callserver.local', displayName: 'Alice', video: true,
    expiresAt: new Date('2026-11-28T10:00:30Z'), reason: null,
  };
  assert.deepEqual(parsePushNotification(incoming), expected);
  assert.deepEqual(parsePushNotification(JSON.stringify(incoming)), expected);
  const pushMessageData = { text: () => JSON.stringify(incoming), json: () => incoming, arrayBuffer: () => new ArrayBuffer(0) };
  assert.deepEqual(parsePushNotification(pushMessageData), expected);
  assert.deepEqual(PushManager.parsePushNotification(incoming), expected);
  assert.deepEqual(manager().push.parsePushNotification(incoming), expected);
  assert.deepEqual(parsePushNotification({ ...incoming, displayName: null, video: false, expiresAt: undefined }),
    { ...expected, displayName: null, video: false, expiresAt: null });
});

test('parsePushNotification reads FCM data as the server sends it (every value a string, the caller as "caller"), bare or in its { data } message', () => {
  const fcm = { type: 'incomingCall', callId: 'call-42', caller: 'alice@callserver.local', video: 'false', expiresAt: '2026-11-28T10:00:30Z' };
  const parsed = parsePushNotification(fcm);
  assert.equal(parsed.from, 'alice@callserver.local');
  assert.equal(parsed.video, false);
  assert.equal(parsed.displayName, null);
  assert.equal(parsed.expiresAt.toISOString(), '2026-11-28T10:00:30.000Z');
  assert.equal(parsePushNotification({ ...fcm, video: 'true' }).video, true);
  assert.equal(parsePushNotification({ data: { ...fcm, video: 'true' }, from: '/topics/x' }).video, true);
});

test('parsePushNotification reads a callCanceled push', () => {
  assert.deepEqual(parsePushNotification({ type: 'callCanceled', callId: 'call-42', reason: 'AnsweredElsewhere' }), {
    type: 'callCanceled', callId: 'call-42', from: null, displayName: null, video: false, expiresAt: null, reason: 'AnsweredElsewhere',
  });
});

test('parsePushNotification reads a missedCall push: Web Push JSON, FCM data, and an APNs alert payload (its aps beside the fields)', () => {
  const expected = {
    type: 'missedCall', callId: 'call-42', from: 'alice@callserver.local', displayName: 'Alice', video: true, expiresAt: null, reason: 'NoAnswer',
  };
  const missed = { type: 'missedCall', callId: 'call-42', from: 'alice@callserver.local', displayName: 'Alice', video: true, reason: 'NoAnswer' };
  assert.deepEqual(parsePushNotification(missed), expected);
  assert.deepEqual(parsePushNotification({ data: { ...missed, from: undefined, caller: 'alice@callserver.local', video: 'true' } }), expected);
  assert.deepEqual(parsePushNotification({ aps: { alert: { title: 'Missed video call', body: 'Alice' }, sound: 'default' }, ...missed }), expected);
  assert.throws(() => parsePushNotification({ ...missed, from: null }), isCallError('InvalidArgument', /missedCall push without from/));
});

test('parsePushNotification throws InvalidArgument for what is not a CallServer push', () => {
  assert.throws(() => parsePushNotification('not json'), isCallError('InvalidArgument', /not JSON/));
  assert.throws(() => parsePushNotification(null), isCallError('InvalidArgument', /not an object/));
  assert.throws(() => parsePushNotification('[1,2]'), isCallError('InvalidArgument', /not an object/));
  assert.throws(() => parsePushNotification({ title: 'Sale!', body: '50% off' }), isCallError('InvalidArgument', /not a CallServer push \(type null\)/));
  assert.throws(() => parsePushNotification({ ...incoming, type: 'chatMessage' }), isCallError('InvalidArgument', /"chatMessage"/));
  assert.throws(() => parsePushNotification({ ...incoming, callId: '' }), isCallError('InvalidArgument', /callId/));
  assert.throws(() => parsePushNotification({ ...incoming, from: undefined }), isCallError('InvalidArgument', /from/));
  assert.throws(() => parsePushNotification({ type: 'callCanceled', reason: 'Canceled' }), isCallError('InvalidArgument', /callId/));
});
