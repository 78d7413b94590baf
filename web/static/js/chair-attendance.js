// The chair's picture of every bridge point: its attendance row (counters, link, operators online) with the
// link note beside it, kept current from events. Every event carries the point's new values whole, never a
// delta, so an event replayed after the initial load changes nothing.
import { api, base, page } from "./api.js";

const NEW_POINT = {
  expected: 0, invited_present: 0, represented: 0, absent: 0, present: 0, substitutes: 0, walk_ins: 0, people: 0,
  rate: null, last_checkin_at: null,
  link: "unknown", link_note: null, link_changed_at: null, operators_online: 0, operator_seen_at: null,
};

const percentFormat = new Intl.NumberFormat(page.lang === "en" ? "en-GB" : "vi-VN", { style: "percent", maximumFractionDigits: 0 });

/** invited present / expected as a percentage; a point with nobody expected has none. */
export function percent(rate) {
  return rate === null || rate === undefined ? "–" : percentFormat.format(rate);
}

/** Write text only when it differs: writing the same again still invalidates style, and an event changes one number of a row. */
export function setText(node, text) {
  const value = String(text);
  if (node.textContent !== value) node.textContent = value;
}

/**
 * `views` each have reset(rows), add(row) and update(row); `onTotals(totals)` gets the conference's totals.
 * Rows are shared with the views and replaced, never mutated, so a view may keep the one it last drew.
 */
export function createAttendance(views, onTotals) {
  const rows = new Map();

  function put(id, fields) {
    const known = rows.get(id);
    const row = { ...(known ?? NEW_POINT), ...fields };
    rows.set(id, row);
    for (const view of views) {
      if (known) view.update(row);
      else view.add(row);
    }
  }

  // Status and presence name a point that point.added (or the load) brought before them, in seq order.
  function change(id, fields) {
    if (rows.has(id)) put(id, fields);
  }

  async function load() {
    const [points, sheet] = await Promise.all([api("GET", `${base}/points`), api("GET", `${base}/attendance`)]);
    const notes = new Map(points.items.map((p) => [p.id, p]));
    rows.clear();
    for (const row of sheet.points) {
      const point = notes.get(row.point_id);
      rows.set(row.point_id, { ...row, link_note: point?.link_note ?? null, link_changed_at: point?.link_changed_at ?? null });
    }
    for (const view of views) view.reset(rows);
    onTotals(sheet.totals);
  }

  const handlers = {
    // Coalesced: the rows of every point that moved since the previous one, and the totals after them all.
    "attendance.totals_changed": ({ points, totals }) => {
      for (const row of points) put(row.point_id, row);
      onTotals(totals);
    },
    "point.status_changed": (p) => change(p.id, { link: p.link, link_note: p.link_note, link_changed_at: p.link_changed_at }),
    "point.presence_changed": ({ point_id: id, operators_online, operator_seen_at }) => change(id, { operators_online, operator_seen_at }),
    "point.added": (p) => put(p.id, {
      point_id: p.id, code: p.code, name: p.name, region: p.region, is_host: p.is_host,
      link: p.link, link_note: p.link_note, link_changed_at: p.link_changed_at,
    }),
  };

  return { rows, load, handlers };
}
