// Who works on what, on the inbox's comment cards: the chair hands comments to secretaries (one or the picked
// ones), a secretary drafts the answer to what it was handed from a saved template, the chair approves the draft
// as its ruling ("Duyệt") or rules otherwise with its own form. Staff notes sit on the card too. The cards are
// drawn by chair-feed.js; this module adds its block to each as it appears, so the two never edit the same nodes.
import { DISPOSITIONS, act, api, base, el, notify, option, page, t } from "./api.js";

const CHAIRS = ["chair", "admin"];

export function createWork(feed, bulk, filters) {
  const role = page.role;
  const chairs = CHAIRS.includes(role);
  const work = new Map();
  let staff = [];
  let templates = [];
  const me = Number(page.userId) || null;

  const nobody = () => ({ assigned_to: null, assignee: null, draft: null, notes: [] });

  function revisionOf(card) {
    return Number(card.querySelector(".dispose-form")?.dataset.revision ?? 0);
  }

  function assignControl(id, current) {
    const select = el("select", { class: "assign-to", "aria-label": t("work.assign_to") },
      option("", t("work.unassigned"), current.assigned_to === null),
      ...staff.map((u) => option(String(u.id), u.full_name || u.username, u.id === current.assigned_to)));
    select.addEventListener("change", () => act(select, async () => {
      const value = select.value ? Number(select.value) : null;
      remember(await api("PUT", `${base}/comments/${id}/assignment`, { assigned_to: value }));
    }));
    return el("label", { class: "assign" }, t("work.assign_to"), " ", select);
  }

  function draftForm(id, current) {
    const picker = el("select", { name: "template", "aria-label": t("work.template") },
      option("", t("work.no_template"), true), ...templates.map((tpl) => option(String(tpl.id), tpl.title)));
    const disposition = el("select", { name: "disposition", required: true },
      ...DISPOSITIONS.map((value) => option(value, t(`disposition.${value}`), value === (current.draft?.disposition ?? "accepted"))));
    const response = el("textarea", { name: "response", rows: 2, text: current.draft?.response ?? "" });
    picker.addEventListener("change", () => {
      const chosen = templates.find((tpl) => String(tpl.id) === picker.value);
      if (!chosen) return;
      if (chosen.disposition) disposition.value = chosen.disposition;
      response.value = chosen.response;
    });
    const form = el("form", { class: "draft-form" },
      el("label", {}, t("work.template"), " ", picker),
      el("label", {}, t("disposition.legend"), " ", disposition),
      el("label", {}, t("disposition.response"), response),
      el("div", { class: "actions" }, el("button", { type: "submit", text: t("work.save_draft") })));
    form.addEventListener("input", () => { form.dataset.dirty = "1"; });
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      act(form.querySelector("button"), async () => {
        const saved = await api("PUT", `${base}/comments/${id}/draft`, { disposition: disposition.value, response: response.value });
        delete form.dataset.dirty;
        remember(saved);
        notify(t("work.draft_saved"));
      });
    });
    return form;
  }

  function draftText(id, current, card) {
    const draft = current.draft;
    if (!draft) return null;
    const approve = chairs && !card.classList.contains("is-disposed")
      ? el("button", { type: "button", class: "button-primary approve-draft", text: t("work.approve"), on: { click: (event) => act(event.currentTarget, async () => {
        await api("POST", `${base}/comments/${id}/approve`, { revision: revisionOf(card) });
        notify(t("work.approved"));
      }) } })
      : null;
    return el("div", { class: "work-draft" },
      el("p", { class: "label", text: t("work.drafted_by", { name: draft.drafted_by_name ?? "" }) }),
      el("p", {}, el("strong", { text: t(`disposition.${draft.disposition}`) }), draft.response ? ` — ${draft.response}` : ""),
      approve);
  }

  function notesBlock(id, current) {
    const input = el("input", { type: "text", name: "body", required: true, "aria-label": t("work.note_add") });
    const form = el("form", { class: "note-form" }, input, el("button", { type: "submit", text: t("work.note_add") }));
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      act(form.querySelector("button"), async () => {
        remember(await api("POST", `${base}/comments/${id}/notes`, { body: input.value.trim() }));
      });
    });
    return el("details", { class: "work-notes" },
      el("summary", { text: t("work.notes", { n: current.notes.length }) }),
      el("p", { class: "meta", text: t("work.notes_hint") }),
      el("ul", {}, ...current.notes.map((n) => el("li", {}, el("span", { class: "meta", text: `${n.author ?? ""}: ` }), n.body))),
      form);
  }

  function decorate(card) {
    const id = Number(card.dataset.id);
    const current = work.get(id) ?? nobody();
    const mine = role === "secretary" && current.assigned_to === me;
    const old = card.querySelector(":scope > .work");
    // A draft being typed survives a change someone else made to the same comment (a note, say).
    const typing = old?.querySelector(".draft-form[data-dirty]");
    const block = el("div", { class: "work", dataset: { assigned: current.assigned_to ?? "", drafted: current.draft ? "1" : "" } },
      chairs ? assignControl(id, current)
        : el("p", { class: "meta", text: current.assignee ? t("work.assigned", { name: current.assignee }) : t("work.unassigned") }),
      draftText(id, current, card),
      mine && !card.classList.contains("is-disposed") ? typing ?? draftForm(id, current) : null,
      notesBlock(id, current));
    if (old) old.replaceWith(block);
    else card.append(block);
  }

  const redraw = (id) => {
    const card = feed.querySelector(`:scope > li.kind-comment[data-id="${id}"]`);
    if (card) decorate(card);
  };
  function remember(view) {
    work.set(view.comment_id, view);
    redraw(view.comment_id);
  }

  // chair-feed.js replaces a card whole when its comment changes: each new card gets its block again.
  new MutationObserver((changes) => {
    for (const change of changes) {
      for (const node of change.addedNodes) {
        if (node instanceof HTMLElement && node.matches("li.kind-comment")) decorate(node);
      }
    }
  }).observe(feed, { childList: true });

  // ---- handing the picked comments to one account at once -------------------------------------------

  const bulkSelect = el("select", { "aria-label": t("work.assign_to") }, option("", t("work.unassigned"), true));
  const bulkAssign = el("div", { class: "bulk-assign", hidden: !chairs },
    el("label", {}, t("work.bulk_assign"), " ", bulkSelect),
    el("button", { type: "button", class: "bulk-assign-go", text: t("work.assign_to"), on: { click: (event) => {
      const ids = [...feed.querySelectorAll(":scope > li.kind-comment .pick:checked")].map((box) => Number(box.closest("li").dataset.id));
      if (!ids.length) return;
      act(event.currentTarget, async () => {
        const done = await api("POST", `${base}/comments/assign`, { comment_ids: ids, assigned_to: bulkSelect.value ? Number(bulkSelect.value) : null });
        done.items.forEach(remember);
        notify(t("work.assigned_n", { n: done.total }));
      });
    } } }));
  bulk.querySelector(".actions")?.before(bulkAssign);

  // ---- saved answers -----------------------------------------------------------------------------------

  const templateList = el("ul", { class: "template-list" });
  const templateForm = el("form", { class: "template-form" },
    el("label", {}, t("work.template_title"), el("input", { name: "title", required: true })),
    el("label", {}, t("disposition.legend"), el("select", { name: "disposition" },
      option("", t("work.any_disposition"), true), ...DISPOSITIONS.map((value) => option(value, t(`disposition.${value}`))))),
    el("label", {}, t("disposition.response"), el("textarea", { name: "response", rows: 2, required: true })),
    el("div", { class: "actions" }, el("button", { type: "submit", text: t("work.template_add") })));
  templateForm.addEventListener("submit", (event) => {
    event.preventDefault();
    const data = new FormData(templateForm);
    const body = { title: data.get("title").trim(), response: data.get("response").trim() };
    if (data.get("disposition")) body.disposition = data.get("disposition");
    act(templateForm.querySelector("button"), async () => {
      await api("POST", `${base}/answer-templates`, body);
      templateForm.reset();
      await loadTemplates();
    });
  });
  const templatePanel = el("details", { class: "answer-templates" },
    el("summary", { text: t("work.templates") }), templateList, templateForm);
  filters.after(templatePanel);

  function drawTemplates() {
    templateList.replaceChildren(...templates.map((tpl) => el("li", {},
      el("strong", { text: tpl.title }), tpl.disposition ? ` (${t(`disposition.${tpl.disposition}`)})` : "", ` — ${tpl.response} `,
      el("button", { type: "button", class: "link-button", text: t("work.template_delete"), on: { click: (event) => act(event.currentTarget, async () => {
        await api("DELETE", `${base}/answer-templates/${tpl.id}`);
        await loadTemplates();
      }) } }))));
    // The pickers get the new list in place: a draft being typed is never redrawn away.
    for (const picker of feed.querySelectorAll(".draft-form select[name=template]")) {
      const chosen = picker.value;
      picker.replaceChildren(option("", t("work.no_template"), chosen === ""),
        ...templates.map((tpl) => option(String(tpl.id), tpl.title, String(tpl.id) === chosen)));
    }
  }

  async function loadTemplates() {
    templates = (await api("GET", `${base}/answer-templates`)).items;
    drawTemplates();
  }

  async function load() {
    const [people, views] = await Promise.all([api("GET", `${base}/staff`), api("GET", `${base}/comment-work`)]);
    staff = people.items;
    bulkSelect.replaceChildren(option("", t("work.unassigned"), true), ...staff.map((u) => option(String(u.id), u.full_name || u.username)));
    work.clear();
    views.items.forEach((view) => work.set(view.comment_id, view));
    await loadTemplates();
    feed.querySelectorAll(":scope > li.kind-comment").forEach(decorate);
  }

  const handlers = {
    "comment.work_changed": remember,
    "answer_template.changed": () => { loadTemplates().catch(() => {}); },
  };

  return { load, handlers };
}
