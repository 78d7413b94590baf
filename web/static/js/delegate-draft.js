// The delegate's reading view of the current draft: a table of contents (chapters → articles), one article at
// a time with the three kinds of proposal beside the article, each clause and each point (new wording, a new
// section after it, dropping it), the comment target picker kept in step, and a preview of what is proposed:
// the word diff of new wording, the inserted text where it goes, the dropped section struck through.
// The article reads as published, with the proposals marked, or revised (GET …/section-view).
// The article reads in the page's own flow, full width on a phone: no box that scrolls inside the page.
import { api, base, el, option, runNodes, sectionLabel, t } from "./api.js";
import { diffNodes } from "./delegate-diff.js";

const $ = (id) => document.getElementById(id);
const SELECTABLE = { article: 0, clause: 1, point: 2 };
const INDENT = "\u00a0\u00a0\u00a0\u00a0";
const SHORT = 70;
// Beside the article on a wide screen the contents stay open; on a phone they fold away above it.
const WIDE = window.matchMedia("(min-width: 60rem)");
// Inserting and deleting renumber, so the server takes them on an article, a clause or a point only.
const STRUCTURAL = ["insert_after", "delete"];
const RENUMBERED = ["article", "clause", "point"];
const KIND_BUTTONS = [["replace", "pick-target"], ["insert_after", "pick-insert"], ["delete", "pick-delete"]];
let sections = [];
let article = null;
let view = "original";
// Bumped by each reading of a view, so an answer that comes after a newer request is dropped.
let viewToken = 0;
// The wording the proposal field was last filled with: a field still holding it has not been edited.
let prefilled = "";

function shorten(text) {
  const line = text.replace(/\s+/g, " ").trim();
  return line.length > SHORT ? `${line.slice(0, SHORT)}…` : line;
}

const within = (anchor) => sections.filter((s) => s.anchor === anchor || s.anchor.startsWith(`${anchor}.`));
const articleOf = (anchor) => (anchor ? anchor.split(".")[0] : null);

/** The current wording of a target: its own text and that of its clauses and points, NFC. */
export function currentText(anchor) {
  return within(anchor).map((s) => s.text.trim()).join("\n").normalize("NFC");
}

function articleTitle(section) {
  return `${sectionLabel(section.anchor)}. ${section.title}`;
}

function renderPicker() {
  const select = $("section-select");
  const chosen = select.value;
  const groups = [];
  let group = null;
  const loose = [];
  for (const section of sections) {
    if (section.kind === "chapter") {
      group = el("optgroup", { label: articleTitle(section) });
      groups.push(group);
    } else if (section.kind in SELECTABLE) {
      const label = section.kind === "article" ? articleTitle(section) : shorten(section.text);
      const node = option(section.anchor, INDENT.repeat(SELECTABLE[section.kind]) + label, section.anchor === chosen);
      (group ?? { append: (n) => loose.push(n) }).append(node);
    }
  }
  select.replaceChildren(option("", t("section.general")), ...loose, ...groups);
}

function renderToc() {
  const toc = [];
  let list = null;
  const articleButton = (section) => el("li", {}, el("button", {
    type: "button",
    class: "toc-article",
    dataset: { article: section.anchor },
    "aria-current": section.anchor === article ? "true" : null,
    text: articleTitle(section),
    on: { click: () => readArticle(section.anchor) },
  }));
  for (const section of sections) {
    if (section.kind === "chapter") {
      list = el("ol", { class: "toc-articles" });
      toc.push(el("li", { class: "toc-chapter" }, el("span", { class: "toc-chapter-title", text: articleTitle(section) }), list));
    } else if (section.kind === "article") {
      (list ?? { append: (n) => toc.push(n) }).append(articleButton(section));
    }
  }
  $("draft-toc").replaceChildren(el("ol", { class: "toc" }, ...toc));
}

const sectionOf = (anchor) => sections.find((s) => s.anchor === anchor);

/** Whether a kind of proposal may be made on a section: replacing anywhere, inserting and deleting where renumbered. */
export function allowed(anchor, kind) {
  const section = anchor ? sectionOf(anchor) : null;
  return Boolean(section) && (!STRUCTURAL.includes(kind) || RENUMBERED.includes(section.kind));
}

function kindButtons(section) {
  // Short enough for the three to sit in one row on a phone; the name read out says which section.
  return el("div", { class: "pick-kinds" }, ...KIND_BUTTONS.filter(([kind]) => allowed(section.anchor, kind)).map(([kind, cls]) => el("button", {
    type: "button", class: `button-quiet ${cls}`, text: t(`proposal.short_${kind}`),
    "aria-label": `${t(`proposal.short_${kind}`)} ${legalName(section.anchor)}`, on: { click: () => pick(section.anchor, kind) },
  })));
}

