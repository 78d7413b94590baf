// The big screen: what is on now and how much of its time is left, who has the floor and for how much longer,
// what comes next and who speaks next, how many are here. It only follows the events; nothing here is a control.
// While someone speaks, the speaker and the speech's countdown fill the screen; once the workshop closes, a
// closing screen replaces everything and every clock stops.
import { api, base, conferenceId, el, formatTime, t } from "./api.js";
import { clockView, itemClock, speechClock } from "./clock.js";
import { connectLive } from "./live.js";

const $ = (id) => document.getElementById(id);
const NEXT_ITEMS = 2;
const NEXT_SPEAKERS = 3;
const WAITING = ["queued", "granted"];
const state = { agenda: [], queue: [], points: new Map(), closed: false };

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

// One subject at a time: the agenda, a speech, or the close; the stylesheet lays out each.
function renderMode() {
  document.body.dataset.mode = state.closed ? "closed" : speaker() ? "speech" : "agenda";
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
  const [conference, agenda, points, sheet, queue] = await Promise.all([
    api("GET", base),
    api("GET", `${base}/agenda`),
    api("GET", `${base}/points`),
    api("GET", `${base}/attendance`),
    api("GET", `${base}/speaking-requests`),
  ]);
  state.agenda = agenda.items;
  state.points = new Map(points.items.map((p) => [p.id, p]));
  renderAgenda();
  applyQueue(queue.items);
  renderTotals(sheet.totals);
  renderConference(conference);
}

const HANDLERS = {
  "agenda.changed": (data) => { state.agenda = data.items; renderAgenda(); },
  "agenda.item_started": applyItem,
  "agenda.item_finished": applyItem,
  "speaking.queue_changed": (data) => applyQueue(data.items),
  "attendance.totals_changed": (data) => renderTotals(data.totals),
  // The event says only the new status; the close time comes with the conference.
  "conference.state_changed": async (data) => { if (data.status === "closed") renderConference(await api("GET", base)); },
};

await load();
connectLive(conferenceId, (event) => HANDLERS[event.type]?.(event.data), load);
