// The chair's speaking queue: who speaks now and the countdown against the speech's time limit, who waits and in
// what order, each request's time limit, and the speaking quota per bridge point beside the time each has used.
import { act, api, base, debounce, el, formValues, formatTime, notify, t } from "./api.js";
import { clockView, formatDuration, minutesOf, secondsOf, speechClock } from "./clock.js";

const $ = (id) => document.getElementById(id);
const WAITING = ["queued", "granted"];

/** `pointName(id)` names a bridge point; `ended()` says whether the workshop has closed. */
export function createSpeaking({ pointName, ended }) {
  const state = { requests: [], quota: null, used: [] };
  // Time limits being typed, by request: a queue event redraws the rows, and must not wipe or close them.
  const typing = new Map();
  // The request whose start waits for the chair to confirm ending the speech that runs; it survives redraws.
  let confirming = null;
  const speaking = () => state.requests.find((r) => r.status === "speaking") ?? null;
  // One clock, moved into the speaker's row at each redraw, so the countdown ticks without redrawing the queue.
  const clock = el(
    "p",
    { class: "clock speech-clock" },
    el("span", { class: "clock-label", dataset: { part: "remaining-label" } }), " ",
    el("span", { dataset: { part: "remaining" } }),
    el("span", { class: "meta" }, " / ", el("span", { dataset: { part: "allowed" } })),
  );
  const paintClock = clockView(clock, () => speechClock(speaking()));

  async function reloadQueue() {
    apply((await api("GET", `${base}/speaking-requests`)).items);
  }

  async function reloadLog() {
    const log = await api("GET", `${base}/speaking-log`);
    state.quota = log.quota_seconds;
    state.used = log.points;
    renderQuota();
  }
  // A change of speaker sends a burst of queue events; the log is read once after it.
  const reloadLogSoon = debounce(reloadLog, 500);

  // A change moves other requests too (renumbering, the previous speaker finished): the event carries the whole queue.
  function apply(items) {
    state.requests = items;
    render();
  }

  // ---- changing a request ----------------------------------------------------------------------------------

  async function patch(request, body) {
    try {
      await api("PATCH", `${base}/speaking-requests/${request.id}`, body);
    } catch (error) {
      if (error.code !== "quota_exhausted") throw error;
      const { used_seconds: used, quota_seconds: quota } = error.details;
      notify(t("speaking.quota_exhausted", { point: request.point, used: formatDuration(used), quota: formatDuration(quota) }), "error");
      return false;
    }
    await reloadQueue();
    return true;
  }

  function limitEditor(request) {
    const input = el("input", {
      name: "minutes", type: "number", min: 0.17, max: 120, step: "any", required: true,
      value: typing.get(request.id) ?? minutesOf(request.time_limit_seconds), dataset: { limitFor: request.id },
    });
    input.addEventListener("input", () => typing.set(request.id, input.value));
    const form = el(
      "form",
      { class: "limit-form" },
      el("label", {}, t("speaking.limit_minutes"), input),
      el("button", { type: "submit", text: t("form.save") }),
    );
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      act(form.querySelector("button"), async () => {
        typing.delete(request.id);
        if (await patch(request, { time_limit_seconds: secondsOf(formValues(form).minutes) })) notify(t("speaking.limit_saved"));
      });
    });
    const details = el(
      "details",
      { class: "limit-edit live-control", open: typing.has(request.id) },
      el("summary", { text: t("speaking.limit", { time: formatDuration(request.time_limit_seconds) }) }),
      form,
    );
    details.addEventListener("toggle", () => {
      if (details.open) typing.set(request.id, input.value);
      else typing.delete(request.id);
    });
    return details;
  }

  /** Start a speech; while another runs, first ask in the row, naming whose speech it ends. */
  function start(button, request) {
    if (speaking() && confirming !== request.id) {
      confirming = request.id;
      render();
      $("speaking-queue").querySelector(".confirm-start")?.focus();
      return;
    }
    confirming = null;
    act(button, () => patch(request, { status: "speaking" }));
  }

  function cancelStart() {
    const id = confirming;
    confirming = null;
    render();
    $("speaking-queue").querySelector(`[data-request-id="${id}"] .start-speech`)?.focus();
  }

  // The question stays with its row and takes the focus; Escape or "no" leaves the speech running.
  function confirmation(request) {
    const current = speaking();
    if (confirming !== request.id || !current) return null;
    const question = el("p", {
      id: `confirm-start-${request.id}`,
      text: t("speaking.confirm_start", { name: current.full_name, next: request.full_name }),
    });
    return el(
      "div",
      { class: "confirm-inline live-control", role: "group", "aria-labelledby": question.id, on: { keydown: (e) => { if (e.key === "Escape") cancelStart(); } } },
      question,
      el("div", { class: "actions" },
        el("button", {
          type: "button", class: "button-danger confirm-start", text: t("speaking.confirm_start_go"),
          on: { click: (e) => start(e.currentTarget, request) },
        }),
        el("button", { type: "button", text: t("speaking.confirm_cancel"), on: { click: cancelStart } })),
    );
  }

  function moves(request, index, waiting) {
    const button = (label, body, extra = {}) => el("button", {
      type: "button", class: "button-quiet", text: t(label), ...extra,
      on: { click: (e) => act(e.currentTarget, () => patch(request, body)) },
    });
    if (request.status === "speaking") return [button("speaking.finish", { status: "done" }, { class: "button-primary" })];
    return [
      request.status === "queued" ? button("speaking.grant", { status: "granted" }) : null,
      el("button", {
        type: "button", class: "button-primary start-speech", text: t("speaking.start"), "aria-expanded": confirming === request.id ? "true" : null,
        on: { click: (e) => start(e.currentTarget, request) },
      }),
      button("speaking.decline", { status: "declined" }),
      button("speaking.up", { position: index }, { "aria-label": t("speaking.up_label"), disabled: index === 0 }),
      button("speaking.down", { position: index + 2 }, { "aria-label": t("speaking.down_label"), disabled: index === waiting.length - 1 }),
    ];
  }

  function row(request, extras = []) {
    // A request still waiting at the close will not be reached; "waiting" would say otherwise.
    const status = t(`speaking_status.${ended() && WAITING.includes(request.status) ? "not_reached" : request.status}`);
    return el(
      "li",
      { class: `queue-item status-${request.status}`, dataset: { requestId: request.id } },
      el("div", { class: "queue-main" },
        el("strong", { text: request.full_name }),
        el("span", { class: "meta", text: [request.position_title, request.point, formatTime(request.requested_at)].filter(Boolean).join(" · ") }),
        request.topic ? el("span", { class: "topic", text: request.topic }) : null),
      el("span", { class: `tag speaking-${request.status}`, text: request.point_of_order ? `${t("speaking.point_of_order")} · ${status}` : status }),
      extras,
    );
  }

  function render() {
    const current = speaking();
    const waiting = state.requests.filter((r) => WAITING.includes(r.status));
    const history = state.requests.filter((r) => !WAITING.includes(r.status) && r.status !== "speaking").reverse();
    const focused = document.activeElement?.dataset?.limitFor;
    const asking = Boolean(document.activeElement?.closest(".confirm-inline"));
    const active = (request, index) => [
      request === current ? clock : null,
      el("div", { class: "actions live-control" }, moves(request, index, waiting)),
      confirmation(request),
      limitEditor(request),
    ];
    $("speaking-queue").replaceChildren(
      ...(current ? [row(current, active(current, 0))] : []),
      ...waiting.map((request, index) => row(request, active(request, index))),
    );
    if (focused) $("speaking-queue").querySelector(`[data-limit-for="${focused}"]`)?.focus();
    else if (asking) $("speaking-queue").querySelector(".confirm-start")?.focus();
    $("speaking-empty").hidden = Boolean(current) || waiting.length > 0;
    $("speaking-history").replaceChildren(...history.map((request) => row(request)));
    paintClock();
    renderQuota();
  }

  // ---- the quota -----------------------------------------------------------------------------------------

  function renderQuota() {
    const input = $("quota-form").elements.minutes;
    if (document.activeElement !== input) input.value = state.quota === null ? "" : minutesOf(state.quota);
    const speakingPoint = speaking()?.point_id;
    const used = [...state.used].sort((a, b) => b.used_seconds - a.used_seconds);
    $("quota-used").replaceChildren(
      ...used.map(({ point_id: id, used_seconds: spent }) => el(
        "li",
        { class: state.quota !== null && spent >= state.quota ? "used-up" : null },
        el("span", { text: id === speakingPoint ? t("speaking.point_speaking", { point: pointName(id) }) : pointName(id) }),
        el("span", { class: "used-time", text: [spent, state.quota].filter((value) => value !== null).map(formatDuration).join(" / ") }),
      )),
    );
    if (used.length === 0) $("quota-used").append(el("li", { class: "empty", text: t("speaking.none_spoken") }));
  }

  $("quota-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const form = event.currentTarget;
    const { minutes } = formValues(form);
    act(form.querySelector("button"), async () => {
      await api("PATCH", base, { speaking_quota_seconds: minutes === undefined ? null : secondsOf(minutes) });
      // Out of the field, so that it shows the quota as saved (and as the other chairs now see it).
      form.elements.minutes.blur();
      await reloadLog();
      notify(t("speaking.quota_saved"));
    });
  });

  return {
    load: () => Promise.all([reloadQueue(), reloadLog()]),
    reloadLog,
    render,
    handlers: {
      "speaking.queue_changed": (data) => { apply(data.items); reloadLogSoon(); },
    },
  };
}
