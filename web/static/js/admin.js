// The secretariat's set-up console for one workshop. Every section reloads itself from the API after a
// change (its own or another admin's, through the live events), so there is one way to draw each.
import { act, api, base, conferenceId, debounce, el, formValues, formatDateTime, fromLocalInput, notify, option, t, toLocalInput } from "./api.js";
import { setupImport } from "./admin-import.js";
import { openSheet } from "./admin-sheet.js";
import { connectLive } from "./live.js";

const $ = (id) => document.getElementById(id);
const state = { conference: null, points: [], invitations: [], people: [], agenda: [], draft: null };

function onSubmit(form, handler) {
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    act(form.querySelector('button[type="submit"]'), () => handler(formValues(form), form));
  });
}

/** An invitation link to copy, not to click: opening it here would sign this browser in as that role. */
function linkField(invitation, label) {
  const field = el("input", { class: "link-field", readonly: true, value: invitation.url, "aria-label": label, on: { focus: (e) => e.target.select() } });
  const revoke = el("button", { type: "button", class: "button-quiet", text: t("admin.revoke"), on: { click: (e) => {
    if (!window.confirm(t("admin.confirm_revoke"))) return;
    act(e.currentTarget, async () => { await api("DELETE", `${base}/invitations/${invitation.id}`); await reloadInvitations(); });
  } } });
  const copy = navigator.clipboard
    ? el("button", { type: "button", class: "button-quiet", text: t("admin.copy"), on: { click: async () => { await navigator.clipboard.writeText(invitation.url); notify(t("admin.copied")); } } })
    : null;
  return el("span", { class: "link-cell" }, field, copy, revoke);
}

const active = (role) => state.invitations.filter((i) => i.role === role && !i.revoked);
const pointName = (id) => state.points.find((p) => p.id === id)?.name ?? "";

// ---- details ------------------------------------------------------------------------------------------

async function reloadConference() {
  state.conference = await api("GET", base);
  const form = $("details-form");
  for (const name of ["title", "venue", "chair_name"]) form.elements[name].value = state.conference[name] ?? "";
  form.elements.starts_at.value = toLocalInput(state.conference.starts_at);
  $("conference-status").dataset.status = state.conference.status;
  $("conference-status").textContent = t(`status.${state.conference.status}`);
}

onSubmit($("details-form"), async (values) => {
  await api("PATCH", base, {
    title: values.title,
    starts_at: fromLocalInput(values.starts_at),
    venue: values.venue ?? null,
    chair_name: values.chair_name ?? null,
  });
  await reloadConference();
  notify(t("form.saved"));
});

// ---- points and operators -----------------------------------------------------------------------------

function renderPoints() {
  $("point-rows").replaceChildren(
    ...state.points.map((point) => {
      const invitation = active("operator").find((i) => i.point_id === point.id);
      return el(
        "tr",
        {},
        el("td", { text: point.code }),
        el("th", { scope: "row" }, point.name, point.is_host ? el("span", { class: "tag", text: t("point.host") }) : null, point.region ? el("span", { class: "meta", text: ` ${point.region}` }) : null),
        el("td", {}, el("span", { class: `link-badge link-${point.link}`, text: t(`link.${point.link}`) }), point.link_note ? el("span", { class: "meta", text: ` ${point.link_note}` }) : null),
        el("td", {}, invitation
          ? linkField(invitation, t("admin.operator_link_of", { point: point.name }))
          : el("button", { type: "button", text: t("admin.make_link"), on: { click: (e) => act(e.currentTarget, () => invite({ role: "operator", point_id: point.id })) } })),
      );
    }),
  );
  const pointOptions = () => state.points.map((p) => option(p.id, p.name));
  const rosterPoint = $("roster-point").value;
  $("roster-point").replaceChildren(...pointOptions());
  if (rosterPoint) $("roster-point").value = rosterPoint;
  const itemPoint = $("item-point").value;
  $("item-point").replaceChildren(option("", t("agenda.no_point")), ...pointOptions());
  $("item-point").value = itemPoint;
}

async function reloadPoints() {
  state.points = (await api("GET", `${base}/points`)).items;
  renderPoints();
  renderRoster();
}

async function invite(body) {
  await api("POST", `${base}/invitations`, body, { idempotent: true });
  await reloadInvitations();
  notify(t("admin.link_made"));
}

onSubmit($("point-form"), async (values, form) => {
  await api("POST", `${base}/points`, { code: values.code, name: values.name, region: values.region ?? null, is_host: Boolean(values.is_host) }, { idempotent: true });
  form.reset();
  await reloadPoints();
});

// ---- roster -------------------------------------------------------------------------------------------

function renderRoster() {
  const pointId = Number($("roster-point").value);
  const people = state.people.filter((p) => p.point_id === pointId);
  $("roster-rows").replaceChildren(
    ...people.map((p) => el(
      "tr",
      {},
      el("th", { scope: "row", text: p.full_name }),
      el("td", { text: p.position ?? "" }),
      el("td", { text: p.organization ?? "" }),
      el("td", { text: p.role_in_meeting ?? (p.on_roster ? "" : t("attendance.walk_in")) }),
      el("td", { text: p.present ? t("attendance.present") : "—" }),
    )),
  );
  renderDelegatePicker();
}

async function reloadPeople() {
  state.people = (await api("GET", `${base}/participants?limit=1000`)).items;
  renderRoster();
  renderInvitations();
}

$("roster-point").addEventListener("change", renderRoster);

onSubmit($("person-form"), async (values, form) => {
  await api("POST", `${base}/participants`, { ...values, point_id: Number($("roster-point").value) }, { idempotent: true });
  form.reset();
  await reloadPeople();
  notify(t("admin.person_added", { name: values.full_name }));
});

