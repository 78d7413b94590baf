// A delegate's console: the agenda now, asking to speak, remarks, and comments on the current draft.
import { act, api, base, conferenceId, el, formValues, formatTime, notify, option, page, sectionLabel, t } from "./api.js";
import { clockView, itemClock } from "./clock.js";
import { connectLive } from "./live.js";

const me = Number(page.participantId);
const $ = (id) => document.getElementById(id);
const state = { agenda: [], points: new Map(), sections: [], comments: new Map(), request: null };

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

const SELECTABLE = { article: 0, clause: 1, point: 2 };
const INDENT = "\u00a0\u00a0\u00a0\u00a0";
const SHORT = 70;

function shorten(text) {
  const line = text.replace(/\s+/g, " ").trim();
  return line.length > SHORT ? `${line.slice(0, SHORT)}…` : line;
}

function sectionOption(section) {
  const depth = SELECTABLE[section.kind];
  const label = section.kind === "article" ? `${sectionLabel(section.anchor)}. ${section.title}` : shorten(section.text);
  return option(section.anchor, INDENT.repeat(depth) + label);
}

/** Articles, clauses and points in document order, grouped under their chapters. */
function renderSections() {
  const select = $("section-select");
  const groups = [];
  let group = null;
  for (const section of state.sections) {
    if (section.kind === "chapter") {
      group = el("optgroup", { label: `${sectionLabel(section.anchor)}. ${section.title}` });
      groups.push(group);
    } else if (section.kind in SELECTABLE) {
      (group ?? select).append(sectionOption(section));
    }
  }
  select.prepend(option("", t("section.general")));
  select.append(...groups);
  showSection();
}

function showSection() {
  const anchor = $("section-select").value;
  const parts = anchor ? state.sections.filter((s) => s.anchor === anchor || s.anchor.startsWith(`${anchor}.`)) : [];
  $("section-text").replaceChildren(...parts.map((s) => el("p", { class: `prose section-${s.kind}`, text: s.text.trim() })));
  $("section-text").hidden = parts.length === 0;
}

$("section-select").addEventListener("change", showSection);

async function reloadDraft() {
  const drafts = await api("GET", `${base}/drafts`);
  const current = drafts.items[0];
  $("section-select").replaceChildren();
  state.sections = current ? (await api("GET", `${base}/drafts/${current.id}`)).sections : [];
  $("draft-title").textContent = current ? t("comment.on_draft", { title: current.title, revision: current.revision }) : t("comment.no_draft");
  renderSections();
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
    notify(t("comment.sent"));
  });
});

$("remark-form").addEventListener("submit", (event) => {
  event.preventDefault();
  const form = event.currentTarget;
  const values = formValues(form);
  act(form.querySelector("button"), async () => {
    await api("POST", `${base}/remarks`, {
      title: values.title,
      body: values.body,
      agenda_item_id: values.agenda_item_id ? Number(values.agenda_item_id) : null,
    }, { idempotent: true });
    form.reset();
    renderAgenda();
    notify(t("remark.sent"));
  });
});

// ---- load and live ------------------------------------------------------------------------------------

async function load() {
  const [agenda, points, comments] = await Promise.all([
    api("GET", `${base}/agenda`),
    api("GET", `${base}/points`),
    api("GET", `${base}/comments`),
    reloadDraft(),
    reloadRequest(),
  ]);
  state.agenda = agenda.items;
  state.points = new Map(points.items.map((p) => [p.id, p]));
  state.comments = new Map(comments.items.map((c) => [c.id, c]));
  renderAgenda();
  renderComments();
}

const HANDLERS = {
  "agenda.changed": (data) => { state.agenda = data.items; renderAgenda(); },
  "agenda.item_started": applyItem,
  "agenda.item_finished": applyItem,
  "speaking.queue_changed": (data) => { if (data.request.participant_id === me) { state.request = data.request; renderRequest(); } },
  "comment.submitted": upsertComment,
  "comment.disposed": upsertComment,
  "draft.published": () => reloadDraft(),
  "conference.state_changed": (data) => { if (data.status !== "open") notify(t(`status.${data.status}`)); },
};

await load();
connectLive(conferenceId, (event) => HANDLERS[event.type]?.(event.data), load);