function renderArticle() {
  const target = $("section-select").value;
  const reader = $("draft-reader");
  if (!article) {
    reader.replaceChildren(el("p", { class: "hint", text: t(sections.length ? "draft.pick_article" : "comment.no_draft") }));
    return;
  }
  if (view !== "original") {
    readView();
    return;
  }
  reader.replaceChildren(...within(article).map((section) => el(
    "div",
    { class: `reader-section section-${section.kind}${section.anchor === target ? " is-target" : ""}`, dataset: { anchor: section.anchor } },
    ...sectionText(section),
    section.kind in SELECTABLE ? kindButtons(section) : null,
  )));
  markToc();
}

// ---- the diff and revised views -----------------------------------------------------------------------

const STATUS = { pending: "disposition.none", accepted: "disposition.accepted", partly_accepted: "disposition.partly_accepted" };

function partNode(part, shown) {
  const heading = part.kind === "article" && view === "revised"
    ? el("h3", { class: "reader-heading", text: `${t("section.article", { n: part.number })}. ${part.title}`.trim() })
    : null;
  const badge = part.change === "unchanged" || part.change === "proposed" ? null
    : el("span", { class: `tag change-${part.change}`, text: t(`view.change_${part.change}`) });
  return el(
    "div",
    { class: `reader-section section-${part.kind} change-${part.change}`, dataset: { anchor: part.anchor ?? "", change: part.change } },
    heading,
    part.kind === "article" && view === "diff" && part.anchor === shown.anchor ? el("h3", { class: "reader-heading", text: articleTitle(sectionOf(part.anchor)) }) : null,
    badge,
    part.runs.length ? el("p", { class: "prose diff", ...(part.change === "inserted" ? { dataset: { inserted: "" } } : {}) }, ...runNodes(part.runs)) : null,
    ...part.proposals.filter((p) => p.runs).map((p) => el(
      "div",
      { class: "view-proposal", dataset: { kind: p.kind, status: p.status } },
      el("p", { class: "label", text: `${t("comment.number", { n: p.no })} · ${t(`proposal.${p.kind}`)} · ${t(STATUS[p.status])}` }),
      el("p", { class: "prose diff" }, ...runNodes(p.runs)),
    )),
    part.change === "inserted" && part.proposals[0]
      ? el("p", { class: "label", text: `${t("comment.number", { n: part.proposals[0].no })} · ${t(STATUS[part.proposals[0].status])}` })
      : null,
  );
}

/** Read the open article in the chosen view from the server and draw it; a newer request wins. */
async function readView() {
  const token = ++viewToken;
  const reader = $("draft-reader");
  reader.setAttribute("aria-busy", "true");
  try {
    const shown = await api("GET", `${base}/section-view?anchor=${encodeURIComponent(article)}&view=${view}`);
    if (token !== viewToken) return;
    const gone = view === "revised" && shown.revised_anchor === null;
    reader.replaceChildren(...(gone ? [el("p", { class: "hint", text: t("view.deleted") })] : []), ...shown.parts.map((part) => partNode(part, shown)));
  } catch (error) {
    if (token === viewToken) reader.replaceChildren(el("p", { class: "form-error", role: "alert", text: t("view.failed") }));
    if (!error.code) throw error;
  } finally {
    if (token === viewToken) reader.removeAttribute("aria-busy");
  }
  markToc();
}

/** Read the article again if a view with proposals is open: a proposal came in or was ruled. */
export function refreshView() {
  if (view !== "original" && article) readView();
}

function setView(chosen) {
  view = chosen;
  for (const button of $("view-switch").querySelectorAll("button")) button.setAttribute("aria-pressed", String(button.dataset.view === view));
  renderArticle();
}

function markToc() {
  for (const button of $("draft-toc").querySelectorAll("button[data-article]")) {
    if (button.dataset.article === article) button.setAttribute("aria-current", "true");
    else button.removeAttribute("aria-current");
  }
}

// An article's first line is its heading ("Điều 3. Nguyên tắc phối hợp"); the wording under it is body text.
function sectionText(section) {
  const text = section.text.trim();
  if (section.kind !== "article") return [el("p", { class: "prose", text })];
  const [heading, ...body] = text.split("\n");
  const rest = body.join("\n").trim();
  return [el("h3", { class: "reader-heading", text: heading }), rest ? el("p", { class: "prose", text: rest }) : null];
}

export function openArticle(anchor) {
  article = anchor;
  renderArticle();
}

/** Open an article from the contents and take the reader there: on a phone it lies below the folded contents. */
function readArticle(anchor) {
  openArticle(anchor);
  if (!WIDE.matches) $("draft-toc-box").open = false;
  const reader = $("draft-reader");
  reader.scrollIntoView({ block: "start" });
  reader.focus({ preventScroll: true });
}

/** Make a section the comment's target, as if chosen in the picker. */
export function pick(anchor, kind = "replace") {
  $("section-select").value = anchor;
  onTargetChange();
  setKind(kind);
  $("comment-form").elements.body.focus();
}

// ---- the kind of proposal and its preview -------------------------------------------------------------

const kindInputs = () => [...$("comment-form").elements.proposal_kind];
export const chosenKind = () => kindInputs().find((input) => input.checked)?.value ?? "replace";

