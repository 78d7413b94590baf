// The points grid: a tile per bridge point, coloured by its link and marked when no operator console is
// connected, grouped by region. The DOM is built once per load; an event repaints only its own tile, and the
// headings and counts are recounted once per frame, so a burst of events over a thousand points stays smooth.
// Filtering only toggles `hidden` and never reads layout.
import { el, elapsedSince, formatTime, option, t } from "./api.js";
import { percent, setText } from "./chair-attendance.js";

// A console drops for a moment when a laptop's Wi-Fi roams or its page reloads: a point counts as unstaffed
// only after a minute without one. No event marks that minute, so the grid looks again every few seconds.
const GRACE_MS = 60_000;
const RECHECK_MS = 5_000;

// Numeric, so "huyện 2" comes before "huyện 10".
const collator = new Intl.Collator("vi", { numeric: true });

// The server's search folding (server/text.py): no diacritics, đ as d, lower case.
function fold(text) {
  return text.normalize("NFD").replace(/\p{M}/gu, "").replace(/[đĐ]/g, "d").toLowerCase();
}

function operatorState(row) {
  if (row.operators_online > 0) return "online";
  if (row.operator_seen_at && elapsedSince(row.operator_seen_at) < GRACE_MS) return "away";
  return "none";
}

function operatorText(row, operator) {
  if (operator === "online") return t("points.operators_online", { n: row.operators_online });
  return t(operator === "away" ? "points.operator_away" : "points.no_operator");
}

// The host's region first (the chair's own room), then regions in Vietnamese order, points without one last.
function groupOrder(a, b) {
  return b.entries[0].row.is_host - a.entries[0].row.is_host
    || (a.key === "") - (b.key === "")
    || collator.compare(a.key, b.key);
}

