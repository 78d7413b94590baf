// The delegate's reading view of the current draft: a table of contents (chapters → articles), one article at
// a time with a "comment here" control on the article, each clause and each point, the comment target picker
// kept in step with it, and the word diff of the proposed wording against the target's current text.
import { el, option, sectionLabel, t } from "./api.js";
import { diffNodes } from "./delegate-diff.js";

const $ = (id) => document.getElementById(id);
const SELECTABLE = { article: 0, clause: 1, point: 2 };
const INDENT = "\u00a0\u00a0\u00a0\u00a0";
const SHORT = 70;
let sections = [];
let article = null;

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
    on: { click: () => openArticle(section.anchor) },
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
    el("p", { class: "prose", text: section.text.trim() }),
    section.kind in SELECTABLE
      ? el("button", { type: "button", class: "button-quiet pick-target", text: t("draft.comment_here"), on: { click: () => pick(section.anchor) } })
      : null,
  )));
  for (const button of $("draft-toc").querySelectorAll("button[data-article]")) {
    if (button.dataset.article === article) button.setAttribute("aria-current", "true");
    else button.removeAttribute("aria-current");
  }
}

export function openArticle(anchor) {
  article = anchor;
  renderArticle();
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
  renderDiff();
}

/** The proposed wording against the target's current text; nothing to compare for the draft as a whole. */
export function renderDiff() {
  const anchor = $("section-select").value;
  const proposed = $("comment-form").elements.proposed_text.value;
  const box = $("proposed-diff");
  const show = Boolean(anchor && proposed.trim());
  box.hidden = !show;
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
$("comment-form").elements.proposed_text.addEventListener("input", renderDiff);
