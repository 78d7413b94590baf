// The secretariat's set-up console for one workshop. Every section reloads itself from the API after a
// change (its own or another admin's, through the live events), so there is one way to draw each; the agenda
// is drawn from its events instead, which carry it whole (admin-agenda.js).
import { act, api, base, conferenceId, debounce, el, formatDateTime, formValues, fromLocalInput, notify, option, t, toLocalInput } from "./api.js";
import { createAgendaEditor } from "./admin-agenda.js";
import { createAudit } from "./admin-audit.js";
import { setupAgendaImport } from "./admin-agenda-import.js";
import { reloadDraft, setupDraft } from "./admin-draft.js";
import { createChangeProposal } from "./change-proposal.js";
import { setupImport } from "./admin-import.js";
import { openSheet, staleNote } from "./admin-sheet.js";
import { confirmDialog } from "./dialog.js";
import { labelInputs } from "./inputs.js";
import { renderSteps } from "./admin-steps.js";
import { connectLive } from "./live.js";

const $ = (id) => document.getElementById(id);
const state = { conference: null, points: [], invitations: [], people: [], draft: null };

function onSubmit(form, handler) {
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    act(form.querySelector('button[type="submit"]'), () => handler(formValues(form), form));
  });
}

/** An invitation link to copy, not to click: opening it here would sign this browser in as that role. */
function urlField(invitation, label) {
  return el("input", { class: "link-field", readonly: true, value: invitation.url, "aria-label": label, on: { focus: (e) => e.target.select() } });
}

function copyButton(invitation) {
  return navigator.clipboard
    ? el("button", { type: "button", class: "button-quiet", text: t("admin.copy"), on: { click: async () => { await navigator.clipboard.writeText(invitation.url); notify(t("admin.copied")); } } })
    : null;
}

function revokeButton(invitation) {
  return el("button", { type: "button", class: "button-quiet", text: t("admin.revoke"), on: { click: async (e) => {
    const button = e.currentTarget;
    if (!(await confirmDialog(t("admin.confirm_revoke"), { confirm: t("admin.revoke"), danger: true }))) return;
    act(button, async () => {
      await api("DELETE", `${base}/invitations/${invitation.id}`);
      await reloadInvitations();
      notify(t("admin.revoked"));
    });
  } } });
}

// The server revokes the old link (and closes what it has open) and answers with the new one, same scope.
function reissueButton(invitation) {
  return el("button", { type: "button", class: "button-quiet", text: t("admin.reissue"), dataset: { reissue: invitation.id }, on: { click: async (e) => {
    const button = e.currentTarget;
    if (!(await confirmDialog(t("admin.confirm_reissue"), { confirm: t("admin.reissue") }))) return;
    act(button, async () => {
      const fresh = await api("POST", `${base}/invitations/${invitation.id}/reissue`, {}, { idempotent: true });
      await reloadInvitations();
      showNewLink(fresh);
      notify(t("admin.reissued"));
    });
  } } });
}

function linkField(invitation, label) {
  const stale = invitation.url_works === false;
  return el(
    "span",
    { class: "link-cell" },
    stale ? staleNote(invitation) : urlField(invitation, label),
    stale ? null : copyButton(invitation),
    revokeButton(invitation),
    reissueButton(invitation),
  );
}

const active = (role) => state.invitations.filter((i) => i.role === role && i.state === "active");
const pointName = (id) => state.points.find((p) => p.id === id)?.name ?? "";
const agenda = createAgendaEditor({ points: () => state.points, pointName, changed: () => showSteps() });
const audit = createAudit();
// The admin may file the drafting committee's own proposals too; the chair rules them from the inbox.
const changeProposal = createChangeProposal($("change-proposal"));
setupAgendaImport();

/** A table body or list with nothing in it says so, and what to do: a bare header reads as broken. */
function fill(container, rows, emptyText, columns = 1) {
  if (rows.length) {
    container.replaceChildren(...rows);
  } else if (container.tagName === "TBODY") {
    container.replaceChildren(el("tr", { class: "empty-row" }, el("td", { colspan: columns, class: "empty", text: emptyText })));
  } else {
    container.replaceChildren(el("li", { class: "empty", text: emptyText }));
  }
}

function showSteps() {
  renderSteps({
    conference: state.conference,
    points: state.points,
    people: state.people,
    agendaItems: agenda.count(),
    draft: state.draft,
    operatorLinks: new Set(active("operator").map((i) => i.point_id)),
  });
}

