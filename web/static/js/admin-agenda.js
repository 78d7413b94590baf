// The agenda editor of the set-up console: each item with its planned start, edited in place, moved up or down,
// deleted, and the form that adds one. Every edit (this admin's, another's, the chair's skip or extension) comes
// back as agenda.changed with the whole agenda and its times, so the list is drawn from the events, not refetched.
import { act, api, base, el, formValues, formatTime, notify, option, t } from "./api.js";
import { formatDuration, minutesOf, secondsOf } from "./clock.js";
import { confirmDialog } from "./dialog.js";

const $ = (id) => document.getElementById(id);
// What has run stays in the record; the server refuses to delete it, so the button is not offered.
const DELETABLE = ["pending", "skipped"];

/** The form's values as the API's item; the speech limit is typed in minutes, and empty means the kind's default. */
function itemBody(values) {
  return {
    title: values.title,
    kind: values.kind,
    presenter: values.presenter ?? null,
    point_id: values.point_id ? Number(values.point_id) : null,
    planned_minutes: Number(values.planned_minutes),
    speech_limit_seconds: values.speech_limit_minutes ? secondsOf(values.speech_limit_minutes) : null,
  };
}

function itemMeta(item, pointName) {
  return [
    item.presenter,
    pointName(item.point_id),
    t("agenda.minutes", { n: item.planned_minutes }),
    item.extended_minutes ? t("agenda.extended", { n: item.extended_minutes }) : null,
    item.speech_limit_seconds ? t("agenda.speech_limit", { time: formatDuration(item.speech_limit_seconds) }) : null,
  ].filter(Boolean).join(" · ");
}

