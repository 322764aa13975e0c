// CallHistory (callService.history): the exact requests to /api/v1/call-history (paths, query strings,
// bearer token), paging with the `next` cursor (and `before` for an older server), the entries as read (Dates, booleans), the errors, and
// the hub's CallHistoryChanged reaching the listener.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CallError } from '../src/errors.js';
import { CallHistory, CallService } from '../src/index.js';
import { FakeServer } from './support/fake-push.mjs';
import { connectOverFakeHub } from './support/fake-connection.mjs';

const BASE = 'https://calls.example.com';
const NEWEST_END = Date.UTC(2026, 10, 28, 12, 0, 0);

/** A time as the server writes it: UTC with seven fractional digits (more than a Date keeps). */
const serverTime = (ms) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, '.1234567+00:00');

/** The n-th newest entry as the server sends it (each ended a minute before the one before it). */
function serverEntry(n, overrides = {}) {
  const endedAt = NEWEST_END - n * 60_000;
  return {
    callId: `call-${n}`,
    direction: 'outgoing',
    remoteAddress: `user-${n}@callserver.local`,
    remoteDisplayName: null,
    missed: false,
    endReason: 'EndedRemotely',
    statusCode: 9900,
    createdAt: serverTime(endedAt - 50_000),
    answeredAt: serverTime(endedAt - 42_000),
    endedAt: serverTime(endedAt),
    durationSeconds: 42,
    video: false,
    ...overrides,
  };
}

const history = (count) => Array.from({ length: count }, (_, n) => serverEntry(n));

/**
 * A server holding `entries` (newest first) as GET /api/v1/call-history serves them: at most `limit`
 * (default 50), only those that ended strictly before `before`. Every time has the same format, so
 * comparing the texts compares the times at their full precision.
 */
function historyServer(entries) {
  const server = new FakeServer(BASE);
  server.on('GET', '/api/v1/call-history', (request) => {
    const limit = Number(request.query.get('limit') ?? 50);
    const before = request.query.get('before');
    const older = before === null ? entries : entries.filter((entry) => entry.endedAt < before);
    return [200, older.slice(0, limit)];
  });
  return server;
}

function callHistory(server, options = {}) {
  return new CallHistory({ baseUrl: `${BASE}/`, accessToken: 'user-token', fetch: server.fetch, ...options });
}

/** `[limit, before]` of each GET, `before` null when absent. */
const pagesAsked = (server) => server.requests.map((r) => [Number(r.query.get('limit')), r.query.get('before')]);

const isCallError = (code, message) => (error) => {
  assert.ok(error instanceof CallError, `a CallError, not ${error}`);
  assert.equal(error.code, code);
  if (message) assert.match(error.message, message);
  return true;
};

// ------------------------------------------------------------------------------------------------
// fetch
// ------------------------------------------------------------------------------------------------

test('fetch() asks for the 50 newest with the bearer token and reads each entry: Dates, booleans, nulls', async () => {
  const missed = serverEntry(0, {
    callId: 'call-missed', direction: 'incoming', remoteAddress: 'alice@callserver.local', remoteDisplayName: 'Alice',
    missed: true, endReason: 'NoAnswer', statusCode: 9908, answeredAt: null, durationSeconds: 0, video: true,
  });
  const answered = serverEntry(1, { callId: 'call-answered', remoteAddress: 'bob@callserver.local' });
  const server = historyServer([missed, answered]);

  const entries = await callHistory(server).fetch();

  assert.deepEqual(server.lines, ['GET /api/v1/call-history?limit=50']);
  assert.equal(server.requests[0].headers.authorization, 'Bearer user-token');
  assert.equal(server.requests[0].body, undefined);
  assert.deepEqual(entries, [
    {
      callId: 'call-missed', direction: 'incoming', remoteAddress: 'alice@callserver.local', remoteDisplayName: 'Alice',
      missed: true, endReason: 'NoAnswer', statusCode: 9908,
      createdAt: new Date('2026-11-28T11:59:10.123Z'), answeredAt: null, endedAt: new Date('2026-11-28T12:00:00.123Z'),
      durationSeconds: 0, video: true, transferredFrom: null, transferredTo: null, pulledAt: [], next: null,
    },
    {
      callId: 'call-answered', direction: 'outgoing', remoteAddress: 'bob@callserver.local', remoteDisplayName: null,
      missed: false, endReason: 'EndedRemotely', statusCode: 9900,
      createdAt: new Date('2026-11-28T11:58:10.123Z'), answeredAt: new Date('2026-11-28T11:58:18.123Z'), endedAt: new Date('2026-11-28T11:59:00.123Z'),
      durationSeconds: 42, video: false, transferredFrom: null, transferredTo: null, pulledAt: [], next: null,
    },
  ]);
  assert.ok(entries.every((entry) => Object.isFrozen(entry)), 'entries are read-only');
});