// ---- details ------------------------------------------------------------------------------------------

// The record's letterhead: style and these texts, each null when left empty (the record then takes its default).
const HEADER_FIELDS = ["parent_body", "issuing_body", "number", "national_title", "motto", "place", "secretary_name"];

async function reloadConference() {
  state.conference = await api("GET", base);
  const form = $("details-form");
  for (const name of ["title", "venue", "chair_name"]) form.elements[name].value = state.conference[name] ?? "";
  form.elements.starts_at.value = toLocalInput(state.conference.starts_at);
  const header = state.conference.record_header ?? {};
  form.elements.header_style.value = header.style ?? "state";
  for (const name of HEADER_FIELDS) form.elements[`header_${name}`].value = header[name] ?? "";
  $("conference-status").dataset.status = state.conference.status;
  $("conference-status").textContent = t(`status.${state.conference.status}`);
  showSteps();
}

onSubmit($("details-form"), async (values) => {
  await api("PATCH", base, {
    title: values.title,
    starts_at: fromLocalInput(values.starts_at),
    venue: values.venue ?? null,
    chair_name: values.chair_name ?? null,
    record_header: {
      style: values.header_style,
      ...Object.fromEntries(HEADER_FIELDS.map((name) => [name, values[`header_${name}`] ?? null])),
    },
  });
  await reloadConference();
  notify(t("form.saved"));
});

// ---- points and operators -----------------------------------------------------------------------------

function badgeLink(point) {
  // The badge sheet is the point's roster: a point with nobody on it has none to print yet.
  const roster = state.people.filter((p) => p.point_id === point.id && p.on_roster).length;
  if (!roster) return el("span", { class: "meta", text: t("admin.badges_none") });
  return el("a", { href: `/admin/${conferenceId}/points/${encodeURIComponent(point.code)}/badges`, target: "_blank", rel: "noopener", text: t("admin.badges_open", { n: roster }) });
}

function renderPoints() {
  fill(
    $("point-rows"),
    state.points.map((point) => {
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
        el("td", {}, badgeLink(point)),
      );
    }),
    t("admin.no_points"),
    5,
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
  agenda.render();
  showSteps();
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
  fill(
    $("roster-rows"),
    people.map((p) => el(
      "tr",
      {},
      el("th", { scope: "row", text: p.full_name }),
      el("td", { text: p.position ?? "" }),
      el("td", { text: p.organization ?? "" }),
      el("td", { text: p.role_in_meeting ?? (p.on_roster ? "" : t("attendance.walk_in")) }),
      el("td", { text: p.present ? t("attendance.present") : "—" }),
    )),
    state.points.length ? t("admin.no_people") : t("admin.no_people_no_points"),
    5,
  );
  renderDelegatePicker();
}

async function reloadPeople() {
  state.people = (await api("GET", `${base}/participants?limit=1000`)).items;
  renderRoster();
  renderInvitations();
  agenda.presenters(state.people);
  showSteps();
}

$("roster-point").addEventListener("change", renderRoster);

onSubmit($("person-form"), async (values, form) => {
  await api("POST", `${base}/participants`, { ...values, point_id: Number($("roster-point").value) }, { idempotent: true });
  form.reset();
  await reloadPeople();
  notify(t("admin.person_added", { name: values.full_name }));
});

setupImport(reloadPeople);

// ---- draft --------------------------------------------------------------------------------------------

setupDraft();

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

/** Once above the links, rather than in every row: how many the server can no longer show since its key changed. */
function renderKeyChanged() {
  const stale = state.invitations.filter((i) => i.state === "active" && i.url_works === false);
  const since = stale.find((i) => i.key_changed_at)?.key_changed_at;
  const banner = $("key-changed");
  banner.hidden = stale.length === 0;
  banner.textContent = stale.length === 0 ? ""
    : since ? t("admin.key_changed", { time: formatDateTime(since), count: stale.length })
    : t("admin.key_changed_undated", { count: stale.length });
}

