// The chair's live feed of remarks and comments, newest first, with a ruling form on each comment.
// A ruling is sent against the revision the chair read; if someone else ruled meanwhile, the server
// refuses it and the card shows the current state instead of overwriting it.
// A comment marked as a duplicate is shown under the comment it was merged into; held items (pre-moderation)
// carry approve and reject buttons; a checkbox on each comment picks it for a bulk ruling (chair-inbox.js).
import { DISPOSITIONS, api, act, attachmentLink, base, el, formatTime, notify, sectionLabel, t } from "./api.js";
import { diffNodes } from "./delegate-diff.js";

const LONG_BODY = 600;

function byline(item) {
  return [item.author, item.author_position, item.point, formatTime(item.created_at)].filter(Boolean).join(" · ");
}

function bodyBlock(text) {
  const paragraph = el("p", { class: "prose", text });
  if (text.length <= LONG_BODY) return paragraph;
  return el("details", {}, el("summary", { text: `${text.slice(0, 200)}…` }), paragraph);
}

function rulingText(comment) {
  if (!comment.disposition) return el("p", { class: "ruling pending", text: t("disposition.none") });
  return el(
    "div",
    { class: "ruling" },
    el("span", { class: `disposition-badge disposition-${comment.disposition}`, text: t(`disposition.${comment.disposition}`) }),
    comment.response ? el("p", { class: "prose", text: comment.response }) : null,
    adoptedBlock(comment),
  );
}

function moderationTools(kind, item, upsert) {
  if (item.moderation !== "pending") return null;
  const decide = (decision) => (event) => act(event.currentTarget, async () => {
    upsert(await api("POST", `${base}/${kind}/${item.id}/moderate`, { decision }));
    notify(t(`inbox.moderated_${decision}`));
  });
  return el(
    "div",
    { class: "moderation actions" },
    el("span", { class: "tag tag-held", text: t("inbox.held") }),
    el("button", { type: "button", class: "button-primary", dataset: { decision: "approved" }, text: t("inbox.approve"), on: { click: decide("approved") } }),
    el("button", { type: "button", class: "button-danger", dataset: { decision: "rejected" }, text: t("inbox.reject"), on: { click: decide("rejected") } }),
  );
}

/** What a comment proposes, {kind, text}: v1 comments carry only `proposed_text`, which means a replacement. */
export function proposalOf(comment) {
  return comment.proposal ?? (comment.proposed_text ? { kind: "replace", text: comment.proposed_text } : null);
}

/**
 * The proposal by its kind: a replacement as its word diff against the target's wording (the one the delegate
 * saw), an insertion as new text marked inserted with where it goes, a deletion as the target struck through.
 */
export function proposalBlock(comment, currentText) {
  const proposal = proposalOf(comment);
  if (!proposal) return null;
  const current = comment.section_anchor ? currentText?.(comment.section_anchor) : "";
  const where = sectionLabel(comment.section_anchor);
  const shown = {
    replace: () => [
      el("p", { class: "prose", text: proposal.text }),
      current ? [el("p", { class: "label", text: t("draft.diff") }), el("p", { class: "prose diff" }, diffNodes(current, proposal.text))] : null,
    ],
    insert_after: () => [
      el("p", { class: "meta", text: t("inbox.insert_where", { section: where }) }),
      el("p", { class: "prose diff" }, el("ins", { text: proposal.text })),
    ],
    delete: () => [
      el("p", { class: "meta", text: t("inbox.delete_what", { section: where }) }),
      current ? el("p", { class: "prose diff" }, el("del", { text: current })) : null,
    ],
  };
  return el("blockquote", { class: "proposed", dataset: { kind: proposal.kind } },
    el("p", { class: "label", text: t(`inbox.proposal_${proposal.kind}`) }),
    ...shown[proposal.kind]());
}

/** The wording a partial acceptance adopted, on a ruled card. */
function adoptedBlock(comment) {
  if (!comment.adopted_text) return null;
  return el("div", { class: "adopted" }, el("p", { class: "label", text: t("inbox.adopted") }), el("p", { class: "prose", text: comment.adopted_text }));
}

/** The author's answer to the ruling (agrees or not, and why); an empty placeholder until there is one. */
function answerBlock(comment) {
  const answer = comment.author_answer;
  if (!answer) return el("p", { class: "author-answer", hidden: true });
  const agrees = answer.agrees ? "agrees" : "disagrees";
  return el("p", { class: "author-answer", dataset: { answer: agrees } },
    el("span", { class: "tag", text: t(`inbox.answer_${agrees}`) }),
    answer.text ? ` ${answer.text}` : null,
    el("span", { class: "meta", text: ` · ${formatTime(answer.answered_at)}` }));
}

/**
 * `hooks`: onOpen(comment) shows a comment beside its article's text; onSelect(count) hears that the picked
 * comments changed; currentText(anchor) is a target's wording now, for the diff of a proposal.
 */
