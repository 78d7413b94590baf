// A delegate's console: the agenda now, asking to speak and being given the floor, remarks, and comments on
// the current draft; what has closed, said in a banner with the forms it closed.
import { act, api, attachmentLink, base, conferenceId, el, errorText, formValues, formatTime, notify, option, page, sectionLabel, t } from "./api.js";
import { clockView, formatDuration, itemClock, speechClock } from "./clock.js";
import { diffNodes } from "./delegate-diff.js";
import { legalName, proposalFrom, refreshView, resetProposal, setKind, showDraft } from "./delegate-draft.js";
import { explained, receiptLine } from "./delegate-receipt.js";
import { labelInputs } from "./inputs.js";
import { connectLive } from "./live.js";
import { followState } from "./workshop-state.js";

const me = Number(page.participantId);
const $ = (id) => document.getElementById(id);
const state = { agenda: [], points: new Map(), sections: [], comments: new Map(), remarks: new Map(), request: null, queue: [] };
const workshop = followState({
  region: $("state-region"),
  collecting: [$("speak-form"), $("remark-form"), $("comment-form")],
  live: [$("withdraw")],
  texts: { collection_closed: "state.delegate_collection_closed", closed: "state.delegate_closed" },
  onChange: () => { renderAgenda(); renderRequest(); renderComments(); },
});

// ---- agenda -------------------------------------------------------------------------------------------

const liveItem = () => state.agenda.find((item) => item.status === "live");
const paintClock = clockView($("current-clock"), () => itemClock(liveItem()));

