// Hub connections for the end-to-end tests: the official SignalR client, every event queued per
// connection, waiting for events with a timeout (never a sleep), refusal checks. Shared by
// call-flow.test.mjs and the cluster tests.
import assert from 'node:assert/strict';
import { performance } from 'node:perf_hooks';
import * as signalR from '@microsoft/signalr';

export const EVENT_TIMEOUT_MS = 5_000;


export const SNAPSHOT_EVENTS = new Set(['IncomingCall', 'CallStatusChanged', 'MediaAttributesChanged']);
export const EVENTS = [
  'IncomingCall',
  'CallStatusChanged',
  'RemoteDescription',
  'RenegotiationRequested',
  'CallOperationCompleted',
  'MediaAttributesChanged',
  'IceCandidate',
  'ServerDraining',
  'TransferRequested',
  'TransferConnected',
  'TransferProgress',
  'DtmfReceived',
  'CustomParametersReceived',
];

export const clientLog = [];
export const connections = [];

/** Opens a hub connection of `user` to the server at `url`; every event is queued with its arrival time. */
export async function openConnection(url, label, user, extra = {}) {
  const hub = new signalR.HubConnectionBuilder()
    .withUrl(`${url}/hubs/calls`, { accessTokenFactory: () => user.token })
    .configureLogging({
      log: (level, message) => {
        if (level >= signalR.LogLevel.Information) clientLog.push(`${new Date().toISOString()} [${label}] ${signalR.LogLevel[level]}: ${message}`);
      },
    })
    .build();
  const conn = {
    label,
    ...extra,
    user,
    hub,
    received: [], // { event, args, at, consumed }
    waiters: [],
    snapshots: [],
    closed: false,
    closedAt: null,
    closeWaiters: [],
  };
  for (const event of EVENTS) {
    hub.on(event, (...args) => deliver(conn, event, args));
  }
  hub.onclose((error) => {
    conn.closed = true;
    conn.closedAt = performance.now();
    conn.closeError = error;
    for (const resolve of conn.closeWaiters.splice(0)) resolve();
  });
  connections.push(conn);
  await hub.start();
  // The handshake is answered before the server registered the device; the first invocation is handled after.
  await hub.invoke('GetActiveCalls');
  return conn;
}

export function recordSnapshot(conn, snapshot, source) {
  conn.snapshots.push({ source, callId: snapshot.callId, sequence: snapshot.sequence, state: snapshot.state, endReason: snapshot.endReason });
}

function deliver(conn, event, args) {
  const at = performance.now();
  if (SNAPSHOT_EVENTS.has(event)) recordSnapshot(conn, args[0], event);
  const entry = { event, args, at, consumed: false };
  conn.received.push(entry);
  const index = conn.waiters.findIndex((w) => w.event === event && w.predicate(...args));
  if (index >= 0) {
    const [waiter] = conn.waiters.splice(index, 1);
    entry.consumed = true;
    clearTimeout(waiter.timer);
    waiter.resolve(entry);
  }
}

export function describeEvents(conn) {
  return conn.received.map((e) => {
    const first = e.args[0];
    const detail = first && typeof first === 'object' && 'state' in first
      ? `${first.callId?.slice(0, 6)} ${first.state}${first.endReason ? '/' + first.endReason : ''} seq=${first.sequence}`
      : e.args.filter((a) => typeof a !== 'string' || a.length < 40).map((a) => JSON.stringify(a)).join(', ');
    return `  ${e.consumed ? ' ' : '*'} ${e.event}(${detail})`;
  }).join('\n') || '  (none)';
}

/**
 * The first not yet consumed `eventName` event on `conn` matching `predicate` (already received or
 * still to come): resolves with `{ args, at }`; rejects after `timeoutMs`.
 */
