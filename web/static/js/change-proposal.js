// The drafting committee's own proposal (đề xuất chỉnh lý của Ban soạn thảo), filed by the chair from the inbox or
// by the admin beside the draft: a section, what to do with it, the wording, and why. Before it is sent, the form
// shows what the change does: new wording as a word diff, an insertion as new text, a deletion struck through.
import { act, api, base, el, notify, option, sectionLabel, t } from "./api.js";
import { diffNodes } from "./delegate-diff.js";

// What a proposal may insert after or delete: what the revised draft renumbers.
const STRUCTURAL = ["article", "clause", "point"];

/** A target's wording with its clauses and points, as the delegate's diff compares it. */
export function wordingOf(sections, anchor) {
  return sections
    .filter((s) => s.anchor === anchor || s.anchor.startsWith(`${anchor}.`))
    .map((s) => s.text.trim()).join("\n").normalize("NFC");
}

/** Wire the form inside `box` (templates/change_proposal.html); `onFiled(comment)` hears each proposal filed. */
export function createChangeProposal(box, onFiled = () => {}) {
  const form = box.querySelector("form");
  let sections = [];

  /** Kinds the chosen section takes, the wording field only where the kind has one, and what the change does. */
  function draw() {
    const { section_anchor: anchor, kind, text } = form.elements;
    const section = sections.find((s) => s.anchor === anchor.value);
    const structural = STRUCTURAL.includes(section?.kind);
    for (const radio of kind) {
      radio.disabled = radio.value !== "replace" && !structural;
      if (radio.disabled && radio.checked) kind.value = "replace";
    }
    const wording = kind.value !== "delete";
    text.disabled = !wording;
    form.querySelector(".proposal-text").hidden = !wording;
    const current = section ? wordingOf(sections, section.anchor) : "";
    const preview = form.querySelector(".proposal-preview");
    const shown = kind.value === "replace" ? diffNodes(current, text.value)
      : kind.value === "insert_after" ? (text.value.trim() ? [el("ins", { text: text.value.trim() })] : [])
        : current ? [el("del", { text: current })] : [];
    preview.querySelector(".diff").replaceChildren(...shown);
    preview.hidden = shown.length === 0;
  }

  /** The current draft's sections to choose from; with none published, the form is out of sight. */
  function show(list) {
    sections = list;
    const chosen = form.elements.section_anchor.value;
    form.elements.section_anchor.replaceChildren(...sections.map((s) => option(
      s.anchor,
      s.kind === "article" && s.title ? `${sectionLabel(s.anchor)}. ${s.title}` : sectionLabel(s.anchor),
      s.anchor === chosen,
    )));
    box.hidden = sections.length === 0;
    draw();
  }

  // New wording starts from the words it replaces, as on the delegate's console; what was typed is kept.
  let prefilled = "";
  form.addEventListener("change", (event) => {
    const { section_anchor: anchor, kind, text } = form.elements;
    if (!["section_anchor", "kind"].includes(event.target.name) || kind.value !== "replace") return;
    if (text.value.trim() && text.value !== prefilled) return;
    prefilled = wordingOf(sections, anchor.value);
    text.value = prefilled;
    draw();
  });
  form.addEventListener("input", draw);
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const { section_anchor: anchor, kind, text, reason } = form.elements;
    const body = { section_anchor: anchor.value, kind: kind.value, reason: reason.value.trim() };
    if (kind.value !== "delete") body.text = text.value.trim();
    act(form.querySelector('button[type="submit"]'), async () => {
      const filed = await api("POST", `${base}/change-proposals`, body, { idempotent: true });
      onFiled(filed);
      text.value = "";
      reason.value = "";
      draw();
      notify(t("change_proposal.filed", { n: filed.number }));
    });
  });

  return { show };
}
