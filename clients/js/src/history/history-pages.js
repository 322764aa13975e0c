// Paging through the call history, newest first: each page asks for the calls after the last one of the
// page before (its `next` cursor, which is unique: calls that ended in the same millisecond are neither
// skipped nor repeated), so no more is fetched than asked for. A server without `next` (before issue 20)
// is paged by the last `endedAt` (`before`).

/** The most GET /api/v1/call-history returns at once. */
export const MAX_PAGE = 200;

/**
 * Yields the pages of the history (the server's JSON entries), newest first. `nextLimit(count)` is the
 * size of the next page once `count` entries came (0: stop). Stops after a page shorter than asked
 * (the server has no more).
 * @param {Pick<import('./call-history-api.js').CallHistoryApi, 'list'>} api
 * @param {(count: number) => number} nextLimit
 * @param {string | null} [after] start after the entry whose `next` this is (null: at the newest)
 * @returns {AsyncGenerator<any[]>}
 */
export async function* historyPages(api, nextLimit, after = null) {
  /** @type {{ next?: string, before?: string }} */
  let cursor = after === null ? {} : { next: after };
  let count = 0;
  for (;;) {
    const limit = Math.min(MAX_PAGE, nextLimit(count));
    if (limit <= 0) return;
    const page = await api.list({ limit, ...cursor });
    yield page;
    count += page.length;
    const last = page.at(-1);
    if (page.length < limit) return;
    // The cursor as the server wrote it (an older server's endedAt too: a Date would round it to milliseconds).
    if (typeof last?.next === 'string') cursor = { next: last.next };
    else if (typeof last?.endedAt === 'string') cursor = { before: last.endedAt };
    else return;
  }
}
