// Paging through the call history, newest first: each page asks for the calls that ended strictly
// before the last one of the page before (the `before` cursor), so no more is fetched than asked for.

/** The most GET /api/v1/call-history returns at once. */
export const MAX_PAGE = 200;

/**
 * Yields the pages of the history (the server's JSON entries), newest first. `nextLimit(count)` is the
 * size of the next page once `count` entries came (0: stop). Stops after a page shorter than asked
 * (the server has no more).
 * @param {Pick<import('./call-history-api.js').CallHistoryApi, 'list'>} api
 * @param {(count: number) => number} nextLimit
 * @returns {AsyncGenerator<any[]>}
 */
export async function* historyPages(api, nextLimit) {
  let before = null;
  let count = 0;
  for (;;) {
    const limit = Math.min(MAX_PAGE, nextLimit(count));
    if (limit <= 0) return;
    const page = await api.list({ limit, before });
    yield page;
    count += page.length;
    // The cursor is the last endedAt as the server wrote it: a Date would round it to milliseconds.
    const last = page.at(-1)?.endedAt;
    if (page.length < limit || typeof last !== 'string') return;
    before = last;
  }
}