export function setKind(kind) {
  for (const input of kindInputs()) input.checked = input.value === kind;
  renderKind();
}

/** "khoản 2 Điều 5", "điểm a khoản 1 Điều 3": the way a Vietnamese text names a section (English: "clause 2 of Article 5"). */
export function legalName(anchor) {
  const parts = anchor.split(".").reverse().map((part) => {
    const [, kind, n] = part.match(/^([a-z]+)-(.+)$/) ?? [null, "", part];
    const unit = { dieu: "article", khoan: "clause", diem: "point" }[kind];
    return unit ? t(`proposal.ref_${unit}`, { n: n === "dd" ? "đ" : n }) : sectionLabel(part);
  });
  return parts.reduce((inner, outer) => t("proposal.ref_within", { inner, outer }));
}

/** The kinds this target allows, the box of the chosen kind, and its preview. */
function renderKind() {
  const anchor = $("section-select").value;
  for (const input of kindInputs()) input.disabled = !allowed(anchor, input.value) && input.value !== "replace";
  if (!allowed(anchor, chosenKind())) for (const input of kindInputs()) input.checked = input.value === "replace";
  const kind = chosenKind();
  $("proposal-kinds-hint").hidden = Boolean(anchor);
  $("replace-box").hidden = kind !== "replace";
  $("insert-box").hidden = kind !== "insert_after";
  $("delete-box").hidden = kind !== "delete";
  $("body-label").textContent = t(kind === "delete" ? "proposal.delete_reason" : "comment.body");
  const section = sectionOf(anchor);
  if (section && kind === "insert_after") {
    $("insert-where").textContent = t("proposal.insert_where", { unit: t(`proposal.unit_${section.kind}`), where: legalName(anchor) });
    const text = $("comment-form").elements.inserted_text.value.trim();
    $("insert-preview-body").replaceChildren(text ? el("ins", { text }) : el("span", { class: "meta", text: t("proposal.insert_empty") }));
  }
  if (section && kind === "delete") {
    $("delete-where").textContent = t("proposal.delete_where", { where: legalName(anchor) });
    $("delete-preview-body").replaceChildren(el("del", { text: currentText(anchor) }));
  }
  renderDiff();
}

/** What the form proposes, as the API takes it, or null: replacing with the current wording proposes nothing. */
export function proposalFrom(anchor, values) {
  const kind = chosenKind();
  if (!anchor) return null;
  if (kind === "delete") return { kind, text: null };
  if (kind === "insert_after") return values.inserted_text ? { kind, text: values.inserted_text } : null;
  const text = proposalOf(anchor, values.proposed_text);
  return text ? { kind, text } : null;
}

function onTargetChange() {
  const anchor = $("section-select").value;
  $("target-label").textContent = sectionLabel(anchor || null);
  if (anchor && articleOf(anchor) !== article) article = articleOf(anchor);
  renderArticle();
  resetProposal();
  renderKind();
}

/**
 * Start the proposal from the target's current wording, so the delegate edits it instead of retyping it;
 * wording the delegate has changed is kept, unless `force` (what it held was just sent). The draft as a whole
 * has no wording to start from.
 */
export function resetProposal(force = false) {
  const field = $("comment-form").elements.proposed_text;
  if (force || field.value.trim() === prefilled.trim()) {
    const anchor = $("section-select").value;
    prefilled = anchor ? currentText(anchor) : "";
    field.value = prefilled;
  }
  renderDiff();
}

/** The proposal to send: none while the field still holds the current wording unchanged. */
export function proposalOf(anchor, typed) {
  if (!typed) return null;
  return anchor && typed.normalize("NFC") === currentText(anchor) ? null : typed;
}

/** The proposed wording against the target's current text, once it differs; nothing for the draft as a whole. */
export function renderDiff() {
  const anchor = $("section-select").value;
  const proposed = $("comment-form").elements.proposed_text.value.trim();
  const show = Boolean(proposalOf(anchor, proposed) && anchor);
  $("proposed-diff").hidden = !show;
  $("proposed-diff-body").replaceChildren(...(show ? diffNodes(currentText(anchor), proposed) : []));
}

/** Show a (new) draft: the contents, the picker, and the article being read if it is still there. */
export function showDraft(newSections) {
  sections = newSections;
  if (!sections.some((s) => s.anchor === article)) article = sections.find((s) => s.kind === "article")?.anchor ?? null;
  renderPicker();
  renderToc();
  onTargetChange();
}

$("section-select").addEventListener("change", onTargetChange);
for (const input of kindInputs()) input.addEventListener("change", renderKind);
$("comment-form").elements.inserted_text.addEventListener("input", renderKind);
$("view-switch").addEventListener("click", (event) => {
  const button = event.target.closest("button[data-view]");
  if (button) setView(button.dataset.view);
});
$("draft-toc-box").open = WIDE.matches;
$("comment-form").elements.proposed_text.addEventListener("input", renderDiff);
