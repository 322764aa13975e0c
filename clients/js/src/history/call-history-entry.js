// Reading the server's call history JSON: an entry (times as Dates, flags as booleans) and the hub's
// CallHistoryChanged event.

import { CallError } from '../errors.js';

/** A Date of an ISO 8601 time, or null. */
function date(value) {
  if (typeof value !== 'string' || value === '') return null;
  const parsed = new Date(value);
  return Number.isNaN(parsed.getTime()) ? null : parsed;
}

function textOrNull(value) {
  return typeof value === 'string' && value !== '' ? value : null;
}

function numberOrNull(value) {
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

/**
 * One entry of GET /api/v1/call-history, read: `createdAt`, `answeredAt` (null when not answered on
 * this side) and `endedAt` as Dates, `missed` and `video` as booleans. An entry without its call id or
 * its times is not one (Unexpected).
 * @param {any} json
 * @returns {import('../../index.js').CallHistoryEntry}
 */
export function parseCallHistoryEntry(json) {
  const callId = textOrNull(json?.callId);
  const createdAt = date(json?.createdAt);
  const endedAt = date(json?.endedAt);
  if (!callId || !createdAt || !endedAt) {
    throw new CallError('Unexpected', `the server sent a call history entry without callId, createdAt or endedAt: ${JSON.stringify(json)}`);
  }
  return Object.freeze({
    callId,
    direction: json?.direction === 'incoming' ? 'incoming' : 'outgoing',
    remoteAddress: String(json?.remoteAddress ?? ''),
    remoteDisplayName: textOrNull(json?.remoteDisplayName),
    missed: json?.missed === true,
    endReason: json?.endReason ?? null,
    statusCode: numberOrNull(json?.statusCode),
    createdAt,
    answeredAt: date(json?.answeredAt),
    endedAt,
    durationSeconds: numberOrNull(json?.durationSeconds) ?? 0,
    video: json?.video === true,
    transferredFrom: transferOrNull(json?.transferredFrom),
    transferredTo: transferOrNull(json?.transferredTo),
    pulledAt: Array.isArray(json?.pulledAt) ? json.pulledAt.map(date).filter(Boolean) : [],
    next: textOrNull(json?.next),
  });
}

/** `{callId, transferredBy, target}` of a history entry's transfer, or null. */
function transferOrNull(json) {
  const callId = textOrNull(json?.callId);
  return callId ? Object.freeze({ callId, transferredBy: textOrNull(json?.transferredBy), target: textOrNull(json?.target) }) : null;
}

/**
 * The argument of the hub's CallHistoryChanged, `{ change: 'added' | 'removed' | 'cleared', callId }`,
 * or null when it is not one.
 * @param {any} json
 * @returns {import('../../index.js').CallHistoryChange | null}
 */
export function parseCallHistoryChange(json) {
  if (!json || typeof json !== 'object' || typeof json.change !== 'string' || json.change === '') return null;
  return Object.freeze({ change: json.change, callId: textOrNull(json.callId) });
}