export function createFeed(list, empty, agendaTitle, hooks = {}) {
  const proposal = (comment) => proposalBlock(comment, hooks.currentText);
  const cards = new Map();
  // Every comment seen, shown or not: a target's duplicates are drawn from here.
  const comments = new Map();
  // The picked comments, each with the revision the chair saw when picking it: a bulk ruling is checked
  // against that, so a ruling made elsewhere meanwhile is not overwritten unseen.
  const selected = new Map();

  function place(key, card, createdAt) {
    card.dataset.created = createdAt;
    const old = cards.get(key);
    cards.set(key, card);
    if (old) {
      old.replaceWith(card);
    } else {
      const later = [...list.children].find((other) => other.dataset.created < createdAt);
      list.insertBefore(card, later ?? null);
    }
    empty.hidden = cards.size > 0;
  }

  function remarkCard(remark) {
    const item = remark.agenda_item_id ? agendaTitle(remark.agenda_item_id) : null;
    return el(
      "li",
      { class: `feed-item kind-remark moderation-${remark.moderation ?? "approved"}`, dataset: { id: remark.id } },
      el("p", { class: "feed-head" }, el("span", { class: "tag", text: t("feed.remark") }), el("strong", { text: remark.title })),
      el("p", { class: "meta", text: byline(remark) }),
      item ? el("p", { class: "meta", text: t("feed.on_item", { title: item }) }) : null,
      bodyBlock(remark.body),
      attachmentLink(remark.attachment),
      moderationTools("remarks", remark, upsertRemark),
    );
  }

  function unmergeButton(comment) {
    return el("button", {
      type: "button",
      class: "unmerge",
      text: t("inbox.unmerge"),
      on: {
        click: (event) => act(event.currentTarget, async () => {
          const current = comments.get(comment.id) ?? comment;
          upsertComment(await api("POST", `${base}/comments/${comment.id}/unmerge`, { revision: current.revision }), { force: true });
          notify(t("inbox.unmerged"));
        }),
      },
    });
  }

  /** The duplicates merged into a comment, each with its text and a way back out. */
  function duplicatesBlock(comment) {
    if (!comment.duplicates?.length) return el("ul", { class: "duplicates", hidden: true });
    return el(
      "ul",
      { class: "duplicates", "aria-label": t("inbox.duplicates") },
      comment.duplicates.map((id, index) => {
        const copy = comments.get(id);
        return el(
          "li",
          { dataset: { id } },
          el("span", { class: "tag", text: t("inbox.duplicate_label", { id: copy?.number ?? comment.duplicate_numbers[index] }) }),
          copy ? el("span", { class: "meta", text: ` ${byline(copy)}` }) : null,
          copy ? el("p", { class: "prose", text: copy.body }) : null,
          unmergeButton(copy ?? { id, revision: 0 }),
        );
      }),
    );
  }

  function mergeForm(comment) {
    const form = el(
      "form",
      { class: "merge-form inline-form" },
      el("label", {}, t("inbox.merge_into"), el("input", { name: "into", type: "number", min: 1, required: true, inputmode: "numeric" })),
      el("button", { type: "submit", text: t("inbox.merge") }),
    );
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      // The chair types the number the cards show; the server names comments by id.
      const number = Number(form.elements.into.value);
      const into = [...comments.values()].find((other) => other.number === number)?.id;
      if (into === undefined) {
        notify(t("inbox.merge_unknown", { n: number }), "error");
        return;
      }
      act(form.querySelector("button"), async () => {
        const current = comments.get(comment.id) ?? comment;
        upsertComment(await api("POST", `${base}/comments/${comment.id}/merge`, { into, revision: current.revision }), { force: true });
        notify(t("inbox.merged", { id: number }));
      });
    });
    return el("details", { class: "merge" }, el("summary", { text: t("inbox.mark_duplicate") }), form);
  }

  /**
   * The chair's own wording for "Tiếp thu một phần", prefilled with the proposal, and its word diffs against the
   * published text and against the proposal, redrawn as the chair types. Only a proposal with wording takes one.
   */
  function counterWording(comment) {
    const proposal = proposalOf(comment);
    if (!proposal || proposal.kind === "delete") return null;
    // An insertion has no published words of its own: against the draft, all of it is new.
    const published = proposal.kind === "replace" && comment.section_anchor ? hooks.currentText?.(comment.section_anchor) ?? "" : "";
    const text = el("textarea", { name: "adopted_text", rows: 3, text: comment.adopted_text ?? proposal.text });
    const againstDraft = el("p", { class: "prose diff", dataset: { against: "draft" } });
    const againstProposal = el("p", { class: "prose diff", dataset: { against: "proposal" } });
    const redraw = () => {
      againstDraft.replaceChildren(...diffNodes(published, text.value));
      againstProposal.replaceChildren(...diffNodes(proposal.text, text.value));
    };
    text.addEventListener("input", redraw);
    redraw();
    return el("fieldset", { class: "counter-wording", hidden: comment.disposition !== "partly_accepted" },
      el("legend", { text: t("inbox.counter_wording") }),
      el("label", {}, t("inbox.counter_text"), text),
      el("p", { class: "label", text: t("inbox.against_draft") }), againstDraft,
      el("p", { class: "label", text: t("inbox.against_proposal") }), againstProposal);
  }

  function rulingForm(comment, state) {
    const name = `disposition-${comment.id}`;
    const counter = counterWording(comment);
    const form = el(
      "form",
      { class: "dispose-form", dataset: { revision: comment.revision } },
      el(
        "fieldset",
        { class: "choices" },
        el("legend", { text: t("disposition.legend") }),
        DISPOSITIONS.map((value) =>
          el("label", {}, el("input", { type: "radio", name, value, required: true, checked: comment.disposition === value }), ` ${t(`disposition.${value}`)}`),
        ),
      ),
      counter,
      el("label", {}, t("disposition.response"), el("textarea", { name: "response", rows: 2, text: comment.response ?? "" })),
      el("div", { class: "actions" }, el("button", { type: "submit", text: t("disposition.save") })),
    );
    form.addEventListener("input", () => { form.dataset.dirty = "1"; });
    form.addEventListener("change", (event) => {
      if (counter && event.target.name === name) counter.hidden = event.target.value !== "partly_accepted";
    });
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      const data = new FormData(form);
      const body = { disposition: data.get(name), response: data.get("response"), revision: Number(form.dataset.revision) };
      const adopted = (data.get("adopted_text") ?? "").trim();
      if (body.disposition === "partly_accepted" && adopted) body.adopted_text = adopted;
      // Our own ruling's event arrives before the response: while saving, it must not look like someone else's.
      form.dataset.saving = "1";
      act(form.querySelector("button"), async () => {
        try {
          upsertComment(await api("PATCH", `${base}/comments/${comment.id}`, body), { force: true });
          notify(t("disposition.saved"));
        } catch (error) {
          if (error.code !== "revision_conflict") throw error;
          upsertComment(error.details.current, { force: true });
          offerAgain(comment.id, body);
          notify(t("disposition.conflict"), "error");
        } finally {
          delete form.dataset.saving;
        }
      });
    });
    state.form = form;
    return form;
  }

  function commentCard(comment) {
    const state = {};
    const pick = el("input", { type: "checkbox", class: "pick", "aria-label": t("inbox.pick", { id: comment.id }) });
    pick.checked = selected.has(comment.id);
    pick.addEventListener("change", () => {
      if (pick.checked) selected.set(comment.id, (comments.get(comment.id) ?? comment).revision);
      else selected.delete(comment.id);
      hooks.onSelect?.(selected.size);
    });
    const open = el("button", {
      type: "button",
      class: "link-button open-comment",
      text: sectionLabel(comment.section_anchor),
      on: { click: () => hooks.onOpen?.(comments.get(comment.id) ?? comment) },
    });
    const card = el(
      "li",
      { class: `feed-item kind-comment${comment.disposition ? " is-disposed" : ""} moderation-${comment.moderation ?? "approved"}`, dataset: { id: comment.id } },
      el("p", { class: "feed-head" }, pick, el("span", { class: "tag", text: t("feed.comment") }),
        comment.author_kind === "secretariat" ? el("span", { class: "tag tag-secretariat", text: t("inbox.secretariat") }) : null,
        el("span", { class: "comment-id", text: `#${comment.number}`, title: t("comment.number", { n: comment.number }) }), el("strong", {}, open)),
      el("p", { class: "meta", text: byline(comment) }),
      moderationTools("comments", comment, (c) => upsertComment(c, { force: true })),
      comment.duplicate_of ? el("p", { class: "duplicate-note" }, t("inbox.duplicate_of", { id: comment.duplicate_of_number }), " ", unmergeButton(comment)) : null,
      bodyBlock(comment.body),
      proposal(comment),
      rulingText(comment),
      answerBlock(comment),
      // A ruled comment keeps its form folded away: changing a ruling is the exception. A duplicate is ruled
      // through the comment it was merged into.
      comment.duplicate_of
        ? null
        : comment.disposition
          ? el("details", { class: "rerule" }, el("summary", { text: t("disposition.change") }), rulingForm(comment, state))
          : rulingForm(comment, state),
      comment.duplicate_of ? null : mergeForm(comment),
      duplicatesBlock(comment),
    );
    card.ruling = state;
    return card;
  }

  /** Show a comment as it is now; a ruling the chair is typing survives, and will meet the revision check. */
  function upsertComment(comment, { force = false } = {}) {
    const before = comments.get(comment.id);
    comments.set(comment.id, comment);
    // A merge or unmerge changes the target's list of duplicates; the event names only the duplicate.
    for (const targetId of new Set([before?.duplicate_of, comment.duplicate_of])) {
      const target = targetId ? comments.get(targetId) : null;
      if (!target) continue;
      const others = (target.duplicates ?? []).filter((id) => id !== comment.id);
      const duplicates = comment.duplicate_of === targetId ? [...others, comment.id].sort((a, b) => a - b) : others;
      // Numbers count arrivals as ids do, so each id keeps its number and the lists stay in step.
      const numbers = new Map((target.duplicates ?? []).map((id, index) => [id, target.duplicate_numbers?.[index]]));
      numbers.set(comment.id, comment.number);
      comments.set(targetId, { ...target, duplicates, duplicate_numbers: duplicates.map((id) => numbers.get(id)) });
    }
    const key = `comment:${comment.id}`;
    if (comment.duplicate_of && cards.has(`comment:${comment.duplicate_of}`)) {
      // Shown under its target, not on its own.
      cards.get(key)?.remove();
      cards.delete(key);
      selected.delete(comment.id);
      empty.hidden = cards.size > 0;
    } else {
      drawComment(comment, force);
    }
    for (const targetId of new Set([before?.duplicate_of, comment.duplicate_of])) {
      if (targetId && cards.has(`comment:${targetId}`)) drawComment(comments.get(targetId), false);
    }
  }

  function drawComment(comment, force) {
    const key = `comment:${comment.id}`;
    const old = cards.get(key);
    const typing = old?.ruling.form?.dataset.dirty && !force;
    if (!typing) {
      place(key, commentCard(comment), comment.created_at);
      return;
    }
    old.classList.toggle("is-disposed", Boolean(comment.disposition));
    old.querySelector(".ruling").replaceWith(rulingText(comment));
    old.querySelector(".author-answer").replaceWith(answerBlock(comment));
    old.querySelector(".duplicates").replaceWith(duplicatesBlock(comment));
    const form = old.ruling.form;
    if (!form.dataset.saving && Number(form.dataset.revision) !== comment.revision && !form.querySelector(".stale-note")) {
      form.prepend(el("p", { class: "stale-note", role: "alert", text: t("disposition.stale") }));
    }
  }

  /** After a conflict, keep the chair's ruling in the fresh form: shown beside the current one, not lost. */
  function offerAgain(commentId, attempt) {
    const form = cards.get(`comment:${commentId}`).ruling.form;
    form.querySelector(`input[value="${attempt.disposition}"]`).checked = true;
    form.elements.response.value = attempt.response ?? "";
    if (attempt.adopted_text && form.elements.adopted_text) {
      form.elements.adopted_text.value = attempt.adopted_text;
      form.elements.adopted_text.dispatchEvent(new Event("input", { bubbles: true }));
      form.querySelector(".counter-wording").hidden = false;
    }
    form.dataset.dirty = "1";
    form.closest("details")?.setAttribute("open", "");
  }

  function upsertRemark(remark) {
    place(`remark:${remark.id}`, remarkCard(remark), remark.created_at);
  }

  function reset(remarks, items) {
    cards.clear();
    list.replaceChildren();
    const shown = new Set(items.map((comment) => comment.id));
    for (const id of [...selected.keys()]) if (!shown.has(id)) selected.delete(id);
    items.forEach((comment) => comments.set(comment.id, comment));
    remarks.forEach(upsertRemark);
    // Targets first, so that their duplicates find them.
    items.filter((comment) => !comment.duplicate_of).forEach((comment) => upsertComment(comment));
    items.filter((comment) => comment.duplicate_of).forEach((comment) => upsertComment(comment));
    empty.hidden = cards.size > 0;
    hooks.onSelect?.(selected.size);
  }

  /** The picked comments as last seen (their revisions are what a bulk ruling is checked against). */
  function picked() {
    return [...selected].filter(([id]) => comments.has(id)).map(([id, revision]) => ({ ...comments.get(id), revision }));
  }

  /** After a refused bulk ruling the chair has seen the current state: the next try is checked against it. */
  function repick(current) {
    for (const comment of current) if (selected.has(comment.id)) selected.set(comment.id, comment.revision);
  }

  function clearPicked() {
    selected.clear();
    for (const box of list.querySelectorAll("input.pick")) box.checked = false;
    hooks.onSelect?.(0);
  }

  /** Whether the chair is typing a ruling that a reload would throw away. */
  function busy() {
    return [...cards.values()].some((card) => card.ruling?.form?.dataset.dirty);
  }

  const has = (kind, id) => cards.has(`${kind}:${id}`);

  return { reset, upsertRemark, upsertComment, picked, repick, clearPicked, busy, has };
}
