// The roster as the operator should see it: the server's last known state with the outbox's waiting writes
// applied on top, oldest first, so that someone checked in while the link was down shows as present.

const CHECKIN_PATH = /\/checkins(?:\/(\d+)(\/undo)?)?$/;

/** Whom an entry is about: a participant id, or null when the server has yet to create or name them. */
export function targetOf(entry) {
  const [, id] = entry.path.match(CHECKIN_PATH) ?? [];
  return id ? Number(id) : entry.body?.participant_id ?? null;
}

export function isCheckIn(entry) {
  return entry.method === "POST" && entry.path.endsWith("/checkins");
}

/** What an entry does, as a message key: check-in, check-out or undo. */
export function actionOf(entry) {
  if (entry.method === "DELETE") return "attendance.check_out";
  return isCheckIn(entry) ? "attendance.check_in" : "attendance.undo";
}

/**
 * people: the server's state by id; order: the roster's order; entries: the outbox, oldest first.
 * Returns the people and order to show (a walk-in or substitute still waiting gets a row of its own, keyed
 * `pending-<entry id>`), the waiting entry of each row, and the entry that failed for each known person.
 * A check-in by badge code names nobody until the server reads the code, so it changes no row.
 */
export function overlay(people, order, entries) {
  const shown = new Map(people);
  const rows = [...order];
  const pending = new Map();
  const failed = new Map();
  for (const entry of entries) {
    const target = targetOf(entry);
    if (entry.failed) {
      if (target !== null) failed.set(target, entry);
    } else if (target !== null && shown.has(target)) {
      // A check-out waiting to be sent already says when the person left: when the operator said so.
      const left = entry.method === "DELETE" ? { checked_out_at: entry.created } : {};
      shown.set(target, { ...shown.get(target), present: isCheckIn(entry), checked_in_at: null, ...left });
      pending.set(target, entry);
    } else if (isCheckIn(entry) && entry.body.full_name) {
      const key = `pending-${entry.id}`;
      const { full_name, position, organization, substitute_for } = entry.body;
      shown.set(key, { id: key, full_name, position, organization, substitute_for, on_roster: false, present: true, checked_in_at: null });
      rows.push(key);
      pending.set(key, entry);
    }
  }
  return { people: shown, order: rows, pending, failed };
}
