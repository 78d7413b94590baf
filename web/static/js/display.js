// The big screen: what is on now and how much of its time is left, who has the floor and for how much longer,
// what comes next and who speaks next, how many are here. It only follows the events; nothing here is a control.
// While someone speaks, the speaker and the speech's countdown fill the screen; once the workshop closes, a
// closing screen replaces everything and every clock stops. When the chair puts a section of the draft, the
// speakers' list or a message on the screen (display.changed), that fills it instead, until the chair goes back.
import { api, base, conferenceId, el, formatTime, t } from "./api.js";
import { clockView, itemClock, speechClock } from "./clock.js";
import { fit, renderSection } from "./display-shown.js";
import { connectLive } from "./live.js";

const $ = (id) => document.getElementById(id);
const NEXT_ITEMS = 2;
const NEXT_SPEAKERS = 3;
// The speakers' list on its own has the whole screen: more of who comes next fits.
const LISTED_SPEAKERS = 5;
// The largest type of each subject the chair can show, in hundredths of the screen's height (see display-shown.js).
const LARGEST = { section: 4.6, speakers: 7, message: 11 };
const WAITING = ["queued", "granted"];
const state = { agenda: [], queue: [], points: new Map(), closed: false, shown: { mode: "agenda", section: null }, asked: 0 };

const live = () => state.agenda.find((item) => item.status === "live");
const speaker = () => state.queue.find((request) => request.status === "speaking");
const paintItemClock = clockView($("item-clock"), () => itemClock(live()));
const paintSpeechClock = clockView($("speech-clock"), () => speechClock(speaker()));

const pointName = (id) => state.points.get(id)?.name;
const line = (...parts) => parts.filter(Boolean).join(" · ");

/** The list's entries as title and detail lines; a dash when there are none. */
function fillList(list, entries) {
  list.replaceChildren(...entries.map(([title, detail]) => el(
    "li",
    {},
    el("span", { class: "next-title", text: title }),
    el("span", { class: "current-meta", text: detail }),
  )));
  if (entries.length === 0) list.append(el("li", { class: "current-meta", text: "—" }));
}

function renderAgenda() {
  const current = live();
  $("current-item").textContent = current?.title ?? t("agenda.nothing_live");
  $("current-meta").textContent = current ? line(current.presenter, pointName(current.point_id)) : "";
  const after = current ? state.agenda.filter((item) => item.position > current.position) : state.agenda;
  const next = after.filter((item) => item.status === "pending").slice(0, NEXT_ITEMS);
  fillList($("next-items"), next.map((item) => [item.title, line(item.presenter, pointName(item.point_id))]));
  paintItemClock();
}

// One subject at a time: the close, what the chair put on the screen, a speech, or the agenda; the stylesheet lays
// out each.
function renderMode() {
  const chosen = state.shown.mode === "agenda" ? null : state.shown.mode;
  document.body.dataset.mode = state.closed ? "closed" : chosen ?? (speaker() ? "speech" : "agenda");
  for (const box of document.querySelectorAll(".display-shown")) box.hidden = box.id !== `display-${chosen}` || state.closed;
  if (chosen && !state.closed) fit($(`display-${chosen}`), LARGEST[chosen]);
}

function renderShown() {
  const { mode, section, text } = state.shown;
  if (mode === "section" && section) renderSection($("display-section"), section);
  if (mode === "message") $("message-text").textContent = text;
  renderMode();
}

// A section comes with its words from …/display; an answer that a newer change overtook is dropped.
async function applyShown(data) {
  const asked = ++state.asked;
  const shown = data.mode === "section" ? await api("GET", `${base}/display`) : { ...data, section: null };
  if (asked !== state.asked) return;
  state.shown = shown;
  renderShown();
}

function renderSpeakers() {
  const now = speaker();
  $("speakers-now-block").hidden = !now;
  $("speakers-now").textContent = now?.full_name ?? "";
  $("speakers-now-meta").textContent = now ? line(now.position_title, now.point) : "";
  const next = state.queue.filter((request) => WAITING.includes(request.status)).slice(0, LISTED_SPEAKERS);
  fillList($("speakers-next"), next.map((request) => [
    request.full_name,
    line(request.point_of_order ? t("speaking.point_of_order") : null, request.position_title, request.point),
  ]));
  if (next.length === 0 && !now) $("speakers-next").replaceChildren(el("li", { class: "current-meta", text: t("display.no_speakers") }));
}

function renderQueue() {
  const now = speaker();
  $("speaker").textContent = now?.full_name ?? "—";
  $("speaker-meta").textContent = now ? line(now.position_title, now.point) : "";
  const next = state.queue.filter((request) => WAITING.includes(request.status)).slice(0, NEXT_SPEAKERS);
  fillList($("next-speakers"), next.map((request) => [
    request.full_name,
    line(request.point_of_order ? t("speaking.point_of_order") : null, request.position_title, request.point),
  ]));
  paintSpeechClock();
  renderSpeakers();
  renderMode();
}

function applyItem(item) {
  state.agenda = state.agenda.map((known) => (known.id === item.id ? item : known));
  renderAgenda();
}

// Starting a speaker also finishes the one before, and the order may change: the event carries the whole queue.
function applyQueue(items) {
  state.queue = items;
  renderQueue();
}

function renderTotals(totals) {
  $("present").textContent = totals.invited_present;
  $("expected").textContent = totals.expected;
  const guests = totals.substitutes + totals.walk_ins;
  $("attendance-guests").textContent = guests ? t("display.guests", { substitutes: totals.substitutes, walk_ins: totals.walk_ins }) : "";
}

function renderConference(conference) {
  if (conference.status !== "closed") return;
  state.closed = true;
  paintItemClock.stop();
  paintSpeechClock.stop();
  $("display-closed").hidden = false;
  $("closed-at").textContent = t("display.closed_at", { time: formatTime(conference.closed_at) });
  renderMode();
}

async function load() {
  const asked = ++state.asked;
  const [conference, agenda, points, sheet, queue, shown] = await Promise.all([
    api("GET", base),
    api("GET", `${base}/agenda`),
    api("GET", `${base}/points`),
    api("GET", `${base}/attendance`),
    api("GET", `${base}/speaking-requests`),
    api("GET", `${base}/display`),
  ]);
  if (asked === state.asked) state.shown = shown;
  state.agenda = agenda.items;
  state.points = new Map(points.items.map((p) => [p.id, p]));
  renderAgenda();
  applyQueue(queue.items);
  renderTotals(sheet.totals);
  renderConference(conference);
  renderShown();
}

const HANDLERS = {
  "agenda.changed": (data) => { state.agenda = data.items; renderAgenda(); },
  "agenda.item_started": applyItem,
  "agenda.item_finished": applyItem,
  "speaking.queue_changed": (data) => applyQueue(data.items),
  "attendance.totals_changed": (data) => renderTotals(data.totals),
  "display.changed": applyShown,
  // The event says only the new status; the close time comes with the conference.
  "conference.state_changed": async (data) => { if (data.status === "closed") renderConference(await api("GET", base)); },
};

await load();
// A screen resized (a projector plugged in) refits what the chair put on it.
window.addEventListener("resize", () => renderMode());
connectLive(conferenceId, (event) => HANDLERS[event.type]?.(event.data), load);
