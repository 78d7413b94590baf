// Before the close: the attendance figures the record is about to freeze, point by point, and each point's
// stays, so the chair can strike one made by mistake (with a reason, kept in the audit trail).
import { act, api, base, debounce, el, formatTime, notify, t } from "./api.js";

const $ = (id) => document.getElementById(id);
// The record's columns, in the record's order; `rate` is already written the Vietnamese way ("94,4%").
const COLUMNS = ["expected", "invited_present", "rate", "represented", "absent", "substitutes", "walk_ins", "people"];

function kindOf(stay) {
  if (stay.substitute_for) return t("record.kind_substitute");
  return stay.walk_in ? t("record.kind_walk_in") : t("record.kind_roster");
}

function stateOf(stay) {
  if (stay.undo_reason) return t("record.struck", { reason: stay.undo_reason });
  if (stay.undone_at) return t("record.undone");
  return stay.checked_out_at ? t("record.left", { time: formatTime(stay.checked_out_at) }) : t("record.here");
}

/** The attendance the record would freeze now, in the words of its closing statement: a part with no one is left out. */
export function attendanceSentence(summary) {
  const total = summary.attendance.totals;
  const excused = summary.absentees.filter((person) => person.absence_reason).length;
  const parts = [t("record.sentence_present", total) + (total.rate ? t("record.sentence_rate", total) : "")];
  if (total.substitutes) parts.push(t("record.sentence_substitutes", total));
  if (total.walk_ins) parts.push(t("record.sentence_walk_ins", total));
  if (total.absent) parts.push(t("record.sentence_absent", total) + (excused ? t("record.sentence_excused", { excused }) : ""));
  return `${parts.join("; ")}.`;
}

/** What the close will freeze, asked for just before the chair confirms it. */
export async function figuresToFreeze() {
  return attendanceSentence(await api("GET", `${base}/summary.json`));
}

export function createRecordReview() {
  const panel = $("record-review");
  const sentence = $("record-sentence");
  const rows = $("record-rows");
  const stays = $("record-stays");
  let closed = false;
  let shownPoint = null;

  function figures(summary) {
    const total = summary.attendance.totals;
    sentence.textContent = attendanceSentence(summary);
    rows.replaceChildren(
      ...summary.attendance.points.map((point) => el(
        "tr", {},
        el("th", { scope: "row" }, point.name),
        ...COLUMNS.map((key) => el("td", { class: "num", text: point[key] })),
        el("td", {}, el("button", {
          type: "button",
          class: "button-small",
          text: t("record.show_stays"),
          "aria-label": t("record.show_stays_of", { point: point.name }),
          on: { click: () => showStays(point) },
        })),
      )),
      el("tr", { class: "total" }, el("th", { scope: "row", text: t("attendance.total") }),
        ...COLUMNS.map((key) => el("td", { class: "num", text: total[key] })), el("td")),
    );
  }

  // Only while its pane is in view: the record is compiled whole on each ask; showing the pane asks again.
  async function load() {
    if (panel.closest("[hidden]")) return;
    figures(await api("GET", `${base}/summary.json`));
    // A reason being typed is not swept away by arrivals elsewhere; the stays are drawn again after it is sent.
    if (shownPoint && !stays.querySelector("form")) await showStays(shownPoint);
  }

  function strikeForm(stay, cell) {
    const reason = el("input", { type: "text", required: true, maxlength: 500, "aria-label": t("record.reason") });
    const form = el(
      "form", { class: "inline-form" },
      el("label", {}, t("record.reason"), reason),
      el("button", { type: "submit", class: "button-danger", text: t("record.strike_confirm") }),
      el("button", { type: "button", text: t("record.cancel"), on: { click: () => showStays(shownPoint) } }),
    );
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      act(form.querySelector('button[type="submit"]'), async () => {
        await api("POST", `${base}/stays/${stay.checkin_id}/strike`, { reason: reason.value });
        notify(t("record.done_strike", { name: stay.full_name }));
        form.remove();
        await load();
      });
    });
    cell.replaceChildren(form);
    reason.focus();
  }

  async function showStays(point) {
    shownPoint = point;
    const { items } = await api("GET", `${base}/stays?point_id=${point.point_id}`);
    const list = items.length === 0 ? [el("p", { class: "empty", text: t("record.no_stays") })] : [el(
      "table", { class: "data-table" },
      el("thead", {}, el("tr", {}, ...["record.who", "record.kind", "record.in", "record.state", "record.action"]
        .map((key) => el("th", { scope: "col", text: t(key) })))),
      el("tbody", {}, ...items.map((stay) => {
        const action = el("td");
        if (!stay.undone_at && !closed) {
          action.append(el("button", {
            type: "button",
            class: "button-small",
            text: t("record.strike"),
            "aria-label": t("record.strike_of", { name: stay.full_name }),
            on: { click: () => strikeForm(stay, action) },
          }));
        }
        return el(
          "tr", { class: stay.undone_at ? "is-struck" : "" },
          el("th", { scope: "row", text: stay.full_name }),
          el("td", { text: kindOf(stay) }),
          el("td", { text: formatTime(stay.checked_in_at) }),
          el("td", { text: stateOf(stay) }),
          action,
        );
      })),
    )];
    stays.replaceChildren(el("h3", { text: t("record.stays_at", { point: point.name }) }), ...list);
    stays.hidden = false;
  }

  // A busy check-in hour sends many changes; the figures follow within seconds, not once per arrival.
  const refresh = debounce(() => load(), 3000);

  return {
    load(conference) {
      closed = conference.status === "closed";
      $("record-hint").textContent = t(closed ? "record.frozen" : "record.hint");
      return load();
    },
    refresh: load,
    handlers: {
      "attendance.totals_changed": refresh,
      "attendance.stay_struck": refresh,
      "participant.updated": refresh,
    },
  };
}