test('fetch() reads the transfers and the moves of an entry', async () => {
  const transferred = serverEntry(0, {
    callId: 'call-old', endReason: 'Transferred',
    transferredTo: { callId: 'call-new', transferredBy: 'bob@callserver.local', target: 'carol@callserver.local' },
    pulledAt: ['2026-11-28T11:59:30.000Z'],
  });
  const placed = serverEntry(1, { callId: 'call-new', transferredFrom: { callId: 'call-old', transferredBy: 'bob@callserver.local', target: null } });
  const [old, next] = await callHistory(historyServer([transferred, placed])).fetch();
  assert.deepEqual(old.transferredTo, { callId: 'call-new', transferredBy: 'bob@callserver.local', target: 'carol@callserver.local' });
  assert.deepEqual(old.pulledAt, [new Date('2026-11-28T11:59:30.000Z')]);
  assert.equal(old.transferredFrom, null);
  assert.deepEqual(next.transferredFrom, { callId: 'call-old', transferredBy: 'bob@callserver.local', target: null });
});

test('fetch(amount, offset) pages by 200 following the last endedAt (as the server wrote it) until offset + amount came', async () => {
  const entries = history(450);
  const server = historyServer(entries);

  const page = await callHistory(server).fetch(30, 400);

  assert.deepEqual(page.map((e) => e.callId), entries.slice(400, 430).map((e) => e.callId));
  assert.deepEqual(pagesAsked(server), [[200, null], [200, entries[199].endedAt], [30, entries[399].endedAt]]);
  assert.match(server.requests[1].query.get('before'), /\.1234567\+00:00$/, 'the cursor keeps the server\'s precision');
  assert.equal(server.lines[1], `GET /api/v1/call-history?limit=200&before=${encodeURIComponent(entries[199].endedAt)}`);
});

/**
 * A server of issue 20: every entry has its `next` cursor, and ?next= gives the entries after it (unique even
 * when calls ended in the same millisecond, as `before` is not).
 */
function cursorServer(entries) {
  const withCursors = entries.map((entry, i) => ({ ...entry, next: `cursor-${i}` }));
  const server = new FakeServer(BASE);
  server.on('GET', '/api/v1/call-history', (request) => {
    const limit = Number(request.query.get('limit') ?? 50);
    const next = request.query.get('next');
    const from = next === null ? 0 : Number(next.slice('cursor-'.length)) + 1;
    return [200, withCursors.slice(from, from + limit)];
  });
  return server;
}

test('fetch() pages by the last entry\'s next cursor when the server sends one: calls that ended in the same millisecond come once each', async () => {
  const sameMillisecond = Array.from({ length: 450 }, (_, n) => serverEntry(0, { callId: `call-${n}` }));
  const server = cursorServer(sameMillisecond);

  const page = await callHistory(server).fetch(60, 380);

  assert.deepEqual(page.map((e) => e.callId), sameMillisecond.slice(380, 440).map((e) => e.callId));
  assert.deepEqual(server.requests.map((r) => [Number(r.query.get('limit')), r.query.get('next'), r.query.get('before')]),
    [[200, null, null], [200, 'cursor-199', null], [40, 'cursor-399', null]]);
  assert.equal(server.lines[1], 'GET /api/v1/call-history?limit=200&next=cursor-199');
  assert.equal(page[0].next, 'cursor-380');
});

