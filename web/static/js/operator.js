// A bridge point's operator console: roster and check-in, walk-ins and substitutes, badges, link status,
// speaking. Check-ins and check-outs go through the outbox (outbox.js), so they are taken while the link is
// down and sent, in order and once, when it is back; the roster is kept on the device for a reload offline.
import { act, api, base, conferenceId, el, elapsedSince, errorText, formValues, formatTime, notify, option, page, t } from "./api.js";
import { clockView, itemClock } from "./clock.js";
import { connectLive } from "./live.js";
import * as outbox from "./outbox.js";
import { actionOf, isCheckIn, overlay, targetOf } from "./operator-pending.js";
import { actionButton, drawRoster, fold, substitutes } from "./operator-roster.js";
import { codeLabel, pendingText, setupScan, showScan } from "./operator-scan.js";
import { followState } from "./workshop-state.js";

const pointId = Number(page.pointId);
const scope = `${conferenceId}:${pointId}`;
const $ = (id) => document.getElementById(id);
const UNDO_MS = 5 * 60 * 1000;
// A check-out is held this long before it is sent, so a mistaken tap can be taken back without a trace.
const LEAVE_MS = 5000;
const RETRY_MS = 15000;
const MADE_HERE = `diemcau-made-here:${scope}`;
// people and order: the server's state as last known; entries: the outbox; outcomes: how each row's last
// write went; madeHere: whom this tab checked in (they get an undo button); savedAt: set while the roster
// shown is the copy kept on the device; leaving: check-outs held before sending, by id ({at, ends, timer});
// feedback: the line that answers the operator's last action ({text, kind, undo?: {id, of}}); pinned: who
// stays at the top of the list after a check-in emptied the search.
// agenda and liveItem: the "now" line and speaking requests' item.
const state = {
  people: new Map(),
  order: [],
  point: null,
  entries: [],
  outcomes: new Map(),
  madeHere: new Set(JSON.parse(sessionStorage.getItem(MADE_HERE) ?? "[]")),
  savedAt: null,
  leaving: new Map(),
  feedback: null,
  pinned: null,
  query: "",
  agenda: [],
  liveItem: null,
};

// ---- roster -------------------------------------------------------------------------------------------

/** How the person's last write went: waiting in the outbox, or its outcome here or in an earlier session. */
function syncOf(person, view) {
  if (view.pending.has(person.id)) return { kind: "pending" };
  const failed = view.failed.get(person.id);
  return state.outcomes.get(person.id) ?? (failed ? { kind: "failed", message: refusal(failed.failed) } : null);
}

/** How long the undo button of a check-in made here stays, in ms; 0 when it is gone. */
function undoLeft(person, view) {
  if (!person.present || !state.madeHere.has(person.id)) return 0;
  // The server's five minutes start when the check-in reaches it; until then, from the click.
  const waiting = view.pending.get(person.id);
  const age = waiting ? Date.now() - Date.parse(waiting.created) : elapsedSince(person.checked_in_at);
  return Math.max(0, UNDO_MS - age);
}

function leavingLeft(person) {
  const leave = state.leaving.get(person.id);
  return leave ? Math.max(0, leave.ends - Date.now()) : 0;
}

const now = () => formatTime(new Date().toISOString());

/** Answer an action in the line under the search; `undo` ({id, of: "check-in"|"check-out"}) offers taking it back. */
function tell(text, undo = null, kind = "done") {
  state.feedback = { text, kind, undo };
}

/**
 * After a check-in found by search, the next arrival is typed at once: the search empties and takes the keys.
 * The person just checked in (`pinned`) stays at the top of the whole list, where their row was: under the
 * finger is their state, not the next person's check-in button.
 */
function readyForNext(pinned = null) {
  if (!state.query) return;
  const search = $("roster-search");
  search.value = "";
  state.query = "";
  state.pinned = pinned;
  search.focus();
}

