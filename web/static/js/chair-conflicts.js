// The chair settles conflicts between adopted changes ("Xung đột cần xử lý"): two adopted proposals for one
// place keep the published text out of the revised draft's way, and the close is refused, until one is kept.
// Each conflict shows the published text and every conflicting proposal side by side, each as a word diff
// against the published text; "Giữ đề xuất này" rules the others again as noted, through the ruling route.
import { act, api, base, el, notify, sectionLabel, t } from "./api.js";
import { diffNodes } from "./delegate-diff.js";

// The published draft, read once: it does not change once the workshop is open.
let published = null;

async function publishedText(anchor) {
  if (published === null) {
    const drafts = await api("GET", `${base}/drafts`);
    const current = drafts.items[0];
    const sections = current ? (await api("GET", `${base}/drafts/${current.id}`)).sections : [];
    published = new Map(sections.map((section) => [section.anchor, section.text.trim()]));
  }
  return published.get(anchor) ?? "";
}

/** The comments of each conflict, read by the article they sit in (a conflict never leaves its article). */
async function commentsOf(conflicts) {
  const articles = [...new Set(conflicts.map((conflict) => conflict.origin_anchor.split(".")[0]))];
  const found = new Map();
  for (const article of articles) {
    const page = await api("GET", `${base}/comments?article=${encodeURIComponent(article)}&limit=500`);
    for (const comment of page.items) found.set(comment.id, comment);
  }
  return found;
}

/** What a proposal does to the published text, as the revised draft would take it: a diff, an insertion, a strike. */
async function proposalWords(comment) {
  const kind = comment.proposal?.kind ?? "replace";
  const before = await publishedText(comment.section_anchor);
  const adopted = comment.disposition === "partly_accepted" ? comment.adopted_text : comment.proposal?.text;
  if (kind === "delete") return [el("del", { text: before })];
  if (kind === "insert_after") return [el("ins", { text: (adopted ?? "").trim() })];
  return diffNodes(before, adopted ?? "");
}

async function keep(kept, conflict, comments, button, onSettled) {
  const others = conflict.comment_ids.filter((id) => id !== kept.id).map((id) => comments.get(id)).filter(Boolean);
  const response = t("conflicts.response", { n: kept.number, section: sectionLabel(conflict.origin_anchor) });
  await act(button, async () => {
    // Another console may have ruled them already: then there is nothing left to rule, only to read again.
    if (others.length === 0) return onSettled();
    await api("PATCH", `${base}/comments`, {
      items: others.map((other) => ({ id: other.id, disposition: "noted", response, revision: other.revision })),
    });
    notify(t("conflicts.kept", { n: kept.number }));
    await onSettled();
  });
}

async function conflictCard(conflict, comments, onSettled) {
  const title = sectionLabel(conflict.origin_anchor);
  const proposals = [];
  for (const id of conflict.comment_ids) {
    const comment = comments.get(id);
    if (!comment) continue;
    const kind = comment.proposal?.kind ?? "replace";
    const button = el("button", { type: "button", class: "button-primary", text: t("conflicts.keep"),
      "aria-label": t("conflicts.keep_named", { n: comment.number }) });
    button.addEventListener("click", () => keep(comment, conflict, comments, button, onSettled));
    proposals.push(el("li", { class: "conflict-proposal", dataset: { commentId: String(id) } },
      el("p", { class: "meta" },
        el("strong", { text: t("conflicts.comment", { n: comment.number }) }),
        ` · ${comment.author}${comment.point ? ` (${comment.point})` : ""} · ${t(`inbox.proposal_${kind}`)}`,
        comment.section_anchor !== conflict.origin_anchor ? ` · ${sectionLabel(comment.section_anchor)}` : "",
        comment.disposition === "partly_accepted" ? ` · ${t("conflicts.counter_wording")}` : ""),
      el("p", { class: "diff" }, ...(await proposalWords(comment))),
      button));
  }
  return el("li", { class: "conflict", dataset: { anchor: conflict.origin_anchor } },
    el("h3", { text: title }),
    el("div", { class: "conflict-sides" },
      el("div", { class: "conflict-published" },
        el("p", { class: "label", text: t("conflicts.published") }),
        el("p", { class: "diff", text: await publishedText(conflict.origin_anchor) })),
      el("ul", { class: "conflict-proposals", "aria-label": t("conflicts.proposals") }, ...proposals)));
}

/** Draw the conflicts into `list`; resolves to how many there are. */
async function drawConflicts(list, conflicts, onSettled) {
  const comments = await commentsOf(conflicts);
  const cards = [];
  for (const conflict of conflicts) cards.push(await conflictCard(conflict, comments, onSettled));
  list.replaceChildren(...cards);
  return conflicts.length;
}

/**
 * The "Xung đột cần xử lý" panel of the Kết luận pane: hidden while there is nothing to settle.
 * `refresh()` reads the revised draft's conflicts again; `showRefused(conflicts)` opens them in a dialog
 * when the close was refused.
 */
export function createConflicts(panel) {
  const list = panel.querySelector(".conflict-list");
  let running = null;

  async function refresh() {
    // One reading at a time; a ruling that lands meanwhile asks for one more.
    if (running) return running.then(refresh);
    running = (async () => {
      const { conflicts } = await api("GET", `${base}/drafts/revised`);
      panel.hidden = conflicts.length === 0;
      await drawConflicts(list, conflicts, refresh);
    })().finally(() => { running = null; });
    return running;
  }

  async function showRefused(conflicts) {
    const dialog = el("dialog", { class: "confirm-dialog conflict-dialog", "aria-labelledby": "conflict-dialog-title" });
    const inside = el("ul", { class: "conflict-list" });
    const done = el("p", { class: "meta", role: "status" });
    const settle = async () => {
      const { conflicts: left } = await api("GET", `${base}/drafts/revised`);
      await drawConflicts(inside, left, settle);
      done.textContent = left.length ? "" : t("conflicts.all_settled");
      await refresh();
    };
    const closeButton = el("button", { type: "button", text: t("conflicts.close_dialog") });
    closeButton.addEventListener("click", () => dialog.close());
    dialog.append(el("h2", { id: "conflict-dialog-title", text: t("conflicts.title") }),
      el("p", { text: t("error.unresolved_conflicts") }), inside, done, el("div", { class: "actions" }, closeButton));
    dialog.addEventListener("close", () => dialog.remove(), { once: true });
    document.body.append(dialog);
    await drawConflicts(inside, conflicts, settle);
    dialog.showModal();
    closeButton.focus();
    await refresh();
  }

  return { refresh, showRefused };
}
