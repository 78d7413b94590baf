// The chair's live feed of remarks and comments, newest first, with a ruling form on each comment.
// A ruling is sent against the revision the chair read; if someone else ruled meanwhile, the server
// refuses it and the card shows the current state instead of overwriting it.
import { DISPOSITIONS, api, act, base, el, formatTime, notify, sectionLabel, t } from "./api.js";

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
  );
}

export function createFeed(list, empty, agendaTitle) {
  const cards = new Map();

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
      { class: "feed-item kind-remark" },
      el("p", { class: "feed-head" }, el("span", { class: "tag", text: t("feed.remark") }), el("strong", { text: remark.title })),
      el("p", { class: "meta", text: byline(remark) }),
      item ? el("p", { class: "meta", text: t("feed.on_item", { title: item }) }) : null,
      bodyBlock(remark.body),
    );
  }

  function rulingForm(comment, state) {
    const name = `disposition-${comment.id}`;
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
      el("label", {}, t("disposition.response"), el("textarea", { name: "response", rows: 2, text: comment.response ?? "" })),
      el("div", { class: "actions" }, el("button", { type: "submit", text: t("disposition.save") })),
    );
    form.addEventListener("input", () => { form.dataset.dirty = "1"; });
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      const data = new FormData(form);
      const body = { disposition: data.get(name), response: data.get("response"), revision: Number(form.dataset.revision) };
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
    const card = el(
      "li",
      { class: `feed-item kind-comment${comment.disposition ? " is-disposed" : ""}`, dataset: { id: comment.id } },
      el("p", { class: "feed-head" }, el("span", { class: "tag", text: t("feed.comment") }), el("strong", { text: sectionLabel(comment.section_anchor) })),
      el("p", { class: "meta", text: byline(comment) }),
      bodyBlock(comment.body),
      comment.proposed_text ? el("blockquote", { class: "proposed" }, el("p", { class: "label", text: t("comment.proposed") }), el("p", { class: "prose", text: comment.proposed_text })) : null,
      rulingText(comment),
      // A ruled comment keeps its form folded away: changing a ruling is the exception.
      comment.disposition
        ? el("details", { class: "rerule" }, el("summary", { text: t("disposition.change") }), rulingForm(comment, state))
        : rulingForm(comment, state),
    );
    card.ruling = state;
    return card;
  }

  /** Show a comment as it is now; a ruling the chair is typing survives, and will meet the revision check. */
  function upsertComment(comment, { force = false } = {}) {
    const key = `comment:${comment.id}`;
    const old = cards.get(key);
    const typing = old?.ruling.form.dataset.dirty && !force;
    if (!typing) {
      place(key, commentCard(comment), comment.created_at);
      return;
    }
    old.classList.toggle("is-disposed", Boolean(comment.disposition));
    old.querySelector(".ruling").replaceWith(rulingText(comment));
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
    form.dataset.dirty = "1";
    form.closest("details")?.setAttribute("open", "");
  }

  function upsertRemark(remark) {
    place(`remark:${remark.id}`, remarkCard(remark), remark.created_at);
  }

  function reset(remarks, comments) {
    cards.clear();
    list.replaceChildren();
    remarks.forEach(upsertRemark);
    comments.forEach((comment) => upsertComment(comment));
    empty.hidden = cards.size > 0;
  }

  return { reset, upsertRemark, upsertComment };
}