const rowActions = {
  checkIn(person) {
    state.madeHere.add(person.id);
    sessionStorage.setItem(MADE_HERE, JSON.stringify([...state.madeHere]));
    tell(t("attendance.done_check_in", { name: person.full_name, time: now() }), { id: person.id, of: "check-in" });
    readyForNext(person.id);
    queue("POST", `${base}/checkins`, { participant_id: person.id });
  },
  undo(person) {
    tell(t("attendance.done_undo", { name: person.full_name }));
    queue("POST", `${base}/checkins/${person.id}/undo`);
  },
  checkOut(person) {
    const at = new Date().toISOString();
    const timer = setTimeout(() => leave(person), LEAVE_MS);
    state.leaving.set(person.id, { at, ends: Date.now() + LEAVE_MS, timer });
    tell(t("attendance.done_check_out", { name: person.full_name, time: formatTime(at) }), { id: person.id, of: "check-out" });
    leavingTicker ??= setInterval(tickLeaving, 1000);
    renderRoster();
  },
  keep(person) {
    clearTimeout(state.leaving.get(person.id)?.timer);
    state.leaving.delete(person.id);
    tell(t("attendance.done_keep", { name: person.full_name }));
    renderRoster();
  },
};

// While a check-out can be taken back, its button counts the seconds down. Only the label changes: redrawing
// the rows every second would take the focus from whoever is on them.
let leavingTicker = null;

function tickLeaving() {
  for (const button of document.querySelectorAll('#roster button[data-action="keep"]')) {
    const left = leavingLeft({ id: Number(button.closest("li").dataset.id) });
    button.textContent = t("attendance.keep", { seconds: Math.ceil(left / 1000) });
  }
  if (state.leaving.size) return;
  clearInterval(leavingTicker);
  leavingTicker = null;
}

/** Send a held check-out: its time to be taken back is over, or the page is going away. */
function leave(person) {
  const leaving = state.leaving.get(person.id);
  if (!leaving) return;
  clearTimeout(leaving.timer);
  state.leaving.delete(person.id);
  queue("DELETE", `${base}/checkins/${person.id}`);
}

// Hidden or closed, the page may never run its timers: what it holds goes into the outbox now.
document.addEventListener("visibilitychange", () => {
  if (document.visibilityState === "hidden") [...state.leaving.keys()].forEach((id) => leave(state.people.get(id)));
});

// What the line shows now: it is redrawn only when that changes, or a screen reader would say it again.
let feedbackShown = "";

function renderFeedback(view) {
  const line = $("roster-feedback");
  const { text, kind, undo } = state.feedback ?? { text: t("operator.feedback_hint") };
  const person = undo && view.people.get(undo.id);
  const open = person && (undo.of === "check-in" ? undoLeft(person, view) > 0 : state.leaving.has(person.id));
  const shown = JSON.stringify([text, kind, open && undo]);
  if (shown === feedbackShown) return;
  feedbackShown = shown;
  line.dataset.kind = kind ?? "";
  const action = undo?.of === "check-in" ? rowActions.undo : rowActions.keep;
  line.replaceChildren(
    text ? el("span", { text }) : "",
    open ? actionButton(`feedback-${undo.of === "check-in" ? "undo" : "keep"}`, "button-quiet", t("attendance.undo"), () => action(person)) : "",
  );
}

function renderNotFound() {
  const query = state.query;
  $("roster-empty-text").textContent = query ? t("operator.not_found", { query }) : t("operator.no_match");
  const offer = $("roster-walk-in");
  offer.hidden = !query;
  offer.textContent = t("operator.add_walk_in", { name: query });
}

let undoTimer;

