// What the operator page keeps on the device, in IndexedDB: the outbox of writes made while the link may be
// down, and the last roster it saw. An outbox entry carries the Idempotency-Key made when the operator acted,
// so sending it twice (the answer was lost, the page was reloaded, two tabs) never creates twice.
import { api, newKey } from "./api.js";

const DB_NAME = "diemcau-offline";
const OUTBOX = "outbox";
const ROSTERS = "rosters";

let opened = null;

function done(request) {
  return new Promise((resolve, reject) => {
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}

function database() {
  opened ??= (() => {
    const request = indexedDB.open(DB_NAME, 1);
    request.onupgradeneeded = () => {
      // The auto-incremented id is the order the operator acted in, which is the order of sending.
      request.result.createObjectStore(OUTBOX, { keyPath: "id", autoIncrement: true }).createIndex("scope", "scope");
      request.result.createObjectStore(ROSTERS, { keyPath: "scope" });
    };
    return done(request);
  })();
  return opened;
}

async function store(name, mode = "readonly") {
  return (await database()).transaction(name, mode).objectStore(name);
}

/** Queue a write of one page (`scope`: conference and point); the entry comes back with its id. */
export async function enqueue(scope, method, path, body) {
  const entry = { scope, key: newKey(), method, path, body, created: new Date().toISOString(), failed: null };
  entry.id = await done((await store(OUTBOX, "readwrite")).add(entry));
  return entry;
}

/** The scope's entries, oldest first: the waiting ones and the ones that failed for good (`failed` set). */
export async function entries(scope) {
  return done((await store(OUTBOX)).index("scope").getAll(scope));
}

export async function discard(id) {
  await done((await store(OUTBOX, "readwrite")).delete(id));
}

export async function saveRoster(scope, roster) {
  await done((await store(ROSTERS, "readwrite")).put({ scope, ...roster, saved: new Date().toISOString() }));
}

export async function loadRoster(scope) {
  return done((await store(ROSTERS)).get(scope));
}

// The server already holds the state these ask for: the write was made before (its answer lost) or by
// someone else. Nothing is left to send.
const SETTLED = new Set(["already_checked_in", "not_checked_in"]);
// Answers about the session, not the request: the same request succeeds once the operator opens the link
// again or reloads, so it must not be given up.
const HELD = new Set(["unauthorized", "csrf_failed", "rate_limited"]);

/** What an error answer means for the entry: sent (settled), given up (failed) or to try again (held). */
function outcomeOf(error) {
  if (error.status === 0 || error.status >= 500 || HELD.has(error.code)) return { kind: "held", error };
  if (error.status === 409 && SETTLED.has(error.code)) return { kind: "settled", error };
  return { kind: "failed", error };
}

async function sendAll(scope, report) {
  for (;;) {
    const next = (await entries(scope)).find((entry) => !entry.failed);
    if (!next) return;
    let outcome;
    try {
      outcome = { kind: "synced", result: await api(next.method, next.path, next.body, { key: next.key }) };
    } catch (error) {
      // Not an answer from the server or the network but a fault in this page: let it show.
      if (error.status === undefined) throw error;
      outcome = outcomeOf(error);
    }
    if (outcome.kind === "held") {
      // Strictly in order: nothing behind a held entry may overtake it.
      report(next, outcome);
      return;
    }
    if (outcome.kind === "failed") {
      const { code, message, status, details } = outcome.error;
      await done((await store(OUTBOX, "readwrite")).put({ ...next, failed: { code, message, status, details } }));
    } else {
      await discard(next.id);
    }
    report(next, outcome);
  }
}

let running = null;
let again = false;

/**
 * Send the scope's waiting entries one at a time, oldest first, until none is left or one is held.
 * `report(entry, {kind, result?, error?})` hears how each went. A call while a replay runs makes it go round
 * once more; other tabs of the same page take turns through a lock.
 */
export function replay(scope, report) {
  if (running) {
    again = true;
    return running;
  }
  const once = () => (navigator.locks ? navigator.locks.request(`${DB_NAME}:${scope}`, () => sendAll(scope, report)) : sendAll(scope, report));
  running = (async () => {
    do {
      again = false;
      await once();
    } while (again);
  })().finally(() => {
    running = null;
  });
  return running;
}
