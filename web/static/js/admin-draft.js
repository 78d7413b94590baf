// The draft panel of the admin console: upload a file (DOCX, Markdown, text) or pasted text, first as a dry run
// that shows how the server split it (counts and the lines it could not place), then for real on confirmation.
// Every text from the document reaches the page through textContent only.
import { act, api, base, el, errorText, formValues, formatDateTime, notify, t } from "./api.js";

const $ = (id) => document.getElementById(id);
const COUNTED = ["chapter", "section", "article", "clause", "point"];
const PREVIEWED = ["part", ...COUNTED];
const FORMAT_LABEL = { docx: "DOCX", markdown: "Markdown" };

// The server names what is wrong with a refused file or text; the page says it in its own words.
const REASONS = {
  "unreadable DOCX": "draft.reason_unreadable",
  "binary file": "draft.reason_binary",
  "not UTF-8 text": "draft.reason_encoding",
  "must not be empty": "draft.reason_empty",
  empty: "draft.reason_empty",
  "no article": "draft.reason_no_article",
};

function problemText(error) {
  const reason = error.details?.file ?? error.details?.content;
  if (error.code === "invalid" && REASONS[reason]) return t(REASONS[reason]);
  return errorText(error);
}

function unmatchedList(lines) {
  return lines.length
    ? el("details", { class: "unmatched", open: true },
      el("summary", { text: t("draft.unmatched", { n: lines.length }) }),
      el("ul", {}, lines.map((line) => el("li", { class: "prose", text: line }))))
    : el("p", { class: "meta", text: t("draft.all_matched") });
}

function renderDraft(draft) {
  if (!draft) {
    $("draft-current").replaceChildren(el("p", { class: "empty", text: t("draft.none") }));
    return;
  }
  const counts = COUNTED.map((kind) => t(`draft.count_${kind}`, { n: draft.counts[kind] ?? 0 })).join(" · ");
  $("draft-current").replaceChildren(
    el("p", {}, el("strong", { text: draft.title }), el("span", { class: "meta", text: ` · ${t("draft.revision", { n: draft.revision })} · ${formatDateTime(draft.created_at)}` })),
    el("p", { text: counts }),
    unmatchedList(draft.unmatched),
  );
}

/** Show the current draft and answer it (null when none is published yet). */
export async function reloadDraft() {
  const draft = (await api("GET", `${base}/drafts`)).items[0] ?? null;
  renderDraft(draft);
  return draft;
}

function renderPreview(preview) {
  const format = FORMAT_LABEL[preview.format] ?? t("draft.plain_text");
  const rows = PREVIEWED.filter((kind) => kind !== "part" || preview.counts.part).map((kind) => el(
    "tr",
    { dataset: { kind } },
    el("th", { scope: "row", text: t(`draft.kind_${kind}`) }),
    el("td", { class: "num", text: String(preview.counts[kind] ?? 0) }),
  ));
  $("draft-preview-body").replaceChildren(
    el("p", {}, el("strong", { text: preview.title }), el("span", { class: "meta", text: ` · ${format}` })),
    el("div", { class: "table-scroll" }, el(
      "table",
      { class: "data-table", id: "draft-counts" },
      el("thead", {}, el("tr", {}, el("th", { scope: "col", text: t("draft.kind") }), el("th", { scope: "col", class: "num", text: t("draft.count") }))),
      el("tbody", {}, rows),
    )),
    unmatchedList(preview.unmatched),
  );
  $("draft-preview").hidden = false;
}

/** Wire the upload form: its submit previews, the confirm button publishes exactly what was previewed. */
export function setupDraft() {
  const form = $("draft-form");
  // What the preview was made from; editing the form afterwards drops it, so confirm never publishes unseen text.
  let previewed = null;

  const clear = () => {
    previewed = null;
    $("draft-preview").hidden = true;
    $("draft-preview-body").replaceChildren();
  };

  const body = () => {
    const values = formValues(form);
    const file = form.elements.file.files[0];
    if (file) {
      const data = new FormData();
      data.append("file", file);
      if (values.title) data.append("title", values.title);
      return data;
    }
    if (values.content) return { format: values.format, content: form.elements.content.value, title: values.title ?? null };
    return null;
  };

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const request = body();
    if (!request) {
      notify(t("draft.need_content"), "error");
      return;
    }
    act(form.querySelector('button[type="submit"]'), async () => {
      clear();
      try {
        renderPreview(await api("POST", `${base}/drafts?dry_run=true`, request));
        previewed = request;
      } catch (error) {
        if (!error.code) throw error;
        notify(problemText(error), "error");
      }
    });
  });
  form.addEventListener("input", clear);
  form.addEventListener("change", clear);
  $("draft-cancel").addEventListener("click", clear);
  $("draft-confirm").addEventListener("click", (event) => act(event.currentTarget, async () => {
    if (!previewed) return;
    try {
      renderDraft(await api("POST", `${base}/drafts`, previewed, { idempotent: true }));
    } catch (error) {
      if (!error.code) throw error;
      notify(problemText(error), "error");
      return;
    }
    form.reset();
    clear();
    notify(t("draft.published"));
  }));
}
