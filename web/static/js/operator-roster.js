// The operator's roster list: one row per person with their presence, how their last write went, and the
// buttons to check in, undo or check out. It draws a view (operator-pending.js) and leaves acting to the page.
import { el, formatTime, t } from "./api.js";

const $ = (id) => document.getElementById(id);

/** Who attends in place of each roster member, by the member's id. */
export function substitutes(people) {
  return new Map([...people.values()].filter((p) => p.present && p.substitute_for).map((p) => [p.substitute_for, p]));
}

function presenceBadge(person) {
  if (person.present) return null;
  // Someone who left says when: "absent" alone would hide that they came.
  if (person.checked_out_at) return el("span", { class: "badge left", text: t("attendance.left_at", { time: formatTime(person.checked_out_at) }) });
  return el("span", { class: "badge absent", text: t("attendance.absent") });
}

/** Where a present person's row has its check-in button when absent: their state, which takes no tap. */
function presenceMark(person) {
  // A check-in still waiting has no time yet: the server sets it when the check-in arrives.
  const text = person.checked_in_at ? t("attendance.is_present", { time: formatTime(person.checked_in_at) }) : t("attendance.present");
  return el("span", { class: "presence-mark", text });
}

function syncBadge(sync) {
  if (!sync) return null;
  const text = sync.kind === "failed" ? t("outbox.failed", { message: sync.message }) : t(`outbox.${sync.kind}`);
  return el("span", { class: `badge sync-${sync.kind}`, text });
}

function badges(person, people, standIns, sync) {
  const substituted = person.substitute_for ? people.get(person.substitute_for) : null;
  const standIn = standIns.get(person.id);
  return [
    presenceBadge(person),
    syncBadge(sync),
    substituted ? el("span", { class: "badge", text: t("attendance.substitute_for", { name: substituted.full_name }) }) : null,
    standIn ? el("span", { class: "badge", text: t("attendance.substituted_by", { name: standIn.full_name }) }) : null,
    !person.on_roster && !person.substitute_for ? el("span", { class: "badge", text: t("attendance.walk_in") }) : null,
  ];
}

// A second tap on the same spot that follows the first too closely is a double tap, not a decision: the list
// may have moved another button under the finger in between, so that tap is ignored.
const GUARD_MS = 600;
const GUARD_PX = 48;
let lastTap = { x: 0, y: 0, at: -Infinity };

// Typing between two taps shows the second was meant (a name searched, then its row tapped).
document.addEventListener("input", () => { lastTap = { x: 0, y: 0, at: -Infinity }; });

function doubleTap(event) {
  // A click from the keyboard (Enter, Space) has no position and is always meant.
  if (event.detail === 0) return false;
  const near = Math.hypot(event.clientX - lastTap.x, event.clientY - lastTap.y) < GUARD_PX;
  return near && event.timeStamp - lastTap.at < GUARD_MS;
}

/** A button for a roster action: disabled once tapped, deaf to the second tap of a double tap. */
export function actionButton(action, className, label, onClick) {
  return el("button", { type: "button", class: className, dataset: { action }, text: label, on: { click: (e) => {
    if (doubleTap(e)) return;
    lastTap = { x: e.clientX, y: e.clientY, at: e.timeStamp };
    e.currentTarget.disabled = true;
    onClick();
  } } });
}

/**
 * The row's two places for buttons, kept apart so that no button lands where the finger just was: the main
 * one on the right (check in; once present, the state, which takes no tap; while a check-out can still be
 * taken back, its undo), and under the name the undo of a check-in and the check-out.
 */
function actions(person, { undoable, leaving }, on) {
  // A walk-in or substitute still on its way has no id to act on yet.
  if (typeof person.id !== "number") return { main: null, more: null };
  if (leaving > 0) {
    const label = t("attendance.keep", { seconds: Math.ceil(leaving / 1000) });
    return { main: actionButton("keep", "button-warn", label, () => on.keep(person)), more: null };
  }
  if (!person.present) return { main: actionButton("check-in", "button-primary", t("attendance.check_in"), () => on.checkIn(person)), more: null };
  return {
    main: presenceMark(person),
    more: el("span", { class: "row-actions" },
      undoable ? actionButton("undo", "button-quiet", t("attendance.undo"), () => on.undo(person)) : null,
      actionButton("check-out", "button-quiet", t("attendance.check_out"), () => on.checkOut(person)),
    ),
  };
}

// The server's search folding (server/text.py): no diacritics, đ as d, lower case; every word must match.
export function fold(text) {
  return text.normalize("NFD").toLowerCase().normalize("NFD").replace(/\p{M}/gu, "").replace(/đ/g, "d");
}

function matches(person, words) {
  const key = fold([person.full_name, person.position, person.organization].filter(Boolean).join(" "));
  return words.every((word) => key.includes(word));
}

/**
 * Draw the rows of `view` that match `query`. `syncOf(person)` is how the person's last write went
 * ({kind, message?} or null), `undoLeft(person)` how many ms their undo button has left, `leavingLeft(person)`
 * how many ms their check-out can still be taken back; `on` holds the checkIn, undo, checkOut and keep
 * actions. Answers the ms until the first undo button shown runs out, or null.
 */
export function drawRoster(view, query, { syncOf, undoLeft, leavingLeft, on }) {
  const words = fold(query).split(/\s+/).filter(Boolean);
  const shown = view.order.map((id) => view.people.get(id)).filter((person) => matches(person, words));
  const standIns = substitutes(view.people);
  const undoTimes = [];
  $("roster").replaceChildren(...shown.map((person) => {
    const sync = syncOf(person);
    const left = undoLeft(person);
    if (left > 0) undoTimes.push(left);
    const { main, more } = actions(person, { undoable: left > 0, leaving: leavingLeft(person) }, on);
    return el(
      "li",
      { class: `roster-row${person.present ? " is-present" : ""}`, dataset: { id: person.id, sync: sync?.kind ?? "" } },
      el("div", { class: "person" },
        el("strong", { text: person.full_name }),
        el("span", { class: "meta", text: [person.position, person.organization].filter(Boolean).join(" · ") }),
        el("span", { class: "badges" }, badges(person, view.people, standIns, sync)),
      ),
      main,
      more,
    );
  }));
  $("roster-empty").hidden = shown.length > 0;
  return undoTimes.length ? Math.min(...undoTimes) : null;
}
