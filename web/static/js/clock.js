// The time of what runs now, for every console: how long an agenda item or a speech has run, how much of its
// time is left, and whether it is over. Counted in whole seconds by the server's clock (api.js), so that elapsed
// and remaining always add up to the time allowed and every screen in the hall turns over on the same second.
import { elapsedSince, t } from "./api.js";

const TICK_MS = 1000;
// The last minute is shown as ending: the chair and the speaker need the warning before the time is up.
const ENDING_SECONDS = 60;

function measure(startedAt, allowed) {
  const elapsed = Math.max(0, Math.floor(elapsedSince(startedAt) / 1000));
  const remaining = allowed - elapsed;
  return { elapsed, allowed, remaining, overrun: remaining < 0 };
}

/** A live agenda item's clock in seconds: {elapsed, allowed, remaining, overrun}; null when it is not running. */
export function itemClock(item) {
  if (item?.status !== "live" || !item.started_at) return null;
  return measure(item.started_at, (item.planned_minutes + item.extended_minutes) * 60);
}

/** A speech's clock against its time limit; null when nobody is speaking. */
export function speechClock(request) {
  if (request?.status !== "speaking" || !request.started_at) return null;
  return measure(request.started_at, request.time_limit_seconds);
}

/** Seconds as mm:ss, h:mm:ss from an hour on; a negative amount by its size (an overrun is said by its label). */
export function formatDuration(seconds) {
  const total = Math.abs(Math.round(seconds));
  const hours = Math.floor(total / 3600);
  const minutes = String(Math.floor((total % 3600) / 60)).padStart(2, "0");
  const rest = String(total % 60).padStart(2, "0");
  return hours ? `${hours}:${minutes}:${rest}` : `${minutes}:${rest}`;
}

/** Seconds as the minutes a form shows (to two decimals: 10 s is 0.17), and typed minutes back as seconds. */
export const minutesOf = (seconds) => Math.round(seconds / 0.6) / 100;
export const secondsOf = (minutes) => Math.round(Number(minutes) * 60);

/**
 * Show a clock in `node`: its [data-part] children get the elapsed and allowed time, the time left (or over) and
 * that amount's label; the node is hidden without a clock, and its data-state is running, ending or overrun.
 */
export function paintClock(node, clock) {
  node.hidden = !clock;
  if (!clock) return;
  const state = clock.overrun ? "overrun" : clock.remaining <= ENDING_SECONDS ? "ending" : "running";
  if (node.dataset.state !== state) node.dataset.state = state;
  const texts = {
    elapsed: formatDuration(clock.elapsed),
    allowed: formatDuration(clock.allowed),
    remaining: formatDuration(clock.remaining),
    "remaining-label": t(clock.overrun ? "clock.overrun" : "clock.remaining"),
  };
  for (const part of node.querySelectorAll("[data-part]")) {
    const text = texts[part.dataset.part];
    if (part.textContent !== text) part.textContent = text;
  }
}

/**
 * Keep `node` showing the clock `read()` gives, redrawn every second; call the returned function after a change,
 * and its `stop()` when no clock can run again (the workshop closed).
 */
export function clockView(node, read) {
  const paint = () => paintClock(node, read());
  const timer = setInterval(paint, TICK_MS);
  paint.stop = () => {
    clearInterval(timer);
    node.hidden = true;
  };
  paint();
  return paint;
}
