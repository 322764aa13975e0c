// Bounded polling for conditions that no event announces (a process becoming ready, a page's DOM):
// a deadline always ends it. Never used to wait for something an event tells.

/** Resolves after `ms` (used only to pace bounded polling, never to wait for an event). */
const pause = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `condition` (async, truthy = done) every `intervalMs` until `deadlineMs` passes; returns its value. */
export async function pollUntil(description, condition, { deadlineMs = 10_000, intervalMs = 50 } = {}) {
  const until = Date.now() + deadlineMs;
  let last;
  for (;;) {
    try {
      last = await condition();
      if (last) return last;
    } catch (error) {
      last = error;
    }
    if (Date.now() >= until) {
      throw new Error(`${description}: not true within ${deadlineMs} ms (last: ${last instanceof Error ? last.message : JSON.stringify(last)})`);
    }
    await pause(intervalMs);
  }
}
