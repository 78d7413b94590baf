// The chair's agenda: the live item with its clock and extensions, next and back, start, skip or finish per item,
// and the workshop's end as planned and as now projected. Next and back name the item the chair sees as current:
// if another chair moved first, the server refuses, and the console reloads and says so instead of moving twice.
import { act, api, base, debounce, el, formValues, formatDateTime, formatTime, notify, t, toLocalInput } from "./api.js";
import { clockView, itemClock } from "./clock.js";

const $ = (id) => document.getElementById(id);
const QUICK_EXTENSION = 5;
// An item running over pushes back everything after it, with no event to say so: the projection is asked for
// again every minute while it does.
const OVERRUN_REFRESH_MS = 60_000;
const RAN = ["done", "skipped"];

/** `pointName(id)` names a bridge point. */
export function createAgenda({ pointName }) {
  const state = { items: [], schedule: null };
  const live = () => state.items.find((item) => item.status === "live") ?? null;
  const paintClock = clockView($("live-clock"), () => itemClock(live()));

  // A listing read before a write but answered after it was heard would draw the agenda as it was: each change
  // heard or answered is counted, and a listing that crossed one, or that a newer listing follows, is not drawn.
  let changes = 0;
  let asked = 0;
  async function reload() {
    const ticket = ++asked;
    const seen = changes;
    const view = await api("GET", `${base}/agenda`);
    if (ticket !== asked) return undefined;
    if (changes !== seen) return reload();
    return apply(view.items, view.schedule);
  }
  // Next sends a finish and a start: one reload for both.
  const reloadSoon = debounce(reload, 300);

  function apply(items, schedule) {
    state.items = items;
    state.schedule = schedule;
    render();
  }

  // Start and finish events and answers carry the item without its planned and projected start; the plan does not
  // change, and the projection follows at the reload that comes after them.
  function upsert(item) {
    changes += 1;
    state.items = state.items.map((known) => (known.id === item.id ? { ...known, ...item } : known));
    render();
  }

  // ---- drawing -------------------------------------------------------------------------------------------

  // A workshop that runs past its planned day (or a demo planned years ago) shows the date too.
  const day = (iso) => toLocalInput(iso).slice(0, 10);
  const when = (iso) => (day(iso) === day(state.schedule.starts_at) ? formatTime(iso) : formatDateTime(iso));

  function renderSchedule() {
    const { planned_end: planned, projected_end: projected } = state.schedule;
    $("planned-end").textContent = when(planned);
    $("projected-end").textContent = when(projected);
    $("projected-end").classList.toggle("late", Date.parse(projected) > Date.parse(planned));
  }

  function controls(item) {
    const button = (label, action, className = "button-quiet") => el("button", {
      type: "button", class: className, text: t(label), on: { click: (e) => control(e.currentTarget, item, action) },
    });
    if (item.status === "live") return [button("agenda.finish", "finish", "")];
    if (item.status === "pending") return [button("agenda.start", "start"), button("agenda.skip", "skip")];
    if (item.status === "skipped") return [button("agenda.restart", "start")];
    return [];
  }

  // Beside the plan, which never moves: when the item started, or when it is now expected to, and by how much late.
  function projection(item) {
    if (!item.projected_start) return null;
    const late = Math.round((Date.parse(item.projected_start) - Date.parse(item.planned_start)) / 60_000);
    const started = item.status === "done" || item.status === "live";
    if (!started && late === 0) return null;
    // A day or more behind (a demo planned years ago) the date says it better than a count of minutes.
    const lateBy = late > 0 && late < 24 * 60 ? ` · ${t("agenda.late_by", { n: late })}` : "";
    return el("span", { class: `agenda-projected${late > 0 ? " late" : ""}` },
      t(started ? "agenda.actual_start" : "agenda.projected_start", { time: when(item.projected_start) }), lateBy);
  }

  function itemRow(item) {
    const meta = [
      item.presenter,
      pointName(item.point_id),
      t("agenda.minutes", { n: item.planned_minutes }),
      item.extended_minutes ? t("agenda.extended", { n: item.extended_minutes }) : null,
    ];
    return el(
      "li",
      { class: `agenda-item status-${item.status}`, "aria-current": item.status === "live" ? "step" : null, dataset: { itemId: item.id } },
      el("span", { class: "agenda-time", title: t("agenda.planned_start"), text: formatTime(item.planned_start) }),
      el("div", { class: "agenda-main" },
        el("span", { class: "tag", text: t(`kind.${item.kind}`) }),
        el("span", { class: "agenda-title", text: item.title }),
        el("span", { class: "meta", text: meta.filter(Boolean).join(" · ") }),
        projection(item)),
      el("span", { class: "agenda-status", text: t(`item_status.${item.status}`) }),
      el("div", { class: "actions agenda-tools live-control" }, controls(item)),
    );
  }

  function render() {
    $("agenda").replaceChildren(...state.items.map(itemRow));
    const current = live();
    $("live-item").hidden = !current;
    if (current) {
      $("live-item-title").textContent = current.title;
      $("live-item-extended").textContent = current.extended_minutes
        ? t("agenda.planned_and_extended", { planned: current.planned_minutes, extended: current.extended_minutes })
        : t("agenda.minutes", { n: current.planned_minutes });
    }
    const before = current ? state.items.slice(0, state.items.indexOf(current)) : state.items;
    $("agenda-back").disabled = !before.some((item) => RAN.includes(item.status));
    $("agenda-next").disabled = !current && !state.items.some((item) => item.status === "pending");
    renderSchedule();
    paintClock();
  }

  // ---- actions -------------------------------------------------------------------------------------------

  function control(button, item, action) {
    act(button, async () => upsert(await api("POST", `${base}/agenda/${item.id}/${action}`)));
  }

  async function step(button, direction) {
    await act(button, async () => {
      try {
        const { current } = await api("POST", `${base}/agenda/${direction}`, { expected_current_id: live()?.id ?? null });
        // Reloaded at once, not at the events: a second press right after must name the item now current.
        await reload();
        notify(current ? t("chair.now_item", { title: current.title }) : t("chair.agenda_done"));
      } catch (error) {
        if (error.code !== "revision_conflict") throw error;
        await reload();
        notify(t("chair.agenda_conflict"), "error");
      }
    });
    // act re-enabled the button; whether there is still somewhere to go is the agenda's to say.
    render();
  }

  function extend(button, minutes) {
    const current = live();
    if (!current) return undefined;
    return act(button, async () => {
      upsert(await api("POST", `${base}/agenda/${current.id}/extend`, { minutes }));
      notify(t("agenda.extended_by", { n: minutes, title: current.title }));
      return true;
    });
  }

  $("agenda-next").addEventListener("click", (event) => step(event.currentTarget, "next"));
  $("agenda-back").addEventListener("click", (event) => step(event.currentTarget, "back"));
  $("extend-five").addEventListener("click", (event) => extend(event.currentTarget, QUICK_EXTENSION));
  $("extend-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const form = event.currentTarget;
    if (await extend(form.querySelector('button[type="submit"]'), Number(formValues(form).minutes))) form.reset();
  });

  setInterval(() => {
    if (itemClock(live())?.overrun) reloadSoon();
  }, OVERRUN_REFRESH_MS);

  return {
    reload,
    title: (id) => state.items.find((item) => item.id === id)?.title,
    handlers: {
      "agenda.changed": (data) => { changes += 1; apply(data.items, data.schedule); },
      "agenda.item_started": (item) => { upsert(item); reloadSoon(); },
      "agenda.item_finished": (item) => { upsert(item); reloadSoon(); },
    },
  };
}
