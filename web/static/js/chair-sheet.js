// The attendance table: a row per bridge point, sortable by any column, and a totals row. Rows are built once
// per load and rewritten in place by events; a sorted table is put back in order once per frame.
import { el, formatTime, t } from "./api.js";
import { percent, setText } from "./chair-attendance.js";

// Numeric, so "huyện 2" comes before "huyện 10".
const collator = new Intl.Collator("vi", { numeric: true });
// Invited present + represented + absent = expected; people = invited present + substitutes + walk-ins.
const NUMBERS = ["expected", "invited_present", "represented", "absent", "substitutes", "walk_ins", "people"];
// Worst first when sorted up: the chair looks for the points in trouble.
const LINK_RANK = { down: 0, degraded: 1, unknown: 2, ok: 3 };
const time = (iso) => (iso ? Date.parse(iso) : -Infinity);

// Each column's order and the way it sorts first: names A to Z, everything else the most first.
const SORTS = {
  name: { first: "ascending", compare: (a, b) => collator.compare(a.name, b.name) },
  rate: { first: "descending", compare: (a, b) => (a.rate ?? -1) - (b.rate ?? -1) },
  last_checkin_at: { first: "descending", compare: (a, b) => time(a.last_checkin_at) - time(b.last_checkin_at) },
  link: { first: "ascending", compare: (a, b) => LINK_RANK[a.link] - LINK_RANK[b.link] },
  ...Object.fromEntries(NUMBERS.map((key) => [key, { first: "descending", compare: (a, b) => a[key] - b[key] }])),
};

/** The table whose <thead> has a `th[data-sort]` per column; its section's `[data-total]` elements show the totals. */
export function createSheet(table) {
  const body = table.tBodies[0];
  const totalCells = table.closest("section").querySelectorAll("[data-total]");
  const headers = [...table.tHead.querySelectorAll("th[data-sort]")];
  const rowsById = new Map();
  // The server's order (host first, then by code): the default, and how ties stay put.
  let baseline = [];
  let sort = null;
  let frame = 0;

  function paint(entry, row) {
    entry.row = row;
    for (const key of NUMBERS) setText(entry.cells[key], row[key]);
    setText(entry.cells.rate, percent(row.rate));
    setText(entry.cells.last_checkin_at, formatTime(row.last_checkin_at));
    const badge = entry.cells.link.firstChild;
    const linkClass = `link-badge link-${row.link}`;
    if (badge.className !== linkClass) badge.className = linkClass;
    setText(badge, t(`link.${row.link}`));
    setText(entry.note, row.link_note ? ` ${row.link_note}` : "");
  }

  function makeRow(row) {
    const cells = Object.fromEntries([...NUMBERS, "rate", "last_checkin_at"].map((key) => [key, el("td", { class: "num" })]));
    cells.link = el("td", {}, el("span", {}));
    const entry = { cells, note: el("span", { class: "meta" }) };
    cells.link.append(entry.note);
    entry.tr = el(
      "tr",
      { dataset: { pointId: row.point_id } },
      el("th", { scope: "row" }, row.name, row.is_host ? el("span", { class: "tag", text: t("point.host") }) : null, el("span", { class: "meta", text: ` ${row.code}` })),
      cells.expected, cells.invited_present, cells.rate, cells.represented, cells.absent, cells.substitutes, cells.walk_ins,
      cells.people, cells.last_checkin_at, cells.link,
    );
    rowsById.set(row.point_id, entry);
    paint(entry, row);
    return entry;
  }

  function order() {
    if (!sort) return baseline;
    const { compare } = SORTS[sort.key];
    const sign = sort.direction === "ascending" ? 1 : -1;
    return [...baseline].sort((a, b) => sign * compare(a.row, b.row));
  }

  // Moves only the rows out of place: a check-in lifts one row, and moving all thousand would lay out the
  // whole table again.
  function arrange() {
    frame = 0;
    let next = body.firstChild;
    for (const { tr } of order()) {
      if (tr === next) next = next.nextSibling;
      else body.insertBefore(tr, next);
    }
  }

  function schedule() {
    if (sort && !frame) frame = requestAnimationFrame(arrange);
  }

  for (const th of headers) {
    th.querySelector("button").addEventListener("click", () => {
      const key = th.dataset.sort;
      const direction = sort?.key !== key ? SORTS[key].first : sort.direction === "ascending" ? "descending" : "ascending";
      sort = { key, direction };
      for (const other of headers) {
        if (other === th) other.setAttribute("aria-sort", direction);
        else other.removeAttribute("aria-sort");
      }
      arrange();
    });
  }

  return {
    reset(rows) {
      rowsById.clear();
      baseline = [...rows.values()].map(makeRow);
      body.replaceChildren(...order().map((entry) => entry.tr));
    },
    add(row) {
      const entry = makeRow(row);
      baseline.push(entry);
      body.append(entry.tr);
      schedule();
    },
    update(row) {
      const entry = rowsById.get(row.point_id);
      if (!entry) return;
      paint(entry, row);
      schedule();
    },
    totals(totals) {
      for (const cell of totalCells) {
        const key = cell.dataset.total;
        setText(cell, key === "rate" ? percent(totals.rate) : totals[key]);
      }
    },
  };
}