function renderInvitations() {
  const person = (id) => state.people.find((p) => p.id === id);
  renderKeyChanged();
  fill(
    $("delegate-links"),
    active("delegate").map((invitation) => {
      const who = person(invitation.participant_id);
      const label = who ? `${who.full_name} – ${pointName(who.point_id)}` : `#${invitation.participant_id}`;
      return el("li", {}, el("span", { class: "link-owner", text: label }), linkField(invitation, label));
    }),
    t("admin.no_delegate_links"),
  );
  fill(
    $("display-links"),
    active("display").map((invitation) => el("li", {}, el("span", { class: "link-owner", text: t("role.display") }), linkField(invitation, t("role.display")))),
    t("admin.no_display_links"),
  );
  renderAllLinks();
  renderPoints();
}

function ownerOf(invitation) {
  if (invitation.role === "operator") return pointName(invitation.point_id);
  if (invitation.role === "display") return t("role.display");
  const who = state.people.find((p) => p.id === invitation.participant_id);
  return who ? `${who.full_name} – ${pointName(who.point_id)}` : `#${invitation.participant_id}`;
}

/** Every link ever made, newest first, with its expiry and state; a revoked one can only be looked at. */
function renderAllLinks() {
  const rows = [...state.invitations].sort((a, b) => b.id - a.id);
  fill(
    $("invitation-rows"),
    rows.map((invitation) => el(
      "tr",
      { dataset: { invitationId: invitation.id, state: invitation.state, urlWorks: String(invitation.url_works) } },
      el("td", { text: t(`role.${invitation.role}`) }),
      el("th", { scope: "row", text: ownerOf(invitation) }),
      el("td", {}, invitation.state !== "active" ? "—" : invitation.url_works === false ? staleNote(invitation) : urlField(invitation, ownerOf(invitation))),
      el("td", { text: invitation.expires_at ? formatDateTime(invitation.expires_at) : t("admin.no_expiry") }),
      el("td", {}, el("span", { class: "status-badge invitation-state", dataset: { state: invitation.state }, text: t(`invitation.${invitation.state}`) })),
      el("td", {}, invitation.state === "revoked" ? null : el("span", { class: "link-actions" }, revokeButton(invitation), reissueButton(invitation))),
    )),
    t("admin.no_links"),
    6,
  );
}

function showNewLink(invitation) {
  const field = urlField(invitation, t("admin.new_link", { who: ownerOf(invitation) }));
  field.id = "invitation-new-url";
  $("invitation-new").replaceChildren(
    el("span", { class: "link-owner", text: t("admin.new_link", { who: ownerOf(invitation) }) }),
    el("span", { class: "link-cell" }, field, copyButton(invitation)),
    el("span", { class: "meta", text: t("admin.expires", { time: formatDateTime(invitation.expires_at) }) }),
  );
  $("invitation-new").hidden = false;
  field.focus();
}

async function reloadInvitations() {
  state.invitations = (await api("GET", `${base}/invitations`)).items;
  renderInvitations();
  showSteps();
}

onSubmit($("delegate-form"), async (values) => {
  await invite({ role: "delegate", participant_id: Number(values.participant_id) });
});

$("display-create").addEventListener("click", (event) => act(event.currentTarget, () => invite({ role: "display" })));

$("sheet-open").addEventListener("click", () => openSheet(state));

async function reloadDraftState() {
  state.draft = await reloadDraft();
  showSteps();
  changeProposal.show(state.draft ? (await api("GET", `${base}/drafts/${state.draft.id}`)).sections : []);
}

// ---- load and live ------------------------------------------------------------------------------------

async function load() {
  await Promise.all([reloadConference(), reloadPoints(), reloadInvitations(), reloadDraftState()]);
  await Promise.all([reloadPeople(), agenda.load(), audit.load()]);
}

const RELOADS = {
  conference: debounce(reloadConference, 300),
  points: debounce(reloadPoints, 300),
  invitations: debounce(reloadInvitations, 300),
  people: debounce(reloadPeople, 1000),
  draft: debounce(reloadDraftState, 300),
};

const SECTION_OF = {
  conference: "conference",
  point: "points",
  invitation: "invitations",
  participant: "people",
  participants: "people",
  attendance: "people",
  draft: "draft",
};

labelInputs();
await load();
// Any change may be a staff action, which the trail then shows.
const reloadAudit = debounce(() => audit.load(), 1000);
connectLive(conferenceId, (event) => {
  agenda.handlers[event.type]?.(event.data);
  reloadAudit();
  RELOADS[SECTION_OF[event.type.split(".")[0]]]?.();
}, load);
