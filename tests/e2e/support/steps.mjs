// Steps of one story that depend on each other: once a step fails, the later ones do not run their
// body (they are reported as skipped, "an earlier step failed") instead of failing in cascade; the
// suite still fails through the first failure.
import { it } from 'node:test';

/** Returns `step(name, fn)`, a `node:test` `it` that stops the story at its first failure. */
export function storySteps() {
  let failed = false;
  const step = (name, fn) => it(name, async (t) => {
    if (failed) {
      t.skip('an earlier step failed');
      return;
    }
    try {
      await fn(t);
    } catch (error) {
      failed = true;
      throw error;
    }
  });
  step.failed = () => failed;
  step.markFailed = () => { failed = true; };
  return step;
}