function renderRoster() {
  const view = overlay(state.people, state.order, state.entries);
  // A check-out held on the page shows at once, like one waiting in the outbox.
  for (const [id, { at }] of state.leaving) {
    if (view.people.has(id)) view.people.set(id, { ...view.people.get(id), present: false, checked_in_at: null, checked_out_at: at });
  }
  if (state.pinned !== null && !state.query && view.people.has(state.pinned)) {
    view.order = [state.pinned, ...view.order.filter((id) => id !== state.pinned)];
  }
  const nextUndoEnds = drawRoster(view, state.query, {
    syncOf: (person) => syncOf(person, view),
    undoLeft: (person) => undoLeft(person, view),
    leavingLeft,
    on: rowActions,
  });
  renderFeedback(view);
  renderNotFound();
  // Redraw when the first undo button runs out.
  clearTimeout(undoTimer);
  if (nextUndoEnds !== null) undoTimer = setTimeout(renderRoster, nextUndoEnds + 50);
  const everyone = view.order.map((id) => view.people.get(id));
  const standIns = substitutes(view.people);
  renderCounts(everyone, standIns);
  renderPickers(everyone, standIns);
  renderOutbox();
}

/** The point's figures as the record counts them: invited present + represented + absent = expected. */
function renderCounts(everyone, standIns) {
  const roster = everyone.filter((p) => p.on_roster);
  const here = roster.filter((p) => p.present).length;
  const represented = roster.filter((p) => !p.present && standIns.has(p.id)).length;
  const guests = everyone.filter((p) => !p.on_roster && p.present);
  const substituting = guests.filter((p) => p.substitute_for).length;
  $("point-present").textContent = here;
  $("point-expected").textContent = roster.length;
  $("point-others").textContent = t("operator.counts", {
    represented, absent: roster.length - here - represented, substitutes: substituting, walk_ins: guests.length - substituting,
  });
}

function renderPickers(everyone, standIns) {
  const absentMembers = everyone.filter((p) => p.on_roster && !p.present && !standIns.has(p.id));
  // Speaking is for those the server knows as present: it refuses anyone whose check-in has not arrived.
  const present = state.order.map((id) => state.people.get(id)).filter((p) => p.present);
  fill($("substitute-form").elements.substitute_for, absentMembers, t("operator.pick_absent"));
  fill($("absence-form").elements.participant_id, absentMembers, t("operator.pick_absent"), (p) => p.absence_reason);
  fill($("speak-form").elements.participant_id, present, t("operator.pick_present"));
}

function fill(select, people, prompt, note = () => null) {
  const chosen = select.value;
  const label = (p) => [p.full_name, p.position, note(p)].filter(Boolean).join(" – ");
  select.replaceChildren(option("", prompt), ...people.map((p) => option(p.id, label(p), String(p.id) === chosen)));
}

function setRoster(items) {
  state.people = new Map(items.map((p) => [p.id, p]));
  state.order = items.map((p) => p.id);
  renderRoster();
}

function upsert(person) {
  const known = state.people.has(person.id);
  state.people.set(person.id, { ...state.people.get(person.id), ...person });
  if (!known) state.order.push(person.id);
  renderRoster();
  saveSoon();
}

// The copy on the device follows every change, so a reload offline starts from the newest state seen; a
// burst of changes (the events replayed on reconnect) is saved once, after it.
let saveQueued = false;

function saveSoon() {
  if (saveQueued) return;
  saveQueued = true;
  setTimeout(() => {
    saveQueued = false;
    outbox.saveRoster(scope, { point: state.point, people: state.order.map((id) => state.people.get(id)) });
  });
}

$("roster-search").addEventListener("input", (event) => {
  state.query = event.target.value.trim();
  state.pinned = null;
  renderRoster();
});

// Nobody by that name on the roster: the name typed becomes a walk-in's, to complete and check in.
$("roster-walk-in").addEventListener("click", () => {
  const form = $("walk-in-form");
  form.elements.full_name.value = state.query;
  form.scrollIntoView({ block: "center" });
  form.elements.position.focus();
});

// ---- outbox -------------------------------------------------------------------------------------------

function describe(entry) {
  const target = targetOf(entry);
  const who = target !== null ? state.people.get(target)?.full_name ?? `#${target}` : entry.body.full_name ?? codeLabel(entry.body.code);
  return `${t(actionOf(entry))} – ${who}`;
}

