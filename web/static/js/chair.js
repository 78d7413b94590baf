// The chair's console: run the agenda, give the floor, watch attendance, rule on comments, close out.
import { act, api, base, conferenceId, el, elapsedSince, formatClock, formatTime, notify, t } from "./api.js";
import { createAttendance } from "./chair-attendance.js";
import { createFeed } from "./chair-feed.js";
import { createPointsGrid } from "./chair-points.js";
import { createSheet } from "./chair-sheet.js";
import { connectLive } from "./live.js";

const state = { status: null, items: [], requests: [] };
const $ = (id) => document.getElementById(id);

const feed = createFeed($("feed"), $("feed-empty"), (id) => state.items.find((item) => item.id === id)?.title);
const grid = createPointsGrid($("point-groups"), {
  summaries: [$("points-summary"), $("points-glance")],
  empty: $("points-empty"),
  region: $("points-region"),
  search: $("points-search"),
  modes: document.querySelectorAll('input[name="points-filter"]'),
});
const sheet = createSheet($("attendance-table"));
const attendance = createAttendance([grid, sheet], sheet.totals);

// ---- conference state ---------------------------------------------------------------------------------

const STATE_BUTTONS = {
  draft: ["conference-open", "conference-close"],
  open: ["conference-close-collection", "conference-close"],
  collection_closed: ["conference-open", "conference-close"],
  closed: [],
};

function renderStatus() {
  const badge = $("conference-status");
  badge.dataset.status = state.status;
  badge.textContent = t(`status.${state.status}`);
  for (const button of document.querySelectorAll(".state-bar [data-action]")) {
    button.hidden = !STATE_BUTTONS[state.status].includes(button.id);
  }
}

for (const button of document.querySelectorAll(".state-bar [data-action]")) {
  button.addEventListener("click", () => {
    if (button.dataset.confirm && !window.confirm(button.dataset.confirm)) return;
    act(button, async () => {
      const conference = await api("POST", `${base}/${button.dataset.action}`);
      state.status = conference.status;
      renderStatus();
      notify(t(`chair.done_${button.dataset.action}`));
    });
  });
}

// ---- agenda -------------------------------------------------------------------------------------------

const live = () => state.items.find((item) => item.status === "live") ?? null;
const pointName = (id) => attendance.rows.get(id)?.name;

function agendaControls(item) {
  if (item.status === "live") {
    return el("button", { type: "button", text: t("agenda.finish"), on: { click: (e) => control(e.currentTarget, item, "finish") } });
  }
  return el("button", { type: "button", class: "button-quiet", text: t(item.status === "pending" ? "agenda.start" : "agenda.restart"), on: { click: (e) => control(e.currentTarget, item, "start") } });
}

function renderAgenda() {
  $("agenda").replaceChildren(
    ...state.items.map((item) =>
      el(
        "li",
        { class: `agenda-item status-${item.status}`, "aria-current": item.status === "live" ? "step" : null },
        el("div", { class: "agenda-main" },
          el("span", { class: "tag", text: t(`kind.${item.kind}`) }),
          el("span", { class: "agenda-title", text: item.title }),
          el("span", { class: "meta", text: [item.presenter, pointName(item.point_id), t("agenda.minutes", { n: item.planned_minutes }), item.started_at ? t("agenda.started_at", { time: formatTime(item.started_at) }) : null].filter(Boolean).join(" · ") }),
        ),
        el("span", { class: "agenda-status", text: t(`item_status.${item.status}`) }),
        agendaControls(item),
      ),
    ),
  );
  const current = live();
  $("live-item").hidden = !current;
  if (current) {
    $("live-item-title").textContent = current.title;
    $("live-item-planned").textContent = formatClock(current.planned_minutes * 60000);
  }
  tick();
}

function tick() {
  const current = live();
  if (!current?.started_at) return;
  const elapsed = elapsedSince(current.started_at);
  $("live-item-elapsed").textContent = formatClock(elapsed);
  $("live-item").classList.toggle("overtime", current.planned_minutes > 0 && elapsed > current.planned_minutes * 60000);
}
setInterval(tick, 1000);

function upsertItem(item) {
  const index = state.items.findIndex((known) => known.id === item.id);
  if (index >= 0) state.items[index] = item;
  else state.items.push(item);
  state.items.sort((a, b) => a.position - b.position || a.id - b.id);
  renderAgenda();
}

async function reloadAgenda() {
  state.items = (await api("GET", `${base}/agenda`)).items;
  renderAgenda();
}

function control(button, item, action) {
  act(button, async () => upsertItem(await api("POST", `${base}/agenda/${item.id}/${action}`)));
}

