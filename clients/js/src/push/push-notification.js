// Reading a CallServer push (what a service worker's `push` event or a native app receives). No DOM and
// no other SDK module but errors.js, so a service worker can import this file alone
// (`import { parsePushNotification } from '/sdk/push/push-notification.js'`).

import { CallError } from '../errors.js';

const TYPES = ['incomingCall', 'callCanceled', 'missedCall'];

/** The payload as an object: a JSON string, a PushMessageData, FCM's `{ data }` wrapper or the payload itself. */
function payloadObject(data) {
  let value = data;
  if (value && typeof value === 'object' && typeof value.text === 'function' && typeof value.json === 'function') {
    value = value.text(); // a PushEvent's PushMessageData
  }
  if (typeof value === 'string') {
    try {
      value = JSON.parse(value);
    } catch {
      throw new CallError('InvalidArgument', 'the push is not JSON');
    }
  }
  if (!value || typeof value !== 'object' || Array.isArray(value)) {
    throw new CallError('InvalidArgument', 'the push is not an object');
  }
  if (value.type === undefined && value.data && typeof value.data === 'object') {
    value = value.data; // FCM RemoteMessage: the fields are in `data`
  }
  return value;
}

/** A non-empty string field, or null. */
function text(value) {
  return typeof value === 'string' && value !== '' ? value : null;
}

/** `true` or FCM's `"true"`. */
function flag(value) {
  return value === true || value === 'true';
}

function date(value) {
  if (typeof value !== 'string' || value === '') return null;
  const parsed = new Date(value);
  return Number.isNaN(parsed.getTime()) ? null : parsed;
}

/**
 * Reads a CallServer push: `{ type: 'incomingCall', callId, from, displayName, video, expiresAt }`,
 * `{ type: 'callCanceled', callId, reason }` or `{ type: 'missedCall', callId, from, displayName, video, reason }`
 * (issue 20: a call that woke this device ended unanswered; an APNs one also has `aps.alert`), given as a PushEvent's `data.json()` result (or its `data`),
 * a JSON string, or FCM data (every value a string, `video` "true"/"false", the caller as `caller`
 * because FCM reserves `from`).
 * @param {unknown} data
 * @returns {import('../../index.js').PushNotification}
 * @throws {CallError} `InvalidArgument` when it is not a CallServer push
 */
export function parsePushNotification(data) {
  const payload = payloadObject(data);
  const type = payload.type;
  if (!TYPES.includes(type)) {
    throw new CallError('InvalidArgument', `not a CallServer push (type ${JSON.stringify(type ?? null)})`);
  }
  const callId = text(payload.callId);
  if (!callId) throw new CallError('InvalidArgument', `a ${type} push without a callId`);
  // FCM reserves the data key "from", so the server sends the caller there as "caller".
  const from = text(payload.from) ?? text(payload.caller);
  if ((type === 'incomingCall' || type === 'missedCall') && !from) throw new CallError('InvalidArgument', `an ${type} push without from`);
  return {
    type,
    callId,
    from,
    displayName: text(payload.displayName),
    video: flag(payload.video),
    expiresAt: date(payload.expiresAt),
    reason: text(payload.reason),
  };
}
