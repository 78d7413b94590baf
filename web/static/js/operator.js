// A bridge point's operator console: roster and check-in, walk-ins and substitutes, link status, speaking.
import { act, api, base, conferenceId, debounce, el, errorText, formValues, formatTime, notify, option, page, t } from "./api.js";
import { connectLive } from "./live.js";

const pointId = Number(page.pointId);
const $ = (id) => document.getElementById(id);
// people: everyone of this point by id; order: the full roster's order; shown: the search's result, or null.
// agenda and liveItem: for the "now" line and to tie a speaking request to the item it was made during.
const state = { people: new Map(), order: [], shown: null, query: "", agenda: [], liveItem: null };

// ---- roster -------------------------------------------------------------------------------------------

/** Who attends in place of each roster member, by the member's id. */
function substitutes() {
  return new Map([...state.people.values()].filter((p) => p.present && p.substitute_for).map((p) => [p.substitute_for, p]));
}

function badges(person, standIns) {
  const substituted = person.substitute_for ? state.people.get(person.substitute_for) : null;
  const standIn = standIns.get(person.id);
  return [
    person.present
      ? el("span", { class: "badge present", text: t("attendance.is_present", { time: formatTime(person.checked_in_at) }) })
      : el("span", { class: "badge absent", text: t("attendance.absent") }),
    substituted ? el("span", { class: "badge", text: t("attendance.substitute_for", { name: substituted.full_name }) }) : null,
    standIn ? el("span", { class: "badge", text: t("attendance.substituted_by", { name: standIn.full_name }) }) : null,
    !person.on_roster && !person.substitute_for ? el("span", { class: "badge", text: t("attendance.walk_in") }) : null,
  ];
}

function checkButton(person) {
  if (person.present) {
    return el("button", { type: "button", class: "button-quiet", dataset: { action: "check-out" }, text: t("attendance.check_out"),
      on: { click: (e) => act(e.currentTarget, async () => upsert(await api("DELETE", `${base}/checkins/${person.id}`))) } });
  }
  return el("button", { type: "button", class: "button-primary", dataset: { action: "check-in" }, text: t("attendance.check_in"),
    on: { click: (e) => act(e.currentTarget, () => checkIn({ participant_id: person.id })) } });
}

function renderRoster() {
  const ids = state.shown ?? state.order;
  const standIns = substitutes();
  $("roster").replaceChildren(
    ...ids.map((id) => state.people.get(id)).filter(Boolean).map((person) =>
      el(
        "li",
        { class: `roster-row${person.present ? " is-present" : ""}`, dataset: { id: person.id } },
        el("div", { class: "person" },
          el("strong", { text: person.full_name }),
          el("span", { class: "meta", text: [person.position, person.organization].filter(Boolean).join(" · ") }),
          el("span", { class: "badges" }, badges(person, standIns)),
        ),
        checkButton(person),
      ),
    ),
  );
  $("roster-empty").hidden = ids.length > 0;
  renderPickers();
}

function renderPickers() {
  const everyone = state.order.map((id) => state.people.get(id));
  const standIns = substitutes();
  const absentMembers = everyone.filter((p) => p.on_roster && !p.present && !standIns.has(p.id));
  const present = everyone.filter((p) => p.present);
  fill($("substitute-form").elements.substitute_for, absentMembers, t("operator.pick_absent"));
  fill($("speak-form").elements.participant_id, present, t("operator.pick_present"));
}

function fill(select, people, prompt) {
  const chosen = select.value;
  select.replaceChildren(option("", prompt), ...people.map((p) => option(p.id, [p.full_name, p.position].filter(Boolean).join(" – "), String(p.id) === chosen)));
}

function upsert(person) {
  const known = state.people.has(person.id);
  state.people.set(person.id, { ...state.people.get(person.id), ...person });
  if (!known) state.order.push(person.id);
  renderRoster();
}

async function checkIn(body) {
  try {
    upsert(await api("POST", `${base}/checkins`, body, { idempotent: true }));
  } catch (error) {
    // Someone else (another operator's tab) checked them in first: the roster is what is out of date.
    if (error.code !== "already_checked_in") throw error;
    await reloadRoster();
  }
}