setupImport(reloadPeople);

// ---- agenda -------------------------------------------------------------------------------------------

async function reloadAgenda() {
  state.agenda = (await api("GET", `${base}/agenda`)).items;
  $("agenda").replaceChildren(
    ...state.agenda.map((item) => el(
      "li",
      { class: `agenda-item status-${item.status}` },
      el("div", { class: "agenda-main" },
        el("span", { class: "tag", text: t(`kind.${item.kind}`) }),
        el("span", { class: "agenda-title", text: item.title }),
        el("span", { class: "meta", text: [item.presenter, pointName(item.point_id), t("agenda.minutes", { n: item.planned_minutes })].filter(Boolean).join(" · ") }),
      ),
      el("span", { class: "agenda-status", text: t(`item_status.${item.status}`) }),
    )),
  );
}

onSubmit($("item-form"), async (values, form) => {
  await api("POST", `${base}/agenda`, {
    title: values.title,
    kind: values.kind,
    presenter: values.presenter ?? null,
    point_id: values.point_id ? Number(values.point_id) : null,
    planned_minutes: Number(values.planned_minutes),
  }, { idempotent: true });
  form.reset();
  await reloadAgenda();
});

// ---- draft --------------------------------------------------------------------------------------------

const COUNTED = ["chapter", "section", "article", "clause", "point"];

function renderDraft(draft) {
  if (!draft) {
    $("draft-current").replaceChildren(el("p", { class: "empty", text: t("draft.none") }));
    return;
  }
  const counts = COUNTED.map((kind) => t(`draft.count_${kind}`, { n: draft.counts[kind] ?? 0 })).join(" · ");
  $("draft-current").replaceChildren(
    el("p", {}, el("strong", { text: draft.title }), el("span", { class: "meta", text: ` · ${t("draft.revision", { n: draft.revision })} · ${formatDateTime(draft.created_at)}` })),
    el("p", { text: counts }),
    draft.unmatched.length
      ? el("details", { class: "unmatched", open: true },
        el("summary", { text: t("draft.unmatched", { n: draft.unmatched.length }) }),
        el("ul", {}, draft.unmatched.map((line) => el("li", { class: "prose", text: line }))))
      : el("p", { class: "meta", text: t("draft.all_matched") }),
  );
}

async function reloadDraft() {
  renderDraft((await api("GET", `${base}/drafts`)).items[0]);
}

onSubmit($("draft-form"), async (values, form) => {
  const file = form.elements.file.files[0];
  let body;
  if (file) {
    body = new FormData();
    body.append("file", file);
    if (values.title) body.append("title", values.title);
  } else if (values.content) {
    body = { format: values.format, content: form.elements.content.value, title: values.title ?? null };
  } else {
    notify(t("draft.need_content"), "error");
    return;
  }
  const draft = await api("POST", `${base}/drafts`, body, { idempotent: true });
  renderDraft(draft);
  form.reset();
  notify(t("draft.published"));
});

// ---- invitations --------------------------------------------------------------------------------------

function renderDelegatePicker() {
  const select = $("delegate-pick");
  const chosen = select.value;
  const groups = state.points.map((point) => el(
    "optgroup",
    { label: point.name },
    state.people.filter((p) => p.point_id === point.id && p.on_roster).map((p) => option(p.id, [p.full_name, p.position].filter(Boolean).join(" – "), String(p.id) === chosen)),
  ));
  select.replaceChildren(option("", t("admin.pick_delegate_prompt")), ...groups);
}

function renderInvitations() {
  const person = (id) => state.people.find((p) => p.id === id);
  $("delegate-links").replaceChildren(
    ...active("delegate").map((invitation) => {
      const who = person(invitation.participant_id);
      const label = who ? `${who.full_name} – ${pointName(who.point_id)}` : `#${invitation.participant_id}`;
      return el("li", {}, el("span", { class: "link-owner", text: label }), linkField(invitation, label));
    }),
  );
  $("display-links").replaceChildren(
    ...active("display").map((invitation) => el("li", {}, el("span", { class: "link-owner", text: t("role.display") }), linkField(invitation, t("role.display")))),
  );
  renderPoints();
}

async function reloadInvitations() {
  state.invitations = (await api("GET", `${base}/invitations`)).items;
  renderInvitations();
}

onSubmit($("delegate-form"), async (values) => {
  await invite({ role: "delegate", participant_id: Number(values.participant_id) });
});

$("display-create").addEventListener("click", (event) => act(event.currentTarget, () => invite({ role: "display" })));

$("sheet-open").addEventListener("click", () => openSheet(state));

// ---- load and live ------------------------------------------------------------------------------------

async function load() {
  await Promise.all([reloadConference(), reloadPoints(), reloadInvitations(), reloadDraft()]);
  await Promise.all([reloadPeople(), reloadAgenda()]);
}

const RELOADS = {
  conference: debounce(reloadConference, 300),
  points: debounce(reloadPoints, 300),
  invitations: debounce(reloadInvitations, 300),
  people: debounce(reloadPeople, 1000),
  agenda: debounce(reloadAgenda, 300),
  draft: debounce(reloadDraft, 300),
};

const SECTION_OF = {
  conference: "conference",
  point: "points",
  invitation: "invitations",
  participant: "people",
  participants: "people",
  attendance: "people",
  agenda: "agenda",
  draft: "draft",
};

await load();
connectLive(conferenceId, (event) => RELOADS[SECTION_OF[event.type.split(".")[0]]]?.(), load);
