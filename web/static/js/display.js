// The big screen: what is on now, for how long, who has the floor, what comes next, how many are here.
import { api, base, conferenceId, el, elapsedSince, formatClock, t } from "./api.js";
import { connectLive } from "./live.js";

const $ = (id) => document.getElementById(id);
const state = { agenda: [], points: new Map() };

function pointName(id) {
  return state.points.get(id)?.name;
}

function renderAgenda() {
  const live = state.agenda.find((item) => item.status === "live");
  $("current-item").textContent = live?.title ?? t("agenda.nothing_live");
  $("current-meta").textContent = live ? [live.presenter, pointName(live.point_id)].filter(Boolean).join(" · ") : "";
  $("planned").textContent = live ? formatClock(live.planned_minutes * 60000) : "0:00";
  const after = live ? state.agenda.filter((item) => item.position > live.position) : state.agenda;
  const next = after.filter((item) => item.status === "pending").slice(0, 2);
  $("next-items").replaceChildren(
    ...next.map((item) => el("li", {}, el("span", { class: "next-title", text: item.title }), el("span", { class: "current-meta", text: [item.presenter, pointName(item.point_id)].filter(Boolean).join(" · ") }))),
  );
  if (next.length === 0) $("next-items").append(el("li", { class: "current-meta", text: "—" }));
  tick();
}

function tick() {
  const live = state.agenda.find((item) => item.status === "live");
  const elapsed = live?.started_at ? elapsedSince(live.started_at) : 0;
  $("elapsed").textContent = formatClock(elapsed);
  document.body.classList.toggle("overtime", Boolean(live && live.planned_minutes > 0 && elapsed > live.planned_minutes * 60000));
}
setInterval(tick, 1000);

function applyItem(item) {
  state.agenda = state.agenda.map((known) => (known.id === item.id ? item : known));
  renderAgenda();
}

function renderSpeaker(items) {
  const speaker = items.find((r) => r.status === "speaking");
  $("speaker").textContent = speaker?.full_name ?? "—";
  $("speaker-meta").textContent = speaker ? [speaker.position_title, speaker.point].filter(Boolean).join(" · ") : "";
}

function renderTotals(totals) {
  $("present").textContent = totals.present;
  $("expected").textContent = totals.expected;
}

async function load() {
  const [agenda, points, sheet] = await Promise.all([
    api("GET", `${base}/agenda`),
    api("GET", `${base}/points`),
    api("GET", `${base}/attendance`),
    api("GET", `${base}/speaking-requests`).then((queue) => renderSpeaker(queue.items)),
  ]);
  state.agenda = agenda.items;
  state.points = new Map(points.items.map((p) => [p.id, p]));
  renderAgenda();
  renderTotals(sheet.totals);
}

const HANDLERS = {
  "agenda.changed": (data) => { state.agenda = data.items; renderAgenda(); },
  "agenda.item_started": applyItem,
  "agenda.item_finished": applyItem,
  // The event names one request, but starting a speaker also finishes the one before: ask for the queue.
  "speaking.queue_changed": (data) => renderSpeaker(data.items),
  "attendance.totals_changed": (data) => renderTotals(data.totals),
};

await load();
connectLive(conferenceId, (event) => HANDLERS[event.type]?.(event.data), load);