$("agenda-next").addEventListener("click", (event) => {
  act(event.currentTarget, async () => {
    try {
      const { current } = await api("POST", `${base}/agenda/next`, { expected_current_id: live()?.id ?? null });
      await reloadAgenda();
      notify(current ? t("chair.now_item", { title: current.title }) : t("chair.agenda_done"));
    } catch (error) {
      if (error.code !== "revision_conflict") throw error;
      await reloadAgenda();
      notify(t("chair.agenda_conflict"), "error");
    }
  });
});

// ---- speaking queue -----------------------------------------------------------------------------------

const WAITING = ["queued", "granted"];

function requestMoves(request, index, waiting) {
  const patch = (button, body) => act(button, async () => {
    await api("PATCH", `${base}/speaking-requests/${request.id}`, body);
    await reloadQueue();
  });
  const button = (label, body, extra = {}) => el("button", { type: "button", class: "button-quiet", text: t(label), ...extra, on: { click: (e) => patch(e.currentTarget, body) } });
  if (request.status === "speaking") return [button("speaking.finish", { status: "done" }, { class: "button-primary" })];
  return [
    request.status === "queued" ? button("speaking.grant", { status: "granted" }) : null,
    button("speaking.start", { status: "speaking" }, { class: "button-primary" }),
    button("speaking.decline", { status: "declined" }),
    button("speaking.up", { position: index }, { "aria-label": t("speaking.up_label"), disabled: index === 0 }),
    button("speaking.down", { position: index + 2 }, { "aria-label": t("speaking.down_label"), disabled: index === waiting.length - 1 }),
  ];
}

function requestRow(request, controls) {
  return el(
    "li",
    { class: `queue-item status-${request.status}` },
    el("div", { class: "queue-main" },
      el("strong", { text: request.full_name }),
      el("span", { class: "meta", text: [request.position_title, request.point, formatTime(request.requested_at)].filter(Boolean).join(" · ") }),
      request.topic ? el("span", { class: "topic", text: request.topic }) : null,
    ),
    el("span", { class: `tag speaking-${request.status}`, text: request.point_of_order ? `${t("speaking.point_of_order")} · ${t(`speaking_status.${request.status}`)}` : t(`speaking_status.${request.status}`) }),
    controls.length ? el("div", { class: "actions" }, controls) : null,
  );
}

function renderQueue() {
  const speaking = state.requests.filter((r) => r.status === "speaking");
  const waiting = state.requests.filter((r) => WAITING.includes(r.status));
  const history = state.requests.filter((r) => !WAITING.includes(r.status) && r.status !== "speaking").reverse();
  $("speaking-queue").replaceChildren(
    ...speaking.map((r) => requestRow(r, requestMoves(r, 0, []))),
    ...waiting.map((r, index) => requestRow(r, requestMoves(r, index, waiting))),
  );
  $("speaking-empty").hidden = speaking.length + waiting.length > 0;
  $("speaking-history").replaceChildren(...history.map((r) => requestRow(r, [])));
}

// A change moves other requests too (renumbering, the previous speaker finished): the event carries the whole queue.
function applyQueue(items) {
  state.requests = items;
  renderQueue();
}

async function reloadQueue() {
  applyQueue((await api("GET", `${base}/speaking-requests`)).items);
}

// ---- load and live ------------------------------------------------------------------------------------

async function load() {
  const [conference, remarks, comments] = await Promise.all([
    api("GET", base),
    api("GET", `${base}/remarks`),
    api("GET", `${base}/comments`),
    attendance.load(),
    reloadQueue(),
  ]);
  await reloadAgenda();
  state.status = conference.status;
  renderStatus();
  feed.reset(remarks.items, comments.items);
}

const HANDLERS = {
  "conference.state_changed": (data) => { state.status = data.status; renderStatus(); },
  "agenda.changed": (data) => { state.items = data.items; renderAgenda(); },
  "agenda.item_started": upsertItem,
  "agenda.item_finished": upsertItem,
  "speaking.queue_changed": (data) => applyQueue(data.items),
  ...attendance.handlers,
  "remark.submitted": (remark) => feed.upsertRemark(remark),
  "comment.submitted": (comment) => feed.upsertComment(comment),
  "comment.disposed": (comment) => feed.upsertComment(comment),
};

for (const radio of document.querySelectorAll('input[name="feed-filter"]')) {
  radio.addEventListener("change", () => { $("feed").dataset.filter = radio.value; });
}

await load();
connectLive(conferenceId, (event) => HANDLERS[event.type]?.(event.data), load);