function renderAgenda() {
  const live = liveItem();
  const ended = workshop.status === "closed";
  $("current-item").textContent = live?.title ?? t(ended ? "state.ended_title" : "agenda.nothing_live");
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

// ---- asking to speak, and the floor -------------------------------------------------------------------

const WAITING = ["queued", "granted"];
const ACTIVE = [...WAITING, "speaking"];
const paintTurnClock = clockView($("turn-clock"), () => speechClock(state.request));
const SOUND_KEY = "diemcau.turnSound";
let audio = null;

// A short tone when the floor comes to you, for a delegate who looks away; off unless the delegate turns it on.
function chime() {
  if (!$("turn-sound").checked) return;
  audio ??= new AudioContext();
  const tone = audio.createOscillator();
  const gain = audio.createGain();
  tone.frequency.value = 880;
  gain.gain.setValueAtTime(0.25, audio.currentTime);
  gain.gain.exponentialRampToValueAtTime(0.001, audio.currentTime + 0.8);
  tone.connect(gain).connect(audio.destination);
  tone.start();
  tone.stop(audio.currentTime + 0.8);
}

$("turn-sound").checked = localStorage.getItem(SOUND_KEY) === "on";
$("turn-sound").addEventListener("change", (event) => {
  localStorage.setItem(SOUND_KEY, event.currentTarget.checked ? "on" : "off");
  // Played once now: the browser lets a page sound only after a click, and the delegate hears what to expect.
  chime();
});

/** My request: the one that is still active, else the latest. */
function mine(items) {
  const own = items.filter((r) => r.participant_id === me);
  return own.find((r) => ACTIVE.includes(r.status)) ?? own.sort((a, b) => b.id - a.id)[0] ?? null;
}

// A request still waiting at the close will not be reached: it says so, and no banner invites to a floor that is gone.
const unreached = (request) => workshop.status === "closed" && WAITING.includes(request.status);

function requestDetail(request) {
  if (unreached(request)) return t("speaking.ended_waiting");
  if (request.status === "queued") {
    const waiting = state.queue.filter((r) => WAITING.includes(r.status));
    return t("speaking.place", { n: waiting.findIndex((r) => r.id === request.id) + 1, of: waiting.length });
  }
  if (request.status === "granted") return t("speaking.granted_detail");
  if (request.status === "speaking") return t("speaking.limit", { time: formatDuration(request.time_limit_seconds) });
  return "";
}

function renderRequest() {
  const request = state.request;
  const before = $("turn-banner").dataset.status;
  const active = Boolean(request && ACTIVE.includes(request.status));
  $("my-request").hidden = !request;
  if (request) {
    const status = unreached(request) ? "not_reached" : request.status;
    $("my-request-status").textContent = t(`speaking_status.${status}`);
    $("my-request-status").dataset.status = status;
    $("my-request-detail").textContent = requestDetail(request);
    $("withdraw").hidden = !WAITING.includes(status);
  }
  // Asked once is enough: the form comes back when the request is over.
  $("speak-form").hidden = active;
  const floor = request && ["granted", "speaking"].includes(request.status) && !unreached(request) ? request.status : "";
  $("turn-banner").hidden = !floor;
  $("turn-banner").dataset.status = floor;
  if (floor) {
    $("turn-title").textContent = t(`speaking.turn_${floor}`);
    $("turn-detail").textContent = request.topic ?? "";
  }
  if (floor && floor !== before) {
    $("turn-announce").textContent = t(`speaking.turn_${floor}`);
    chime();
  }
  paintTurnClock();
}

function applyQueue(items) {
  state.queue = items;
  state.request = mine(items);
  renderRequest();
}

async function reloadRequest() {
  applyQueue((await api("GET", `${base}/speaking-requests`)).items);
}

$("speak-form").addEventListener("submit", (event) => {
  event.preventDefault();
  const form = event.currentTarget;
  const { topic } = formValues(form);
  act(form.querySelector("button"), async () => {
    const live = liveItem();
    const request = await api("POST", `${base}/speaking-requests`, { topic: topic ?? null, agenda_item_id: live?.id ?? null }, { idempotent: true });
    form.reset();
    applyQueue([...state.queue.filter((r) => r.id !== request.id), request]);
    notify(t("speaking.asked"));
  });
});

$("withdraw").addEventListener("click", (event) => act(event.currentTarget, async () => {
  const request = await api("POST", `${base}/speaking-requests/${state.request.id}/withdraw`);
  applyQueue(state.queue.map((r) => (r.id === request.id ? request : r)));
  notify(t("speaking.withdrawn"));
}));

// ---- the draft ----------------------------------------------------------------------------------------

async function reloadDraft() {
  const drafts = await api("GET", `${base}/drafts`);
  const current = drafts.items[0];
  state.sections = current ? (await api("GET", `${base}/drafts/${current.id}`)).sections : [];
  $("draft-title").textContent = current ? t("comment.on_draft", { title: current.title, revision: current.revision }) : t("comment.no_draft");
  showDraft(state.sections);
}

// ---- my comments --------------------------------------------------------------------------------------

/** What the comment proposed, by kind: new wording, a new section after the target, or dropping it. */
function proposalBlock(comment) {
  const proposal = comment.proposal ?? (comment.proposed_text ? { kind: "replace", text: comment.proposed_text } : null);
  if (!proposal) return null;
  const where = comment.section_anchor ? legalName(comment.section_anchor) : "";
  const label = {
    replace: t("comment.proposed"),
    insert_after: t("proposal.inserted_after", { where }),
    delete: t("proposal.delete_where", { where }),
  }[proposal.kind];
  return el("blockquote", { class: "proposed", dataset: { kind: proposal.kind } },
    el("p", { class: "label", text: label }),
    proposal.text ? el("p", { class: "prose", text: proposal.text }) : null);
}

/** The chair's counter-wording, as a word diff against what the delegate proposed. */
function counterWording(comment) {
  if (!comment.adopted_text) return null;
  return el("div", { class: "counter-wording" },
    el("p", { class: "label", text: t("proposal.counter_wording") }),
    el("p", { class: "prose diff" }, ...diffNodes(comment.proposal?.text ?? comment.proposed_text ?? "", comment.adopted_text)));
}

// A sentence being typed in an answer, by comment id: the list is drawn again when any comment changes.
const typedAnswers = new Map();

/** My answer to the ruling, once sent; and until the close, the two buttons that send (or change) it. */
function answerBlock(comment) {
  if (!comment.disposition) return null;
  const answer = comment.author_answer;
  const sent = answer
    ? el("p", { class: `author-answer answer-${answer.agrees ? "agrees" : "disagrees"}` },
      el("strong", { text: t(answer.agrees ? "answer.agreed" : "answer.disagreed") }), answer.text ? ` ${answer.text}` : "")
    : null;
  if (workshop.status === "closed") return sent;
  const error = el("p", { class: "form-error", role: "alert", hidden: true });
  const form = el("form", { class: "answer-form stack" },
    el("label", {}, el("span", {}, t("answer.text"), " ", el("span", { class: "meta", text: `(${t("form.optional")})` })),
      el("input", { name: "text", maxlength: "2000", value: typedAnswers.get(comment.id) ?? "", on: { input: (event) => typedAnswers.set(comment.id, event.target.value) } })),
    el("div", { class: "actions" },
      el("button", { type: "submit", class: "button-primary", value: "true", text: t("answer.agree") }),
      el("button", { type: "submit", value: "false", text: t("answer.disagree") })),
    error);
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const agrees = event.submitter?.value === "true";
    const text = form.elements.text.value.trim() || null;
    act(event.submitter, async () => {
      try {
        const answered = await api("PUT", `${base}/comments/${comment.id}/author-answer`, { agrees, text }, { idempotent: true });
        typedAnswers.delete(comment.id);
        upsertComment(answered);
        notify(t("answer.sent"));
      } catch (failure) {
        // Said where it happened, the sentence kept for another try.
        if (!failure.code) throw failure;
        error.textContent = errorText(failure);
        error.hidden = false;
      }
    });
  });
  return el("div", { class: "answer" }, sent, el("p", { class: "label", text: t(answer ? "answer.change" : "answer.ask") }), form);
}