/** `points()` gives the bridge points for the point choice, `pointName(id)` names one. */
export function createAgendaEditor({ points, pointName, changed = () => {} }) {
  let items = [];
  // The item being edited and its form, kept whole across redraws: an event must not wipe what the admin types.
  let editing = null;
  // After a move, the button pressed goes with its item, so the keyboard can keep moving it.
  let focusAfter = null;

  const kindOptions = (chosen) => [...$("item-form").elements.kind.options].map((o) => option(o.value, o.textContent, o.value === chosen));
  const pointOptions = (chosen) => [option("", t("agenda.no_point"), chosen === null), ...points().map((p) => option(p.id, p.name, p.id === chosen))];

  function editForm(item) {
    const form = el(
      "form",
      { class: "form-grid item-edit", "aria-label": t("agenda.edit_item", { title: item.title }) },
      el("label", { class: "wide" }, t("agenda.item_title"), el("input", { name: "title", required: true, value: item.title })),
      el("label", {}, t("agenda.kind"), el("select", { name: "kind", required: true }, kindOptions(item.kind))),
      el("label", {}, t("agenda.presenter"), el("input", { name: "presenter", list: "roster-names", autocomplete: "off", value: item.presenter ?? "" })),
      el("label", {}, t("agenda.point"), el("select", { name: "point_id" }, pointOptions(item.point_id))),
      el("label", {}, t("agenda.planned_minutes"), el("input", {
        name: "planned_minutes", type: "number", min: 0, max: 1440, required: true, value: item.planned_minutes,
      })),
      el("label", {}, t("agenda.speech_limit_minutes"), el("input", {
        name: "speech_limit_minutes", type: "number", min: 0.17, max: 120, step: "any",
        placeholder: t("agenda.speech_limit_default"), value: item.speech_limit_seconds ? minutesOf(item.speech_limit_seconds) : "",
      })),
      el("div", { class: "actions wide" },
        el("button", { type: "submit", class: "button-primary", text: t("form.save") }),
        el("button", { type: "button", text: t("form.cancel"), on: { click: () => { editing = null; render(); } } })),
    );
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      act(form.querySelector('button[type="submit"]'), async () => {
        upsert(await api("PATCH", `${base}/agenda/${item.id}`, itemBody(formValues(form))));
        editing = null;
        render();
        notify(t("form.saved"));
      });
    });
    return el("li", { class: "agenda-item editing", dataset: { itemId: item.id } }, form);
  }

  function move(button, from, to) {
    const order = items.map((item) => item.id);
    [order[from], order[to]] = [order[to], order[from]];
    focusAfter = { id: order[to], move: button.dataset.move };
    act(button, () => api("PATCH", `${base}/agenda`, { order }));
  }

  async function remove(button, item) {
    if (!(await confirmDialog(t("agenda.confirm_delete", { title: item.title }), { confirm: t("agenda.delete"), danger: true }))) return;
    act(button, async () => {
      await api("DELETE", `${base}/agenda/${item.id}`);
      notify(t("agenda.deleted", { title: item.title }));
    });
  }

  function startEditing(item) {
    editing = { id: item.id, row: editForm(item) };
    render();
    editing.row.querySelector("input").focus();
  }

  function itemRow(item, index) {
    const moveButton = (to, dir) => el("button", {
      type: "button", class: "button-quiet", text: t(`speaking.${dir}`), "aria-label": t(`agenda.move_${dir}`, { title: item.title }),
      dataset: { move: dir }, disabled: to < 0 || to >= items.length, on: { click: (e) => move(e.currentTarget, index, to) },
    });
    return el(
      "li",
      { class: `agenda-item status-${item.status}`, dataset: { itemId: item.id } },
      el("span", { class: "agenda-time", text: formatTime(item.planned_start) }),
      el("div", { class: "agenda-main" },
        el("span", { class: "tag", text: t(`kind.${item.kind}`) }),
        el("span", { class: "agenda-title", text: item.title }),
        el("span", { class: "meta", text: itemMeta(item, pointName) })),
      el("span", { class: "agenda-status", text: t(`item_status.${item.status}`) }),
      el("div", { class: "actions agenda-tools" },
        moveButton(index - 1, "up"),
        moveButton(index + 1, "down"),
        el("button", { type: "button", class: "button-quiet", text: t("agenda.edit"), on: { click: () => startEditing(item) } }),
        DELETABLE.includes(item.status)
          ? el("button", { type: "button", class: "button-quiet", text: t("agenda.delete"), on: { click: (e) => remove(e.currentTarget, item) } })
          : null),
    );
  }

  function render() {
    if (editing && !items.some((item) => item.id === editing.id)) editing = null;
    $("agenda").replaceChildren(...items.map((item, index) => (item.id === editing?.id ? editing.row : itemRow(item, index))));
    if (!items.length) $("agenda").replaceChildren(el("li", { class: "empty", text: t("agenda.none_yet") }));
    if (focusAfter) {
      const button = $("agenda").querySelector(`[data-item-id="${focusAfter.id}"] [data-move="${focusAfter.move}"]`);
      if (button && !button.disabled) button.focus();
      focusAfter = null;
    }
  }

  function apply(all, schedule) {
    items = all;
    $("agenda-schedule").textContent = t("agenda.schedule", { start: formatTime(schedule.starts_at), end: formatTime(schedule.planned_end) });
    render();
    changed();
  }

  // Start and finish events carry the item without its planned start, which they do not change.
  function upsert(item) {
    items = items.map((known) => (known.id === item.id ? { ...known, ...item } : known));
    render();
  }

  $("item-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const form = event.currentTarget;
    act(form.querySelector('button[type="submit"]'), async () => {
      await api("POST", `${base}/agenda`, itemBody(formValues(form)), { idempotent: true });
      form.reset();
    });
  });

  async function load() {
    const view = await api("GET", `${base}/agenda`);
    apply(view.items, view.schedule);
  }

  return {
    load,
    render,
    count: () => items.length,
    /** Offer the roster's names as presenters. */
    presenters(people) {
      $("roster-names").replaceChildren(...people.filter((p) => p.on_roster).map((p) => el("option", {
        value: p.full_name, label: [p.position, pointName(p.point_id)].filter(Boolean).join(" · "),
      })));
    },
    handlers: {
      "agenda.changed": (data) => apply(data.items, data.schedule),
      "agenda.item_started": upsert,
      "agenda.item_finished": upsert,
      // The planned times count from the workshop's start.
      "conference.updated": (data) => { if (data.changed.includes("starts_at")) load(); },
    },
  };
}