test('fetch(amount, entry.next) continues after that entry: each entry once, page after page', async () => {
  const entries = Array.from({ length: 5 }, (_, n) => serverEntry(0, { callId: `call-${n}` }));
  const server = cursorServer(entries);
  const history = callHistory(server);

  const first = await history.fetch(2);
  const second = await history.fetch(2, first.at(-1).next);
  const third = await history.fetch(2, second.at(-1).next);

  assert.deepEqual([...first, ...second, ...third].map((e) => e.callId), entries.map((e) => e.callId));
  assert.deepEqual(server.requests.map((r) => r.query.get('next')), [null, 'cursor-1', 'cursor-3']);
  await assert.rejects(history.fetch(2, ''), isCallError('InvalidArgument', /cursor/));
});

test('fetch() stops at a page shorter than asked (the server has no more): never more requests than needed', async () => {
  const seventy = historyServer(history(70));
  const rest = await callHistory(seventy).fetch(50, 50);
  assert.deepEqual(rest.map((e) => e.callId), history(70).slice(50).map((e) => e.callId));
  assert.deepEqual(pagesAsked(seventy), [[100, null]]);

  const exactly200 = historyServer(history(200));
  assert.deepEqual(await callHistory(exactly200).fetch(100, 200), []);
  assert.deepEqual(pagesAsked(exactly200), [[200, null], [100, history(200)[199].endedAt]]);

  const small = historyServer(history(3));
  assert.equal((await callHistory(small).fetch(5)).length, 3);
  assert.deepEqual(pagesAsked(small), [[5, null]]);
});

test('fetch(0) asks nothing; amounts and offsets that are not whole numbers ≥ 0 are InvalidArgument, before any request', async () => {
  const server = historyServer(history(3));
  const calls = callHistory(server);
  assert.deepEqual(await calls.fetch(0, 10), []);
  await assert.rejects(calls.fetch(-1), isCallError('InvalidArgument', /amount/));
  await assert.rejects(calls.fetch(2.5), isCallError('InvalidArgument', /amount/));
  await assert.rejects(calls.fetch(10, -3), isCallError('InvalidArgument', /offset/));
  await assert.rejects(calls.fetch(/** @type {any} */ ('10')), isCallError('InvalidArgument', /amount/));
  assert.deepEqual(server.requests, []);
});

test('fetch() of an anonymous caller is Forbidden with the problem\'s detail; a body that is not a list, or an entry without its id or times, is Unexpected; no server is ConnectionError', async () => {
  const server = new FakeServer(BASE);
  server.on('GET', '/api/v1/call-history', () => [403, { title: 'Forbidden', status: 403, code: 'Forbidden', detail: 'anonymous callers have no call history' }]);
  await assert.rejects(callHistory(server).fetch(), isCallError('Forbidden', /^anonymous callers have no call history$/));

  server.on('GET', '/api/v1/call-history', () => [200, { entries: [] }]);
  await assert.rejects(callHistory(server).fetch(), isCallError('Unexpected', /list of calls/));
  server.on('GET', '/api/v1/call-history', () => [200, [serverEntry(0, { endedAt: null })]]);
  await assert.rejects(callHistory(server).fetch(), isCallError('Unexpected', /without callId, createdAt or endedAt/));
  server.on('GET', '/api/v1/call-history', () => [200, [serverEntry(0, { callId: '' })]]);
  await assert.rejects(callHistory(server).fetch(), isCallError('Unexpected', /without callId/));

  const offline = new CallHistory({ baseUrl: BASE, accessToken: 't', fetch: async () => { throw new TypeError('fetch failed'); } });
  await assert.rejects(offline.fetch(), isCallError('ConnectionError', /GET \/api\/v1\/call-history\?limit=50 failed: fetch failed/));
});

// ------------------------------------------------------------------------------------------------
// get
// ------------------------------------------------------------------------------------------------

test('get(callId) answers from the entries fetched so far without a request', async () => {
  const server = historyServer(history(10));
  const calls = callHistory(server);
  await calls.fetch(3, 5); // reads the 8 newest, returns 5..7
  const requests = server.requests.length;
  assert.equal((await calls.get('call-2')).callId, 'call-2', 'skipped by the offset, but fetched');
  assert.equal((await calls.get('call-7')).endedAt.toISOString(), '2026-11-28T11:53:00.123Z');
  assert.equal(server.requests.length, requests);
});

