// Reading the server's call history JSON: an entry (times as Dates, flags as booleans) and the hub's
// CallHistoryChanged event.

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
 * this side) and `endedAt` as Dates, `missed` and `video` as booleans.
 * @param {any} json
 * @returns {import('../../index.js').CallHistoryEntry}
 */
export function parseCallHistoryEntry(json) {
  return Object.freeze({
    callId: String(json?.callId ?? ''),
    direction: json?.direction === 'incoming' ? 'incoming' : 'outgoing',
    remoteAddress: String(json?.remoteAddress ?? ''),
    remoteDisplayName: textOrNull(json?.remoteDisplayName),
    missed: json?.missed === true,
    endReason: json?.endReason ?? null,
    statusCode: numberOrNull(json?.statusCode),
    createdAt: date(json?.createdAt),
    answeredAt: date(json?.answeredAt),
    endedAt: date(json?.endedAt),
    durationSeconds: numberOrNull(json?.durationSeconds) ?? 0,
    video: json?.video === true,
  });
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