export function waitForEntry(conn, eventName, predicate = () => true, timeoutMs = EVENT_TIMEOUT_MS) {
  const queued = conn.received.find((e) => !e.consumed && e.event === eventName && predicate(...e.args));
  if (queued) {
    queued.consumed = true;
    return Promise.resolve(queued);
  }
  return new Promise((resolve, reject) => {
    const waiter = { event: eventName, predicate, resolve };
    waiter.timer = setTimeout(() => {
      conn.waiters.splice(conn.waiters.indexOf(waiter), 1);
      reject(new Error(
        `${conn.label}: no matching ${eventName} within ${timeoutMs} ms (predicate: ${predicate.toString()}).\n` +
        `Events on ${conn.label} (* = not consumed):\n${describeEvents(conn)}`));
    }, timeoutMs);
    conn.waiters.push(waiter);
  });
}

/** As waitForEntry, resolving with the event's arguments. */
export async function waitFor(conn, eventName, predicate, timeoutMs) {
  return (await waitForEntry(conn, eventName, predicate, timeoutMs)).args;
}

/** The next CallStatusChanged of `callId` in `state` (and `endReason`, when given): resolves with the snapshot. */
export async function waitForState(conn, callId, state, endReason, timeoutMs) {
  const [snapshot] = await waitFor(conn, 'CallStatusChanged',
    (s) => s.callId === callId && s.state === state && (endReason === undefined || s.endReason === endReason), timeoutMs);
  return snapshot;
}

/** Resolves when the connection has closed (or rejects after `timeoutMs`). */
export function waitClosed(conn, timeoutMs = EVENT_TIMEOUT_MS) {
  if (conn.closed) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${conn.label}: still open after ${timeoutMs} ms`)), timeoutMs);
    conn.closeWaiters.push(() => { clearTimeout(timer); resolve(); });
  });
}

/** The code of a failed hub invocation ("… HubException: Code: text"), or undefined. */
export function hubErrorCode(error) {
  return /HubException: (\w+):/.exec(error?.message ?? '')?.[1];
}

/**
 * Rejects unless the invocation fails with a refusal `code`. The server throws a HubException whose
 * message is `Code: text`; SignalR sends it as "An unexpected error occurred invoking 'Method' on the
 * server. HubException: Code: text".
 */
export async function assertRefused(promise, code) {
  await assert.rejects(promise, (error) => {
    assert.match(error.message, new RegExp(`^An unexpected error occurred invoking '[^']+' on the server\\. HubException: ${code}: `),
      `expected a ${code} refusal, got: ${error.message}`);
    return true;
  });
}

/** The events `conn` received that no step consumed (optionally of these names). */
export function unconsumed(conn, ...eventNames) {
  return conn.received.filter((e) => !e.consumed && (eventNames.length === 0 || eventNames.includes(e.event)));
}

/** Events of one call on `conn`, as `Event:State/EndReason` strings (snapshot events) or event names. */
export function eventsOf(conn, callId) {
  return conn.received
    .filter((e) => (typeof e.args[0] === 'object' ? e.args[0]?.callId : e.args[0]) === callId)
    .map((e) => (SNAPSHOT_EVENTS.has(e.event)
      ? `${e.event}:${e.args[0].state}${e.args[0].endReason ? '/' + e.args[0].endReason : ''}`
      : e.event));
}

/** Asserts that the snapshots `conn` saw for `callId` have strictly increasing sequence numbers. */
export function assertSequencesIncrease(conn, callId) {
  const seen = conn.snapshots.filter((s) => s.callId === callId);
  for (let i = 1; i < seen.length; i++) {
    assert.ok(seen[i].sequence > seen[i - 1].sequence,
      `${conn.label}: sequence ${seen[i].sequence} (${seen[i].source} ${seen[i].state}) after ${seen[i - 1].sequence} ` +
      `(${seen[i - 1].source} ${seen[i - 1].state}):\n${describeEvents(conn)}`);
  }
  return seen.length;
}

export async function closeAll() {
  await Promise.allSettled(connections.map((conn) => conn.hub.stop()));
}