function renderOutbox() {
  const waiting = state.entries.filter((entry) => !entry.failed).length;
  const status = $("outbox-status");
  status.dataset.count = waiting;
  status.textContent = waiting ? t("outbox.count", { count: waiting }) : t("outbox.empty");
  $("outbox-retry").hidden = waiting === 0;
  const failed = state.entries.filter((entry) => entry.failed);
  $("outbox-failed").hidden = failed.length === 0;
  $("outbox-failed").replaceChildren(...failed.map((entry) => el("li", {},
    el("span", { text: `${describe(entry)}: ${refusal(entry.failed)}` }),
    el("button", { type: "button", class: "button-quiet", text: t("outbox.dismiss"), on: { click: () => dismiss(entry) } }),
  )));
}

async function dismiss(entry) {
  await outbox.discard(entry.id);
  if (state.outcomes.get(targetOf(entry))?.kind === "failed") state.outcomes.delete(targetOf(entry));
  state.entries = await outbox.entries(scope);
  renderRoster();
}

// What a scan came to, in the words the person at the door needs.
function scanText(entry, { kind, result, error }) {
  if (kind === "synced") return t("operator.checked_in", { name: result.full_name });
  if (error.code === "already_checked_in") {
    return t("scan.already", { name: state.people.get(error.details.participant_id)?.full_name ?? codeLabel(entry.body.code) });
  }
  return refusal(error);
}

/** Why the server refused a write, in the page's words; a badge of another point names that point. */
function refusal(error) {
  if (error.code === "wrong_point" && error.details?.point) return t("scan.wrong_point", { point: error.details.point });
  return errorText(error);
}

let needsReload = false;

/** Hear how an entry went (outbox.replay's report). */
function settle(entry, outcome) {
  if (outcome.kind === "held") {
    // Offline or a server in trouble: the entry waits quietly. A session problem needs the operator.
    if (outcome.error.status > 0 && outcome.error.status < 500) notify(errorText(outcome.error), "error");
    return;
  }
  const { kind, result, error } = outcome;
  const byCode = entry.body?.code !== undefined;
  if (result) {
    if (isCheckIn(entry) && targetOf(entry) === null) state.madeHere.add(result.id);
    // The answer to a check-out leaves out when; the event that says it may come before or after it.
    const known = state.people.get(result.id)?.checked_out_at;
    const left = entry.method === "DELETE" && !(known > entry.created) ? { checked_out_at: entry.created } : {};
    upsert({ ...result, ...left });
  }
  const row = targetOf(entry) ?? result?.id ?? error?.details.participant_id;
  if (state.people.has(row)) state.outcomes.set(row, { kind, message: error && refusal(error) });
  // The server holds a state this page does not know (someone else's write, or an answer that was lost).
  if (kind === "settled") needsReload = true;
  if (byCode) showScan(scanText(entry, outcome), kind);
  else if (kind === "failed") {
    notify(`${describe(entry)}: ${refusal(error)}`, "error");
    // The line under the search must not keep saying it was done.
    if (state.feedback?.undo?.id === row) tell(`${describe(entry)}: ${refusal(error)}`, null, "failed");
  }
  else if (kind === "synced" && entry.body?.full_name) tell(t("operator.checked_in", { name: result.full_name }));
}

/** Send what waits, unless the device knows it has no network at all. */
async function flush() {
  if (navigator.onLine === false) return;
  await outbox.replay(scope, settle);
  state.entries = await outbox.entries(scope);
  renderRoster();
  if (needsReload) {
    needsReload = false;
    await reloadRoster().catch((error) => {
      // Gone again: the next reconnect loads the roster anyway.
      if (!unreachable(error)) throw error;
    });
  }
}

/**
 * Take a write: keep it in the outbox, show it at once, and try to send it. Answers "sent", "pending" (it
 * waits for the link) or "failed". A refusal met now was just shown to the operator, who is still there to
 * act on it, so only refusals met on a later replay stay listed in the outbox.
 */
async function queue(method, path, body) {
  const entry = await outbox.enqueue(scope, method, path, body);
  state.entries.push(entry);
  if (body?.code !== undefined) showScan(pendingText(body.code), "pending");
  renderRoster();
  await flush();
  const after = state.entries.find((e) => e.id === entry.id);
  if (!after) return "sent";
  if (!after.failed) return "pending";
  await outbox.discard(entry.id);
  state.entries = state.entries.filter((e) => e.id !== entry.id);
  renderOutbox();
  return "failed";
}

