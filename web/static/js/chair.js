// The chair's console: run the agenda, give the floor, watch attendance, rule on comments, close out.
import { act, api, base, conferenceId, debounce, notify, t } from "./api.js";
import { createAgenda } from "./chair-agenda.js";
import { createAttendance } from "./chair-attendance.js";
import { createConflicts } from "./chair-conflicts.js";
import { createScreen } from "./chair-display.js";
import { createWork } from "./chair-assign.js";
import { createInbox } from "./chair-inbox.js";
import { createPointsGrid } from "./chair-points.js";
import { createRecordReview, figuresToFreeze } from "./chair-record.js";
import { createSheet } from "./chair-sheet.js";
import { createSpeaking } from "./chair-speaking.js";
import { createStatement } from "./chair-statement.js";
import { createTabs } from "./chair-tabs.js";
import { confirmDialog } from "./dialog.js";
import { connectLive } from "./live.js";
import { followState } from "./workshop-state.js";

const state = { status: null };
const $ = (id) => document.getElementById(id);

const grid = createPointsGrid($("point-groups"), {
  summaries: [$("points-summary"), $("points-glance")],
  empty: $("points-empty"),
  region: $("points-region"),
  search: $("points-search"),
  modes: document.querySelectorAll('input[name="points-filter"]'),
});
const sheet = createSheet($("attendance-table"));
const attendance = createAttendance([grid, sheet], sheet.totals);
const pointName = (id) => attendance.rows.get(id)?.name;
const agenda = createAgenda({ pointName });
const speaking = createSpeaking({ pointName, ended: () => workshop.status === "closed" });
const inbox = createInbox(agenda.title);
const work = createWork($("feed"), $("inbox-bulk"), $("inbox-filters"));
const screen = createScreen();
const statement = createStatement();
const record = createRecordReview();
const conflicts = createConflicts($("conflicts"));
// A ruling may make or settle a conflict: read them again once a burst of rulings has passed.
const rulingsChanged = debounce(() => conflicts.refresh(), 300);
// Figures that move without an event of their own (the generated statement, the record) are asked for again
// when their pane comes into view.
const tabs = createTabs($("chair-tabs"), {
  onShow: (names) => {
    if (!names.includes("ket-luan")) return;
    statement.load();
    record.refresh();
    conflicts.refresh();
  },
});
// After the close the live controls go (the stylesheet hides .live-control), and a banner says why.
const workshop = followState({ region: $("state-region"), texts: { closed: "state.chair_closed" }, onChange: () => speaking.render() });

// ---- conference state ---------------------------------------------------------------------------------

const STATE_BUTTONS = {
  draft: ["conference-open", "conference-close"],
  open: ["conference-close-collection", "conference-close"],
  collection_closed: ["conference-reopen-collection", "conference-close"],
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
  button.addEventListener("click", async () => {
    const closing = button.dataset.action === "close";
    const asked = { confirm: button.textContent.trim(), danger: closing };
    // Before freezing the record the chair reads the attendance it will state.
    const question = closing ? `${button.dataset.confirm}\n\n${t("record.close_figures", { figures: await figuresToFreeze() })}` : button.dataset.confirm;
    if (button.dataset.confirm && !(await confirmDialog(question, asked))) return;
    act(button, async () => {
      let conference;
      try {
        conference = await api("POST", `${base}/${button.dataset.action}`);
      } catch (error) {
        // Refused while adopted changes conflict: the chair settles them right here, then closes again.
        if (error.code !== "unresolved_conflicts") throw error;
        await conflicts.showRefused(error.details.conflicts);
        return;
      }
      state.status = conference.status;
      renderStatus();
      workshop.render(conference);
      notify(t(`chair.done_${button.dataset.action}`));
    });
  });
}

// ---- load and live ------------------------------------------------------------------------------------

async function load() {
  const [conference] = await Promise.all([
    api("GET", base),
    attendance.load(),
    speaking.load(),
  ]);
  // After the attendance: the agenda names each item's bridge point.
  await agenda.reload();
  state.status = conference.status;
  renderStatus();
  workshop.render(conference);
  await inbox.load(conference);
  await work.load();
  await screen.load();
  await statement.load(conference);
  await record.load(conference);
  await conflicts.refresh();
}

const HANDLERS = {
  "conference.state_changed": (data) => {
    state.status = data.status;
    renderStatus();
    statement.handlers["conference.state_changed"](data);
    record.load(data);
    workshop.handlers["conference.state_changed"](data);
  },
  "summary.statement_changed": statement.handlers["summary.statement_changed"],
  ...agenda.handlers,
  ...speaking.handlers,
  ...attendance.handlers,
  ...record.handlers,
  "attendance.totals_changed": (data) => {
    attendance.handlers["attendance.totals_changed"](data);
    record.handlers["attendance.totals_changed"](data);
  },
  ...inbox.handlers,
  ...work.handlers,
  ...screen.handlers,
  ...Object.fromEntries(["comment.disposed", "comment.merged", "comment.unmerged", "comment.moderated"].map((type) => [
    type, (data) => { inbox.handlers[type]?.(data); screen.handlers[type]?.(data); rulingsChanged(); },
  ])),
  // What came in while its pane was hidden is counted on its tab.
  "comment.submitted": (data) => { inbox.handlers["comment.submitted"](data); tabs.flag("hop-thu", "chair.tab_new"); },
  "remark.submitted": (data) => { inbox.handlers["remark.submitted"](data); tabs.flag("hop-thu", "chair.tab_new"); },
  "point.status_changed": (data) => {
    attendance.handlers["point.status_changed"](data);
    if (data.link === "down") tabs.flag("diem-cau", "chair.tab_down");
  },
  "conference.updated": (data) => {
    // The planned times count from the start; the quota may have been set by another chair or the admin.
    if (data.changed.includes("starts_at")) agenda.reload();
    if (data.changed.includes("speaking_quota_seconds")) speaking.reloadLog();
    inbox.handlers["conference.updated"](data);
  },
};

await load();
connectLive(conferenceId, (event) => HANDLERS[event.type]?.(event.data), load);