async function reloadRoster() {
  const roster = await api("GET", `${base}/participants?point_id=${pointId}&limit=1000`);
  state.people = new Map(roster.items.map((p) => [p.id, p]));
  state.order = roster.items.map((p) => p.id);
  await search();
}

// Only the newest search may draw: an older, slower answer must not overwrite it.
let searchNumber = 0;

async function search() {
  const number = ++searchNumber;
  const query = state.query;
  const found = query ? await api("GET", `${base}/participants?point_id=${pointId}&limit=1000&q=${encodeURIComponent(query)}`) : null;
  if (number !== searchNumber) return;
  found?.items.forEach((p) => state.people.set(p.id, p));
  state.shown = found ? found.items.map((p) => p.id) : null;
  renderRoster();
}

$("roster-search").addEventListener("input", debounce((event) => {
  state.query = event.target.value.trim();
  search().catch((error) => notify(errorText(error), "error"));
}, 200));

// ---- forms --------------------------------------------------------------------------------------------

function onSubmit(form, handler) {
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    act(event.submitter ?? form.querySelector("button"), () => handler(formValues(form), event.submitter));
  });
}

onSubmit($("walk-in-form"), async (values) => {
  await checkIn(values);
  $("walk-in-form").reset();
  notify(t("operator.checked_in", { name: values.full_name }));
});

onSubmit($("substitute-form"), async (values) => {
  await checkIn({ ...values, substitute_for: Number(values.substitute_for) });
  $("substitute-form").reset();
  notify(t("operator.checked_in", { name: values.full_name }));
});

onSubmit($("link-form"), async (values, button) => {
  renderLink(await api("POST", `${base}/points/${pointId}/status`, { link: button.value, note: values.note ?? null }));
  notify(t("operator.link_sent"));
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
  $("point-name").textContent = point.name;
  const badge = $("link-now");
  badge.className = `link-badge link-${point.link}`;
  badge.textContent = point.link_note ? `${t(`link.${point.link}`)} – ${point.link_note}` : t(`link.${point.link}`);
}

function renderCounts(row) {
  $("point-present").textContent = row.present;
  $("point-expected").textContent = row.expected;
}

function renderAgenda(items) {
  state.liveItem = items.find((item) => item.status === "live") ?? null;
  $("current-item").textContent = state.liveItem?.title ?? t("agenda.nothing_live");
}

async function reloadRequests() {
  renderRequests((await api("GET", `${base}/speaking-requests`)).items);
}

function renderRequests(items) {
  const ours = items.filter((r) => r.point_id === pointId);
  $("point-requests-empty").hidden = ours.length > 0;
  $("point-requests").replaceChildren(
    ...ours.reverse().map((r) => el("li", {}, el("strong", { text: r.full_name }), ` · ${t(`speaking_status.${r.status}`)}`, r.topic ? el("span", { class: "meta", text: ` · ${r.topic}` }) : null)),
  );
}

async function load() {
  const [points, sheet, agenda] = await Promise.all([
    api("GET", `${base}/points`),
    api("GET", `${base}/attendance`),
    api("GET", `${base}/agenda`),
    reloadRoster(),
    reloadRequests(),
  ]);
  renderLink(points.items.find((p) => p.id === pointId));
  renderCounts(sheet.points.find((row) => row.point_id === pointId));
  state.agenda = agenda.items;
  renderAgenda(state.agenda);
}

function applyItem(item) {
  state.agenda = state.agenda.map((known) => (known.id === item.id ? item : known));
  renderAgenda(state.agenda);
}

const HANDLERS = {
  "attendance.checked_in": (person) => upsert(person),
  "attendance.checked_out": (person) => upsert(person),
  "attendance.totals_changed": (data) => { if (data.point_id === pointId) renderCounts(data.point); },
  "point.status_changed": (point) => { if (point.id === pointId) renderLink(point); },
  "agenda.changed": (data) => { state.agenda = data.items; renderAgenda(state.agenda); },
  "agenda.item_started": applyItem,
  "agenda.item_finished": applyItem,
  "speaking.queue_changed": (data) => renderRequests(data.items),
};

await load();
connectLive(conferenceId, (event) => HANDLERS[event.type]?.(event.data), load);