test('get(callId) of an entry not fetched reads pages of 200 until it is there; null when the history has none', async () => {
  const entries = history(450);
  const server = historyServer(entries);
  const calls = callHistory(server);

  const found = await calls.get('call-250');
  assert.equal(found.callId, 'call-250');
  assert.equal(found.remoteAddress, 'user-250@callserver.local');
  assert.deepEqual(pagesAsked(server), [[200, null], [200, entries[199].endedAt]]);

  assert.equal((await calls.get('call-399')).callId, 'call-399', 'the second page was kept');
  assert.equal(server.requests.length, 2);

  assert.equal(await calls.get('no-such-call'), null);
  assert.deepEqual(pagesAsked(server).slice(2), [[200, null], [200, entries[199].endedAt], [200, entries[399].endedAt]]);
  await assert.rejects(calls.get(''), isCallError('InvalidArgument', /callId/));
});

// ------------------------------------------------------------------------------------------------
// remove, clear
// ------------------------------------------------------------------------------------------------

test('remove(callId) sends DELETE /api/v1/call-history/{callId} with the token; a call the history lacks is CallNotFound', async () => {
  const server = historyServer([serverEntry(0, { callId: 'call/1 é' })]);
  server.on('DELETE', `/api/v1/call-history/${encodeURIComponent('call/1 é')}`, () => [204, undefined]);
  server.on('DELETE', '/api/v1/call-history/gone', () => [404, { title: 'Not Found', status: 404, code: 'CallNotFound', detail: 'no call gone in the history' }]);
  const calls = callHistory(server);
  await calls.fetch();

  assert.equal(await calls.remove('call/1 é'), undefined);
  assert.deepEqual(server.lines.slice(1), ['DELETE /api/v1/call-history/call%2F1%20%C3%A9']);
  assert.equal(server.requests[1].headers.authorization, 'Bearer user-token');
  assert.equal(server.requests[1].body, undefined);

  // Removed: get() no longer answers from what was fetched, it asks the server.
  await calls.get('call/1 é');
  assert.equal(server.lines[2], 'GET /api/v1/call-history?limit=200');

  await assert.rejects(calls.remove('gone'), isCallError('CallNotFound', /^no call gone in the history$/));
  await assert.rejects(calls.remove(/** @type {any} */ (undefined)), isCallError('InvalidArgument'));
  assert.equal(server.requests.length, 4);
});

test('clear() sends DELETE /api/v1/call-history and forgets every fetched entry; refusals reject', async () => {
  const server = historyServer(history(2));
  server.on('DELETE', '/api/v1/call-history', () => [204, undefined]);
  const calls = callHistory(server);
  await calls.fetch();

  assert.equal(await calls.clear(), undefined);
  assert.deepEqual(server.lines.slice(1), ['DELETE /api/v1/call-history']);
  assert.equal(server.requests[1].headers.authorization, 'Bearer user-token');
  await calls.get('call-0');
  assert.equal(server.lines[2], 'GET /api/v1/call-history?limit=200', 'cleared: asked again');

  server.on('DELETE', '/api/v1/call-history', () => [403, { code: 'Forbidden', detail: 'anonymous callers have no call history' }]);
  await assert.rejects(calls.clear(), isCallError('Forbidden'));
  server.on('DELETE', '/api/v1/call-history', () => [429, undefined]);
  await assert.rejects(calls.clear(), isCallError('RateLimited', /HTTP 429/));
});

test('new CallHistory() needs a base URL and a token', () => {
  assert.throws(() => new CallHistory({ baseUrl: BASE }), isCallError('InvalidArgument', /accessToken/));
  assert.throws(() => new CallHistory({ accessToken: 't' }), isCallError('InvalidArgument', /baseUrl/)); // node has no location
});

// ------------------------------------------------------------------------------------------------
// callService.history and the hub's CallHistoryChanged
// ------------------------------------------------------------------------------------------------