/**
 * A back on-line moment (the browser's, or the live connection's): send what waited, then read the server's
 * state afresh. Answers to replayed entries can be old news (the server repeats its first answer to a key),
 * and a console that started from the copy on the device has more than the roster to catch up on.
 */
async function reconnected() {
  await flush();
  try {
    await (state.savedAt ? load() : reloadRoster());
  } catch (error) {
    // Gone again before it could read: the next reconnect will.
    if (!unreachable(error)) throw error;
  }
}

$("outbox-retry").addEventListener("click", flush);
window.addEventListener("online", reconnected);
setInterval(() => {
  if (state.entries.some((entry) => !entry.failed)) flush();
}, RETRY_MS);

// ---- forms --------------------------------------------------------------------------------------------

function onSubmit(form, handler) {
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    act(event.submitter ?? form.querySelector("button"), () => handler(formValues(form), event.submitter));
  });
}

/** A check-in by name from a form: the form keeps what was typed if the server refused it, to be fixed. */
async function checkInByName(form, body) {
  const outcome = await queue("POST", `${base}/checkins`, body);
  if (outcome === "failed") return;
  form.reset();
  if (outcome === "pending") tell(t("outbox.queued", { name: body.full_name }));
  // The name came from the search that found nobody: back there for the next arrival.
  if (state.query && fold(body.full_name) === fold(state.query)) readyForNext();
  renderRoster();
}

onSubmit($("walk-in-form"), (values) => checkInByName($("walk-in-form"), values));
onSubmit($("substitute-form"), (values) => checkInByName($("substitute-form"), { ...values, substitute_for: Number(values.substitute_for) }));

setupScan((code) => queue("POST", `${base}/checkins`, { code }));

onSubmit($("link-form"), async (values, submitter) => {
  renderLink(await api("POST", `${base}/points/${pointId}/status`, { link: submitter.value, note: values.note ?? null }));
  notify(t("operator.link_sent"));
});

// The reason is kept on the roster member and printed beside their name in the record's list of absentees.
onSubmit($("absence-form"), async (values) => {
  const person = await api("PATCH", `${base}/participants/${values.participant_id}`, { absence_reason: values.absence_reason ?? null });
  upsert(person);
  $("absence-form").reset();
  notify(t(person.absence_reason ? "operator.absence_saved" : "operator.absence_cleared", { name: person.full_name }));
});

onSubmit($("speak-form"), async (values) => {
  await api("POST", `${base}/speaking-requests`, {
    participant_id: Number(values.participant_id),
    topic: values.topic ?? null,
    agenda_item_id: state.liveItem?.id ?? null,
    point_of_order: Boolean(values.point_of_order),
  }, { idempotent: true });
  $("speak-form").reset();
  notify(t("speaking.asked"));
  await reloadRequests();
});

// ---- point, agenda, requests --------------------------------------------------------------------------

function renderLink(point) {
  state.point = point;
  $("point-name").textContent = point.name;
  const badge = $("link-now");
  badge.className = `link-badge link-${point.link}`;
  badge.textContent = point.link_note ? `${t(`link.${point.link}`)} – ${point.link_note}` : t(`link.${point.link}`);
}

const paintClock = clockView($("current-clock"), () => itemClock(state.liveItem));

function renderAgenda(items) {
  state.liveItem = items.find((item) => item.status === "live") ?? null;
  const ended = workshop.status === "closed";
  $("current-item").textContent = state.liveItem?.title ?? t(ended ? "state.ended_title" : "agenda.nothing_live");
  paintClock();
}

async function reloadRequests() {
  renderRequests((await api("GET", `${base}/speaking-requests`)).items);
}

let requests = [];

// A request still waiting at the close will not be reached; "waiting" would say otherwise.
const requestStatus = (r) => (workshop.status === "closed" && ["queued", "granted"].includes(r.status) ? "not_reached" : r.status);

