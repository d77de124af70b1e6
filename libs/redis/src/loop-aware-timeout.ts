import { performance } from 'node:perf_hooks';

/** How often the budget is counted down, and how much one late tick may count. */
const TICK_MS = 50;

/**
 * Calls `onExpire` once `budgetMs` of time has passed during which the event loop was free to run.
 *
 * A plain `setTimeout` is the wrong clock for "the server did not answer": when the process is busy
 * (a large chunk parsed and scored synchronously, a GC pause, a loaded machine), the timer fires as soon
 * as the loop is free again, in the timers phase, before the poll phase reads the reply that may have
 * been sitting in the socket the whole time. A healthy Redis then "times out" (issue 17: nearly a
 * thousand assessments marked degraded while Redis was up).
 *
 * Here the budget is counted in short ticks, and a tick that comes late counts only up to twice its
 * nominal length: lateness is the loop's, not the server's. When the budget is spent, the expiry waits
 * one more turn of the loop (setImmediate runs after the poll phase), so a reply already received
 * settles first. Returns the function that cancels the timeout.
 */
export function loopAwareTimeout(budgetMs: number, onExpire: () => void): () => void {
  let spent = 0;
  let last = performance.now();
  let done = false;
  let timer: NodeJS.Timeout | undefined;
  let immediate: NodeJS.Immediate | undefined;
  const tick = () => {
    const now = performance.now();
    spent += Math.min(now - last, 2 * TICK_MS);
    last = now;
    if (spent < budgetMs) {
      timer = setTimeout(tick, Math.min(TICK_MS, budgetMs - spent));
      return;
    }
    immediate = setImmediate(() => {
      if (done) return;
      done = true;
      onExpire();
    });
  };
  timer = setTimeout(tick, Math.min(TICK_MS, budgetMs));
  return () => {
    done = true;
    clearTimeout(timer);
    if (immediate) clearImmediate(immediate);
  };
}
