// A delegate's console: the agenda now, asking to speak, remarks, and comments on the current draft.
import { act, api, attachmentLink, base, conferenceId, el, formValues, formatTime, notify, option, page, sectionLabel, t } from "./api.js";
import { clockView, itemClock } from "./clock.js";
import { renderDiff, showDraft } from "./delegate-draft.js";
import { connectLive } from "./live.js";

const me = Number(page.participantId);
const $ = (id) => document.getElementById(id);
const state = { agenda: [], points: new Map(), sections: [], comments: new Map(), remarks: new Map(), request: null };

// ---- agenda -------------------------------------------------------------------------------------------

const liveItem = () => state.agenda.find((item) => item.status === "live");
const paintClock = clockView($("current-clock"), () => itemClock(liveItem()));

function renderAgenda() {
  const live = liveItem();
  $("current-item").textContent = live?.title ?? t("agenda.nothing_live");
  $("current-item-meta").textContent = live ? [live.presenter, state.points.get(live.point_id)?.name].filter(Boolean).join(" · ") : "";
  const select = $("remark-item");
  const chosen = select.value || String(live?.id ?? "");
  select.replaceChildren(option("", t("remark.no_item")), ...state.agenda.map((item) => option(item.id, item.title, String(item.id) === chosen)));
  paintClock();
}

function applyItem(item) {
  state.agenda = state.agenda.map((known) => (known.id === item.id ? item : known));
  renderAgenda();
}

// ---- asking to speak ----------------------------------------------------------------------------------

const ACTIVE = ["queued", "granted", "speaking"];

function renderRequest() {
  const request = state.request;
  $("my-request").hidden = !request;
  if (request) $("my-request").textContent = t("speaking.yours", { status: t(`speaking_status.${request.status}`) });
  $("speak-form").querySelector("button").disabled = Boolean(request && ACTIVE.includes(request.status));
}

async function reloadRequest() {
  const queue = await api("GET", `${base}/speaking-requests`);
  state.request = queue.items.filter((r) => r.participant_id === me).at(-1) ?? null;
  renderRequest();
}

$("speak-form").addEventListener("submit", (event) => {
  event.preventDefault();
  const form = event.currentTarget;
  const { topic } = formValues(form);
  act(form.querySelector("button"), async () => {
    const live = liveItem();
    state.request = await api("POST", `${base}/speaking-requests`, { topic: topic ?? null, agenda_item_id: live?.id ?? null }, { idempotent: true });
    form.reset();
    renderRequest();
    notify(t("speaking.asked"));
  });
});

// ---- the draft ----------------------------------------------------------------------------------------

async function reloadDraft() {
  const drafts = await api("GET", `${base}/drafts`);
  const current = drafts.items[0];
  state.sections = current ? (await api("GET", `${base}/drafts/${current.id}`)).sections : [];
  $("draft-title").textContent = current ? t("comment.on_draft", { title: current.title, revision: current.revision }) : t("comment.no_draft");
  showDraft(state.sections);
}

// ---- my comments --------------------------------------------------------------------------------------

function commentRow(comment) {
  return el(
    "li",
    { class: "feed-item kind-comment" },
    el("p", { class: "feed-head" }, el("strong", { text: sectionLabel(comment.section_anchor) }), el("span", { class: "meta", text: ` · ${formatTime(comment.created_at)}` })),
    el("p", { class: "prose", text: comment.body }),
    comment.proposed_text ? el("blockquote", { class: "proposed" }, el("p", { class: "label", text: t("comment.proposed") }), el("p", { class: "prose", text: comment.proposed_text })) : null,
    comment.disposition
      ? el("div", { class: "ruling" },
        el("span", { class: `disposition-badge disposition-${comment.disposition}`, text: t(`disposition.${comment.disposition}`) }),
        comment.response ? el("p", { class: "prose", text: comment.response }) : null)
      : el("p", { class: "ruling pending", text: t("disposition.none") }),
  );
}

function renderComments() {
  const newest = [...state.comments.values()].sort((a, b) => b.id - a.id);
  $("my-comments").replaceChildren(...newest.map(commentRow));
  $("my-comments-empty").hidden = newest.length > 0;
}