function renderRequests(items) {
  requests = items;
  const ours = items.filter((r) => r.point_id === pointId);
  $("point-requests-empty").hidden = ours.length > 0;
  $("point-requests").replaceChildren(
    ...ours.reverse().map((r) => el("li", {}, el("strong", { text: r.full_name }), ` · ${t(`speaking_status.${requestStatus(r)}`)}`, r.topic ? el("span", { class: "meta", text: ` · ${r.topic}` }) : null)),
  );
}

async function reloadRoster() {
  setRoster((await api("GET", `${base}/participants?point_id=${pointId}&limit=1000`)).items);
  saveSoon();
}

/** No answer at all (the link) or a server or proxy in trouble: the copy on the device will do. */
function unreachable(error) {
  return error.status === 0 || error.status >= 500;
}

async function loadSaved() {
  const saved = await outbox.loadRoster(scope);
  const note = $("offline-note");
  note.hidden = false;
  if (!saved) {
    // Still show what the outbox holds, and take new walk-ins and scans.
    note.textContent = t("offline.no_copy");
    renderRoster();
    return;
  }
  state.savedAt = saved.saved;
  note.textContent = t("offline.using_saved", { time: formatTime(saved.saved) });
  if (saved.point) renderLink(saved.point);
  setRoster(saved.people);
}

// Requests to speak close with collection; check-in, check-out, absence reasons and link reports only at the close.
const workshop = followState({
  region: $("state-region"),
  collecting: [$("speak-form")],
  live: [$("scan-form"), $("roster"), $("roster-empty"), $("link-form"), $("walk-in-form"), $("substitute-form"), $("absence-form")],
  texts: { collection_closed: "state.operator_collection_closed", closed: "state.operator_closed" },
  onChange: () => { renderRequests(requests); renderAgenda(state.agenda); },
});

async function load() {
  let points;
  let agenda;
  let conference;
  try {
    [conference, points, agenda] = await Promise.all([
      api("GET", base), api("GET", `${base}/points`), api("GET", `${base}/agenda`), reloadRoster(), reloadRequests(),
    ]);
  } catch (error) {
    if (!unreachable(error)) throw error;
    await loadSaved();
    return;
  }
  state.savedAt = null;
  $("offline-note").hidden = true;
  renderLink(points.items.find((p) => p.id === pointId));
  state.agenda = agenda.items;
  renderAgenda(state.agenda);
  workshop.render(conference);
  saveSoon();
}

function applyItem(item) {
  state.agenda = state.agenda.map((known) => (known.id === item.id ? item : known));
  renderAgenda(state.agenda);
}

const HANDLERS = {
  "participant.added": upsert,
  "participant.updated": upsert,
  "attendance.checked_in": upsert,
  "attendance.checked_out": upsert,
  "attendance.checkin_undone": upsert,
  "point.status_changed": (point) => { if (point.id === pointId) renderLink(point); },
  "agenda.changed": (data) => { state.agenda = data.items; renderAgenda(state.agenda); },
  "agenda.item_started": applyItem,
  "agenda.item_finished": applyItem,
  "speaking.queue_changed": (data) => renderRequests(data.items),
  ...workshop.handlers,
};

// ---- start --------------------------------------------------------------------------------------------

// The worker keeps this page and its files, so a reload while the link is down still opens the console.
// Without one (plain http on a LAN is not a secure context) the outbox still keeps writes in the open page.
if ("serviceWorker" in navigator) {
  navigator.serviceWorker.register("/sw.js", { scope: "/operator/" });
  // This page was loaded before the worker existed, so the worker has not seen it yet: ask it to keep it.
  navigator.serviceWorker.ready.then((registration) => registration.active.postMessage({ keep: location.href }));
}

state.entries = await outbox.entries(scope);
state.entries.filter((entry) => !entry.failed && entry.body?.code !== undefined).forEach((entry) => showScan(pendingText(entry.body.code), "pending"));
await load();
connectLive(conferenceId, (event) => HANDLERS[event.type]?.(event.data), load, reconnected);
flush();
