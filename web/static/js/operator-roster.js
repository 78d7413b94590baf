// The operator's roster list: one row per person with their presence, how their last write went, and the
// buttons to check in, undo or check out. It draws a view (operator-pending.js) and leaves acting to the page.
import { el, formatTime, t } from "./api.js";

const $ = (id) => document.getElementById(id);

/** Who attends in place of each roster member, by the member's id. */
export function substitutes(people) {
  return new Map([...people.values()].filter((p) => p.present && p.substitute_for).map((p) => [p.substitute_for, p]));
}

function presenceBadge(person) {
  if (!person.present) return el("span", { class: "badge absent", text: t("attendance.absent") });
  // A check-in still waiting has no time yet: the server sets it when the check-in arrives.
  const text = person.checked_in_at ? t("attendance.is_present", { time: formatTime(person.checked_in_at) }) : t("attendance.present");
  return el("span", { class: "badge present", text });
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

function button(action, className, label, onClick) {
  return el("button", { type: "button", class: className, dataset: { action }, text: label, on: { click: (e) => {
    e.currentTarget.disabled = true;
    onClick();
  } } });
}

function actions(person, undoable, on) {
  // A walk-in or substitute still on its way has no id to act on yet.
  if (typeof person.id !== "number") return null;
  if (!person.present) return button("check-in", "button-primary", t("attendance.check_in"), () => on.checkIn(person));
  return el("span", { class: "row-actions" },
    undoable ? button("undo", "button-quiet", t("attendance.undo"), () => on.undo(person)) : null,
    button("check-out", "button-quiet", t("attendance.check_out"), () => on.checkOut(person)),
  );
}

// The server's search folding (server/text.py): no diacritics, đ as d, lower case; every word must match.
function fold(text) {
  return text.normalize("NFD").toLowerCase().normalize("NFD").replace(/\p{M}/gu, "").replace(/đ/g, "d");
}

function matches(person, words) {
  const key = fold([person.full_name, person.position, person.organization].filter(Boolean).join(" "));
  return words.every((word) => key.includes(word));
}

/**
 * Draw the rows of `view` that match `query`. `syncOf(person)` is how the person's last write went
 * ({kind, message?} or null), `undoLeft(person)` how many ms their undo button has left; `on` holds the
 * checkIn, undo and checkOut actions. Answers the ms until the first undo button shown runs out, or null.
 */
export function drawRoster(view, query, { syncOf, undoLeft, on }) {
  const words = fold(query).split(/\s+/).filter(Boolean);
  const shown = view.order.map((id) => view.people.get(id)).filter((person) => matches(person, words));
  const standIns = substitutes(view.people);
  const undoTimes = [];
  $("roster").replaceChildren(...shown.map((person) => {
    const sync = syncOf(person);
    const left = undoLeft(person);
    if (left > 0) undoTimes.push(left);
    return el(
      "li",
      { class: `roster-row${person.present ? " is-present" : ""}`, dataset: { id: person.id, sync: sync?.kind ?? "" } },
      el("div", { class: "person" },
        el("strong", { text: person.full_name }),
        el("span", { class: "meta", text: [person.position, person.organization].filter(Boolean).join(" · ") }),
        el("span", { class: "badges" }, badges(person, view.people, standIns, sync)),
      ),
      actions(person, left > 0, on),
    );
  }));
  $("roster-empty").hidden = shown.length > 0;
  return undoTimes.length ? Math.min(...undoTimes) : null;
}