test('callService.history uses the service\'s base URL, fetch and current token (a factory is asked at every request)', async () => {
  const server = historyServer(history(1));
  const withToken = new CallService({ baseUrl: `${BASE}/`, accessToken: 'service-token', fetch: server.fetch });
  assert.ok(withToken.history instanceof CallHistory);
  await withToken.history.fetch(1);
  assert.equal(server.requests[0].url, `${BASE}/api/v1/call-history?limit=1`);
  assert.equal(server.requests[0].headers.authorization, 'Bearer service-token');

  let issued = 0;
  const withFactory = new CallService({ baseUrl: BASE, accessTokenFactory: async () => `token-${++issued}`, fetch: server.fetch });
  await withFactory.history.fetch();
  await withFactory.history.fetch();
  assert.deepEqual(server.requests.slice(1).map((r) => r.headers.authorization), ['Bearer token-1', 'Bearer token-2']);
});

test('the hub\'s CallHistoryChanged reaches listener.callHistoryChanged({ change, callId }) as the server sent it', async () => {
  const changes = [];
  const { service, hub } = await connectOverFakeHub({
    baseUrl: BASE, accessToken: 'user-token', fetch: historyServer([]).fetch, logger: { info() {}, warn() {}, error() {}, log() {} },
    listener: { callHistoryChanged(change) { changes.push(change); } },
  });

  hub.receive('CallHistoryChanged', { change: 'added', callId: 'call-7' });
  hub.receive('CallHistoryChanged', { change: 'removed', callId: 'call-3' });
  hub.receive('CallHistoryChanged', { change: 'cleared', callId: null });
  assert.deepEqual(changes, [
    { change: 'added', callId: 'call-7' },
    { change: 'removed', callId: 'call-3' },
    { change: 'cleared', callId: null },
  ]);

  // A listener set later, or none at all, is fine too.
  service.listener = null;
  hub.receive('CallHistoryChanged', { change: 'added', callId: 'call-8' });
  assert.equal(changes.length, 3);
  await service.disconnect();
});

test('a CallHistoryChanged without a change is logged, not dispatched; a listener that throws is logged', async () => {
  const changes = [];
  const logged = [];
  const logger = { info() {}, log() {}, warn: (line) => logged.push(['warn', line]), error: (line) => logged.push(['error', line]) };
  const { hub } = await connectOverFakeHub({
    baseUrl: BASE, accessToken: 'user-token', logger,
    listener: {
      callHistoryChanged(change) {
        changes.push(change);
        if (change.callId === 'boom') throw new Error('listener failed');
      },
    },
  });

  hub.receive('CallHistoryChanged', null);
  hub.receive('CallHistoryChanged', { callId: 'call-1' });
  assert.deepEqual(changes, []);
  assert.equal(logged.length, 2);
  assert.match(logged[0][1], /CallHistoryChanged without a change: null/);

  hub.receive('CallHistoryChanged', { change: 'added', callId: 'boom' });
  assert.equal(changes.length, 1);
  assert.equal(logged[2][0], 'error');
  assert.match(logged[2][1], /listener\.callHistoryChanged threw: Error: listener failed/);
});

test('a removed or cleared CallHistoryChanged makes callService.history forget those entries (get asks the server again)', async () => {
  const server = historyServer(history(3));
  const { service, hub } = await connectOverFakeHub({ baseUrl: BASE, accessToken: 'user-token', fetch: server.fetch });
  const connecting = server.requests.length; // GET /api/v1/auth/me on connect
  await service.history.fetch();
  await service.history.get('call-0');
  await service.history.get('call-1');
  assert.equal(server.requests.length - connecting, 1, 'both from the fetched entries');

  hub.receive('CallHistoryChanged', { change: 'removed', callId: 'call-0' });
  await service.history.get('call-1');
  assert.equal(server.requests.length - connecting, 1, 'another entry is still known');
  await service.history.get('call-0');
  assert.equal(server.requests.length - connecting, 2, 'the removed one is asked for');

  hub.receive('CallHistoryChanged', { change: 'added', callId: 'call-9' });
  await service.history.get('call-2');
  assert.equal(server.requests.length - connecting, 2, 'an added entry changes nothing known');

  hub.receive('CallHistoryChanged', { change: 'cleared', callId: null });
  await service.history.get('call-2');
  assert.equal(server.requests.length - connecting, 3, 'cleared: asked again');
});