function commentRow(comment) {
  return el(
    "li",
    { class: "feed-item kind-comment", dataset: { id: comment.id } },
    el("p", { class: "feed-head" }, el("strong", { text: sectionLabel(comment.section_anchor) }), el("span", { class: "meta", text: ` · ${formatTime(comment.created_at)}` })),
    el("p", { class: "prose", text: comment.body }),
    proposalBlock(comment),
    receiptLine(comment.receipt),
    comment.disposition
      ? el("div", { class: "ruling" },
        el("span", { class: `disposition-badge disposition-${comment.disposition}`, text: t(`disposition.${comment.disposition}`) }),
        comment.response ? el("p", { class: "prose", text: comment.response }) : null,
        counterWording(comment))
      : el("p", { class: "ruling pending", text: t("disposition.none") }),
    answerBlock(comment),
  );
}

function renderComments() {
  const newest = [...state.comments.values()].sort((a, b) => b.id - a.id);
  $("my-comments").replaceChildren(...newest.map(commentRow));
  $("my-comments-empty").hidden = newest.length > 0;
  $("my-comments-receipts").hidden = explained() || !newest.some((comment) => comment.receipt);
}

// What is heard live may not carry the receipt the author's own answer and listing did: the one known is kept.
const withReceipt = (known, heard) => ({ ...heard, receipt: heard.receipt ?? known?.receipt });

function upsertComment(comment) {
  state.comments.set(comment.id, withReceipt(state.comments.get(comment.id), comment));
  renderComments();
  refreshView();
}

/** A ruling on one of my comments: shown, and read out by a screen reader without moving the focus. */
function ruled(comment) {
  const known = state.comments.get(comment.id);
  upsertComment(comment);
  if (!comment.disposition || known?.disposition === comment.disposition) return;
  const text = t("comment.ruled", {
    n: comment.number, where: comment.section_anchor ? ` (${sectionLabel(comment.section_anchor)})` : "",
    disposition: t(`disposition.${comment.disposition}`),
  });
  $("ruling-announce").textContent = text;
  notify(text);
}

$("comment-form").addEventListener("submit", (event) => {
  event.preventDefault();
  const form = event.currentTarget;
  const values = formValues(form);
  const error = $("comment-error");
  error.hidden = true;
  act(form.querySelector("button[type=submit]"), async () => {
    let comment;
    try {
      comment = await api("POST", `${base}/comments`, {
        section_anchor: values.section_anchor ?? null,
        body: values.body,
        proposal: proposalFrom(values.section_anchor, values),
      }, { idempotent: true });
    } catch (failure) {
      // Said in place, in the page's words; nothing typed is lost.
      if (!failure.code) throw failure;
      error.textContent = "proposal.kind" in (failure.details ?? {}) ? t("proposal.not_here") : errorText(failure);
      error.hidden = false;
      error.scrollIntoView({ block: "nearest" });
      return;
    }
    upsertComment(comment);
    // Clear only what was sent: the delegate may have started the next comment while this one was in flight.
    // The proposed wording goes back to the current wording, ready for the next comment.
    if (form.elements.body.value.trim() === values.body) form.elements.body.value = "";
    if (form.elements.inserted_text.value.trim() === (values.inserted_text ?? "")) form.elements.inserted_text.value = "";
    resetProposal(form.elements.proposed_text.value.trim() === (values.proposed_text ?? ""));
    setKind("replace");
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
    receiptLine(remark.receipt),
  );
}

function renderRemarks() {
  const newest = [...state.remarks.values()].sort((a, b) => b.id - a.id);
  $("my-remarks").replaceChildren(...newest.map(remarkRow));
  $("my-remarks-empty").hidden = newest.length > 0;
  $("my-remarks-receipts").hidden = explained() || !newest.some((remark) => remark.receipt);
}

function upsertRemark(remark) {
  if (remark.participant_id !== me) return;
  state.remarks.set(remark.id, withReceipt(state.remarks.get(remark.id), remark));
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
  const [conference, agenda, points, comments, remarks] = await Promise.all([
    api("GET", base),
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
  workshop.render(conference);
}

const HANDLERS = {
  "agenda.changed": (data) => { state.agenda = data.items; renderAgenda(); },
  "agenda.item_started": applyItem,
  "agenda.item_finished": applyItem,
  "speaking.queue_changed": (data) => applyQueue(data.items),
  "comment.submitted": upsertComment,
  "remark.submitted": upsertRemark,
  "comment.disposed": ruled,
  "comment.answered": upsertComment,
  "draft.published": () => reloadDraft(),
  ...workshop.handlers,
};

labelInputs();
await load();
connectLive(conferenceId, (event) => HANDLERS[event.type]?.(event.data), load);
