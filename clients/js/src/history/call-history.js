// CallHistory, as the mobile SDKs' call history: this user's calls, newest first (fetch, get), and
// removing them (remove, clear). `callService.history` is one, with the service's token, told of the
// hub's CallHistoryChanged; `new CallHistory(options)` works without a hub connection.

import { CallError } from '../errors.js';
import { CallHistoryApi } from './call-history-api.js';
import { parseCallHistoryEntry } from './call-history-entry.js';
import { historyPages, MAX_PAGE } from './history-pages.js';

/** @typedef {import('../../index.js').CallHistoryEntry} CallHistoryEntry */

function checkCount(name, value) {
  if (!Number.isInteger(value) || value < 0) throw new CallError('InvalidArgument', `${name} must be a whole number, 0 or more`);
  return value;
}

function checkCursor(next) {
  if (next === '') throw new CallError('InvalidArgument', 'a cursor is the non-empty `next` of a history entry');
  return next;
}

function checkCallId(callId) {
  if (typeof callId !== 'string' || callId === '') throw new CallError('InvalidArgument', 'callId must be a non-empty string');
  return callId;
}

export class CallHistory {
  #api;
  /** The entries fetched so far, by call id (entries do not change; removed ones are dropped). */
  /** @type {Map<string, CallHistoryEntry>} */
  #known = new Map();

  /** @param {import('../../index.js').CallHistoryOptions} options */
  constructor(options = {}) {
    const baseUrl = options.baseUrl ?? (typeof location !== 'undefined' ? location.origin : undefined);
    if (!baseUrl) throw new CallError('InvalidArgument', 'baseUrl is required');
    if (!options.accessToken && !options.accessTokenFactory) {
      throw new CallError('InvalidArgument', 'accessToken or accessTokenFactory is required');
    }
    const token = options.accessTokenFactory ?? (() => options.accessToken);
    this.#api = new CallHistoryApi({ baseUrl: baseUrl.replace(/\/+$/, ''), token, fetch: options.fetch });
  }

  /**
   * This user's calls, newest first (by end): `amount` of them after skipping the `offset` newest, or, when
   * `offset` is a string, after the entry whose `next` it is (an entry's `next`: paging by it yields every entry
   * exactly once even while calls are added or removed, which counting an offset cannot). Fetches pages of up
   * to 200, each following the last one's `next` cursor, until enough came or the server has no more.
   * @param {number} [amount]
   * @param {number | string} [offset]
   * @returns {Promise<CallHistoryEntry[]>}
   */
  async fetch(amount = 50, offset = 0) {
    checkCount('amount', amount);
    const after = typeof offset === 'string' ? checkCursor(offset) : null;
    const skip = after === null ? checkCount('offset', offset) : 0;
    if (amount === 0) return [];
    const wanted = skip + amount;
    const entries = [];
    for await (const page of historyPages(this.#api, (count) => wanted - count, after)) {
      entries.push(...page.map((json) => this.#remember(json)));
    }
    return entries.slice(skip, wanted);
  }

  /**
   * The entry of `callId`: one fetched before, else the history is read (pages of 200) until it is
   * found. Null when the history has no such call.
   * @param {string} callId
   * @returns {Promise<CallHistoryEntry | null>}
   */
  async get(callId) {
    checkCallId(callId);
    const known = this.#known.get(callId);
    if (known) return known;
    for await (const page of historyPages(this.#api, () => MAX_PAGE)) {
      for (const json of page) this.#remember(json);
      const found = this.#known.get(callId);
      if (found) return found;
    }
    return null;
  }

  /**
   * Removes one call from the history (DELETE /api/v1/call-history/{callId}); rejects with
   * CallError('CallNotFound') when the history has no such call.
   * @param {string} callId
   * @returns {Promise<void>}
   */
  async remove(callId) {
    checkCallId(callId);
    await this.#api.remove(callId);
    this.#known.delete(callId);
  }

  /**
   * Removes every call from the history (DELETE /api/v1/call-history).
   * @returns {Promise<void>}
   */
  async clear() {
    await this.#api.clear();
    this.#known.clear();
  }

  /**
   * @internal A CallHistoryChanged of the hub: a removed entry (or every one) is forgotten.
   * @param {import('../../index.js').CallHistoryChange} change
   */
  _onChanged(change) {
    if (change.change === 'cleared') this.#known.clear();
    else if (change.change === 'removed' && change.callId) this.#known.delete(change.callId);
  }

  #remember(json) {
    const entry = parseCallHistoryEntry(json);
    this.#known.set(entry.callId, entry);
    return entry;
  }
}