function upsertComment(comment) {
  state.comments.set(comment.id, comment);
  renderComments();
}

$("comment-form").addEventListener("submit", (event) => {
  event.preventDefault();
  const form = event.currentTarget;
  const values = formValues(form);
  act(form.querySelector("button"), async () => {
    upsertComment(await api("POST", `${base}/comments`, {
      section_anchor: values.section_anchor ?? null,
      body: values.body,
      proposed_text: values.proposed_text ?? null,
    }, { idempotent: true }));
    // Clear only what was sent: the delegate may have started the next comment while this one was in flight.
    for (const name of ["body", "proposed_text"]) {
      if (form.elements[name].value.trim() === (values[name] ?? "")) form.elements[name].value = "";
    }
    renderDiff();
    notify(t("comment.sent"));
  });
});

// ---- my remarks ---------------------------------------------------------------------------------------

function remarkRow(remark) {
  return el(
    "li",
    { class: "feed-item kind-remark", dataset: { id: remark.id } },
    el("p", { class: "feed-head" }, el("strong", { text: remark.title }), el("span", { class: "meta", text: ` · ${formatTime(remark.created_at)}` })),
    el("p", { class: "prose", text: remark.body }),
    attachmentLink(remark.attachment),
  );
}

function renderRemarks() {
  const newest = [...state.remarks.values()].sort((a, b) => b.id - a.id);
  $("my-remarks").replaceChildren(...newest.map(remarkRow));
  $("my-remarks-empty").hidden = newest.length > 0;
}

function upsertRemark(remark) {
  if (remark.participant_id !== me) return;
  state.remarks.set(remark.id, remark);
  renderRemarks();
}

$("remark-form").addEventListener("submit", (event) => {
  event.preventDefault();
  const form = event.currentTarget;
  const values = formValues(form);
  const file = form.elements.file.files[0];
  let body = {
    title: values.title,
    body: values.body,
    agenda_item_id: values.agenda_item_id ? Number(values.agenda_item_id) : null,
  };
  if (file) {
    // With a paper attached the remark goes as multipart; the server checks the file's type and size.
    const multipart = new FormData();
    multipart.append("title", body.title ?? "");
    multipart.append("body", body.body ?? "");
    if (body.agenda_item_id) multipart.append("agenda_item_id", String(body.agenda_item_id));
    multipart.append("file", file, file.name);
    body = multipart;
  }
  act(form.querySelector("button"), async () => {
    upsertRemark(await api("POST", `${base}/remarks`, body, { idempotent: true }));
    form.reset();
    renderAgenda();
    notify(t("remark.sent"));
  });
});

// ---- load and live ------------------------------------------------------------------------------------

async function load() {
  const [agenda, points, comments, remarks] = await Promise.all([
    api("GET", `${base}/agenda`),
    api("GET", `${base}/points`),
    api("GET", `${base}/comments`),
    api("GET", `${base}/remarks`),
    reloadDraft(),
    reloadRequest(),
  ]);
  state.agenda = agenda.items;
  state.points = new Map(points.items.map((p) => [p.id, p]));
  state.comments = new Map(comments.items.map((c) => [c.id, c]));
  state.remarks = new Map(remarks.items.filter((r) => r.participant_id === me).map((r) => [r.id, r]));
  renderAgenda();
  renderComments();
  renderRemarks();
}

const HANDLERS = {
  "agenda.changed": (data) => { state.agenda = data.items; renderAgenda(); },
  "agenda.item_started": applyItem,
  "agenda.item_finished": applyItem,
  "speaking.queue_changed": (data) => { if (data.request.participant_id === me) { state.request = data.request; renderRequest(); } },
  "comment.submitted": upsertComment,
  "remark.submitted": upsertRemark,
  "comment.disposed": upsertComment,
  "draft.published": () => reloadDraft(),
  "conference.state_changed": (data) => { if (data.status !== "open") notify(t(`status.${data.status}`)); },
};

await load();
connectLive(conferenceId, (event) => HANDLERS[event.type]?.(event.data), load);