/** The grid in `container`, with its summary lines, the note shown when nothing matches, the region select, the search box and the filter radios. */
export function createPointsGrid(container, { summaries, empty, region, search, modes }) {
  const tiles = new Map();
  const collapsed = new Set();
  const dirty = new Set();
  const filter = { problemsOnly: false, group: null, words: [] };
  let rows = new Map();
  let groups = [];
  let frame = 0;
  let rebuild = false;

  function schedule() {
    if (!frame) frame = requestAnimationFrame(flush);
  }

  function matches(entry) {
    return (!filter.problemsOnly || entry.problem)
      && (!filter.group || entry.group === filter.group)
      && filter.words.every((word) => entry.key.includes(word));
  }

  function show(entry) {
    const hidden = !matches(entry);
    if (entry.tile.hidden !== hidden) entry.tile.hidden = hidden;
  }

  function paint(entry, row) {
    const operator = operatorState(row);
    const link = t(`link.${row.link}`);
    const operators = operatorText(row, operator);
    const note = row.link_note ? t("points.link_note", { note: row.link_note, time: formatTime(row.link_changed_at) }) : "";
    const title = [`${row.code} – ${row.name}`, `${t("point.link")}: ${link}`, note, operators].filter(Boolean).join("\n");
    Object.assign(entry, { row, operator, problem: row.link === "down" || row.link === "degraded" || operator === "none" });
    const { tile } = entry;
    if (tile.dataset.link !== row.link) tile.dataset.link = row.link;
    if (tile.dataset.operator !== operator) tile.dataset.operator = operator;
    if (tile.title !== title) tile.title = title;
    setText(entry.link, link);
    const guests = row.substitutes + row.walk_ins;
    setText(entry.count, `${row.invited_present}/${row.expected} · ${percent(row.rate)}${guests ? ` · +${guests}` : ""}`);
    setText(entry.operators, operators);
    setText(entry.note, note);
    show(entry);
    dirty.add(entry.group);
    schedule();
  }

  function makeTile(row, group) {
    const entry = {
      group,
      key: fold(`${row.code} ${row.name}`),
      link: el("span", { class: "tile-link" }),
      count: el("span", { class: "tile-count" }),
      operators: el("span", { class: "tile-operators" }),
      note: el("span", { class: "tile-note" }),
    };
    // Focusable so a keyboard or a tap shows the link note, which the title shows only to a mouse.
    entry.tile = el(
      "li",
      { class: "point-tile", tabindex: 0, dataset: { pointId: row.point_id } },
      el("span", { class: "tile-head" }, el("span", { class: "tile-code", text: row.code }), entry.link),
      el("span", { class: "tile-name", text: row.name }),
      entry.note,
      entry.count,
      entry.operators,
    );
    tiles.set(row.point_id, entry);
    paint(entry, row);
    return entry;
  }

  function makeGroup(regionName) {
    const key = regionName ?? "";
    const group = { key, label: regionName ?? t("points.no_region"), entries: [], counts: el("span", { class: "meta" }) };
    group.details = el(
      "details",
      { class: "point-group", open: !collapsed.has(key), dataset: { region: key } },
      el("summary", {}, el("h3", { text: group.label }), group.counts),
      el("ul", { class: "tile-grid" }),
    );
    group.details.addEventListener("toggle", () => {
      if (group.details.open) collapsed.delete(key);
      else collapsed.add(key);
    });
    return group;
  }

  function fillRegions() {
    const chosen = filter.group?.key;
    filter.group = groups.find((group) => group.key === chosen) ?? null;
    region.replaceChildren(region.options[0], ...groups.map((group, index) => option(String(index), group.label, group === filter.group)));
  }

  function build() {
    tiles.clear();
    const byKey = new Map();
    const sorted = [...rows.values()].sort((a, b) => b.is_host - a.is_host || collator.compare(a.name, b.name));
    for (const row of sorted) {
      const key = row.region ?? "";
      if (!byKey.has(key)) byKey.set(key, makeGroup(row.region));
      const group = byKey.get(key);
      group.entries.push(makeTile(row, group));
    }
    groups = [...byKey.values()].sort(groupOrder);
    for (const group of groups) {
      group.details.lastChild.append(...group.entries.map((entry) => entry.tile));
      // Sizes the group to its tiles, so regions with a point or two share a line instead of a row each.
      group.details.style.setProperty("--tiles", group.entries.length);
    }
    // Counts of the groups just replaced would go to nodes no longer shown; applyFilter marks the new ones.
    dirty.clear();
    fillRegions();
    applyFilter();
    container.replaceChildren(...groups.map((group) => group.details));
  }

  function recount(group) {
    let present = 0;
    let expected = 0;
    let problems = 0;
    let shown = 0;
    for (const entry of group.entries) {
      present += entry.row.invited_present;
      expected += entry.row.expected;
      problems += entry.problem;
      shown += !entry.tile.hidden;
    }
    setText(group.counts, t("points.group_counts", { points: group.entries.length, present, expected, problems }));
    if (group.details.hidden !== (shown === 0)) group.details.hidden = shown === 0;
  }

  function flush() {
    if (rebuild) {
      rebuild = false;
      build();
    }
    for (const group of dirty) recount(group);
    dirty.clear();
    const entries = [...tiles.values()];
    const text = t("points.summary", {
      total: entries.length,
      problems: entries.filter((entry) => entry.problem).length,
      staffed: entries.filter((entry) => entry.operator === "online").length,
    });
    for (const summary of summaries) setText(summary, text);
    empty.hidden = groups.some((group) => !group.details.hidden);
    frame = 0;
  }

  function applyFilter() {
    for (const entry of tiles.values()) show(entry);
    groups.forEach((group) => dirty.add(group));
    schedule();
  }

  for (const radio of modes) {
    radio.addEventListener("change", () => {
      filter.problemsOnly = radio.value === "problems";
      applyFilter();
    });
  }
  region.addEventListener("change", () => {
    filter.group = groups[region.selectedIndex - 1] ?? null;
    applyFilter();
  });
  search.addEventListener("input", () => {
    filter.words = fold(search.value).split(/\s+/).filter(Boolean);
    applyFilter();
  });

  setInterval(() => {
    for (const entry of tiles.values()) {
      if (entry.operator === "away" && operatorState(entry.row) !== "away") paint(entry, entry.row);
    }
  }, RECHECK_MS);

  return {
    reset(all) {
      rows = all;
      build();
    },
    // A new point may bring a new region; points come in bursts while an admin imports them, so the grid is
    // rebuilt once for the lot, at the next frame.
    add() {
      rebuild = true;
      schedule();
    },
    update(row) {
      const entry = tiles.get(row.point_id);
      if (entry) paint(entry, row);
    },
  };
}
