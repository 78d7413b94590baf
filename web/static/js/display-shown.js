// What the chair puts on the big screen instead of the agenda: a section of the draft in one of its three views,
// the speakers' list, or a message. The server lays the section's words out already (runs of equal, inserted
// and deleted words), so this only draws them, as large as the screen lets them be read from the back row.
import { el, runNodes, sectionLabel, t } from "./api.js";

// Type sizes are multiples of --fit in units of the screen's height (capped by its width when upright), so a
// layout that fits at 1920×1080 fits at 1280×720 too. Below MIN_FIT, type would be smaller than a 54th of the
// screen's height: what still does not fit is left for the next projection ("chiếu từng khoản").
const MIN_FIT = 2;
const STEP = 0.92;

/** Shrink the box's type until its content fits; past the smallest size, hide the last parts and say so. */
export function fit(box, largest) {
  const parts = [...box.querySelectorAll(".projected-part")];
  parts.forEach((part) => { part.hidden = false; });
  box.querySelector(".more-note")?.remove();
  let size = largest;
  box.style.setProperty("--fit", String(size));
  while (box.scrollHeight > box.clientHeight && size > MIN_FIT) {
    size = Math.max(MIN_FIT, size * STEP);
    box.style.setProperty("--fit", String(size));
  }
  if (box.scrollHeight <= box.clientHeight || parts.length < 2) return;
  const note = el("p", { class: "label more-note", text: t("display.more") });
  box.querySelector(".fit-body").append(note);
  for (const part of parts.slice(1).reverse()) {
    if (box.scrollHeight <= box.clientHeight) break;
    part.hidden = true;
  }
}

const status = (value) => t(value === "pending" ? "disposition.none" : `disposition.${value}`);

function proposalLabel(proposal, kind) {
  return el("p", { class: "proposal-label", text: [kind, t("display.proposal", { n: proposal.no }), status(proposal.status)].filter(Boolean).join(" · ") });
}

function part(section, view) {
  const node = el("div", { class: `projected-part kind-${section.kind}`, dataset: { change: section.change } });
  if (section.change === "inserted") {
    const [proposal] = section.proposals;
    node.append(view === "diff" ? proposalLabel(proposal, t("display.inserted")) : el("p", { class: "proposal-label", text: t("display.added") }));
    node.append(el("p", { class: "projected-text" }, runNodes(section.runs)));
    return node;
  }
  if (section.proposals.length) {
    for (const proposal of section.proposals) {
      node.append(proposalLabel(proposal), el("p", { class: "projected-text" }, runNodes(proposal.runs)));
    }
    return node;
  }
  if (section.change === "conflict") node.append(el("p", { class: "proposal-label", text: t("display.conflict") }));
  if (section.runs.length) node.append(el("p", { class: "projected-text" }, runNodes(section.runs)));
  return node.childElementCount ? node : null;
}

/** The section's heading, the view it is in, and its parts: clauses and points under an article, one by one. */
export function renderSection(box, section) {
  // As revised, a provision may carry a new number; once deleted, it keeps the one it was published with.
  const anchor = section.revised_anchor ?? section.anchor;
  const heading = section.kind === "article" && section.title ? `${sectionLabel(anchor)}. ${section.title}` : sectionLabel(anchor);
  box.querySelector("#section-view").textContent = t(`display.view_${section.view}`);
  box.querySelector("#section-heading").textContent = heading;
  box.querySelector("#section-article").textContent = section.kind === "article" ? "" : section.article_title;
  const parts = section.parts.map((p) => part(p, section.view)).filter(Boolean);
  const changed = section.parts.some((p) => p.proposals.length || p.change === "inserted");
  if (section.view === "diff" && !changed) parts.unshift(el("p", { class: "proposal-label", text: t("display.no_changes") }));
  if (section.revised_anchor === null) parts.unshift(el("p", { class: "proposal-label", text: t("display.deleted") }));
  box.querySelector("#section-body").replaceChildren(...parts);
}
