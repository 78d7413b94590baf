// The delegate's reading view of the current draft: a table of contents (chapters → articles), one article at
// a time with a "comment here" control on the article, each clause and each point, the comment target picker
// kept in step with it, the proposed wording starting from the target's current text, and its word diff.
// The article reads in the page's own flow, full width on a phone: no box that scrolls inside the page.
import { el, option, sectionLabel, t } from "./api.js";
import { diffNodes } from "./delegate-diff.js";

const $ = (id) => document.getElementById(id);
const SELECTABLE = { article: 0, clause: 1, point: 2 };
const INDENT = "\u00a0\u00a0\u00a0\u00a0";
const SHORT = 70;
// Beside the article on a wide screen the contents stay open; on a phone they fold away above it.
const WIDE = window.matchMedia("(min-width: 60rem)");
let sections = [];
let article = null;
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

function renderArticle() {
  const target = $("section-select").value;
  const reader = $("draft-reader");
  if (!article) {
    reader.replaceChildren(el("p", { class: "hint", text: t(sections.length ? "draft.pick_article" : "comment.no_draft") }));
    return;
  }
  reader.replaceChildren(...within(article).map((section) => el(
    "div",
    { class: `reader-section section-${section.kind}${section.anchor === target ? " is-target" : ""}`, dataset: { anchor: section.anchor } },
    ...sectionText(section),
    section.kind in SELECTABLE
      ? el("button", { type: "button", class: "button-quiet pick-target", text: t("draft.comment_here"), on: { click: () => pick(section.anchor) } })
      : null,
  )));
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
export function pick(anchor) {
  $("section-select").value = anchor;
  onTargetChange();
  $("comment-form").elements.body.focus();
}

function onTargetChange() {
  const anchor = $("section-select").value;
  $("target-label").textContent = sectionLabel(anchor || null);
  if (anchor && articleOf(anchor) !== article) article = articleOf(anchor);
  renderArticle();
  resetProposal();
}

/**
 * Start the proposal from the target's current wording, so the delegate edits it instead of retyping it;
 * wording the delegate has changed is kept. The draft as a whole has no wording to start from.
 */
export function resetProposal() {
  const field = $("comment-form").elements.proposed_text;
  if (field.value.trim() === prefilled.trim()) {
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
$("draft-toc-box").open = WIDE.matches;
$("comment-form").elements.proposed_text.addEventListener("input", renderDiff);
