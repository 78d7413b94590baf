// The set-up of a new workshop as a checklist: bridge points, roster, agenda, draft, operators' links, opening.
// Each step is ticked from what the console already holds, says how far it got, and links to where it is done.
import { el, t } from "./api.js";

const $ = (id) => document.getElementById(id);

function steps({ conference, points, people, agendaItems, draft, operatorLinks }) {
  const bridges = points.filter((p) => !p.is_host);
  const roster = people.filter((p) => p.on_roster).length;
  const linked = bridges.filter((p) => operatorLinks.has(p.id)).length;
  return [
    { key: "points", href: "#points", done: bridges.length > 0, detail: t("steps.points_done", { n: bridges.length }) },
    { key: "roster", href: "#roster-section", done: roster > 0, detail: t("steps.roster_done", { n: roster }) },
    { key: "agenda", href: "#agenda-section", done: agendaItems > 0, detail: t("steps.agenda_done", { n: agendaItems }) },
    { key: "draft", href: "#draft", done: Boolean(draft), detail: draft ? t("steps.draft_done", { title: draft.title }) : null },
    // Operators check people in: every bridge point needs its link before the day.
    { key: "invitations", href: "#points", done: bridges.length > 0 && linked === bridges.length, detail: t("steps.invitations_done", { n: linked, total: bridges.length }) },
    // Opening is the chair's, on the chair's console.
    { key: "open", href: `/chair/${conference.id}`, done: conference.status !== "draft", detail: t(`status.${conference.status}`) },
  ];
}

/** Draw the checklist from the console's state; a step not done says what to do instead of a count. */
export function renderSteps(facts) {
  if (!facts.conference) return;
  const all = steps(facts);
  const done = all.filter((step) => step.done).length;
  $("steps-heading").textContent = done === all.length ? t("steps.ready") : t("steps.title_progress", { done, total: all.length });
  $("next-steps").dataset.done = String(done === all.length);
  $("steps").replaceChildren(...all.map((step, index) => el(
    "li",
    { class: "step", dataset: { step: step.key, done: String(step.done) } },
    el("a", { href: step.href },
      el("span", { class: "step-mark", "aria-hidden": "true", text: step.done ? "✓" : String(index + 1) }),
      el("span", { class: "step-text" },
        el("span", { class: "step-title", text: t(`steps.${step.key}`) }),
        el("span", { class: "visually-hidden", text: ` (${t(step.done ? "steps.is_done" : "steps.is_todo")}) ` }),
        el("span", { class: "step-detail", text: step.done && step.detail ? step.detail : t(`steps.${step.key}_todo`) }))),
  )));
}
