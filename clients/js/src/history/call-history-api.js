// The server's call history REST endpoints, with the caller's bearer token: GET, DELETE one and
// DELETE all of /api/v1/call-history. Failures reject with the problem's CallError (Forbidden for an
// anonymous token, CallNotFound for an entry the history does not have, …).

import { bearerRequest } from '../bearer-request.js';
import { CallError } from '../errors.js';

const PATH = '/api/v1/call-history';

export class CallHistoryApi {
  /** @type {import('../bearer-request.js').RestEndpoint} */
  #endpoint;

  /** @param {import('../bearer-request.js').RestEndpoint} endpoint */
  constructor(endpoint) {
    this.#endpoint = endpoint;
  }

  /**
   * GET /api/v1/call-history?limit=&next= (or &before=) → the server's entries as it sent them (JSON
   * objects), newest first: at most `limit`, only those after the entry whose `next` is given, or only
   * calls that ended strictly before `before` when given.
   * @param {{ limit: number, next?: string | null, before?: string | null }} page
   * @returns {Promise<any[]>}
   */
  async list({ limit, next = null, before = null }) {
    const query = new URLSearchParams({ limit: String(limit) });
    if (next !== null) query.set('next', next);
    else if (before !== null) query.set('before', before);
    const response = await bearerRequest(this.#endpoint, 'GET', `${PATH}?${query}`);
    const entries = await response.json();
    if (!Array.isArray(entries)) throw new CallError('Unexpected', 'the server did not send a list of calls');
    return entries;
  }

  /** DELETE /api/v1/call-history/{callId} (CallNotFound when the history has no such call). */
  async remove(callId) {
    await bearerRequest(this.#endpoint, 'DELETE', `${PATH}/${encodeURIComponent(callId)}`);
  }

  /** DELETE /api/v1/call-history: every entry. */
  async clear() {
    await bearerRequest(this.#endpoint, 'DELETE', PATH);
  }
}
