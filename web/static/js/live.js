// The live connection of a console: socket.io, join with the last applied seq, replay or snapshot, and the
// connection indicator in the header.
import { io } from "/static/vendor/socket.io/socket.io.esm.min.js";
import { page, t } from "./api.js";
import { Cursor } from "./cursor.js";

const RETRY_MS = 3000;
const LOST_AFTER_MS = 1000;
// A server that lets its consoles go (a restart) lets thousands go at the same moment: each waits a random part
// of this window before knocking again, and socket.io's own backoff (1 s doubling to 10 s, each ±50 %) spaces the
// attempts after that while the server is still away.
const COME_BACK_MS = [500, 3000];

function indicate(state) {
  const indicator = document.getElementById("live-status");
  if (!indicator) return;
  indicator.dataset.state = state;
  indicator.textContent = t(`live.${state}`);
}

/**
 * Keep a console in step with a conference. The console has loaded its state from the API before calling
 * this; `onEvent(event)` applies one event (idempotently: a replay may repeat what the load already saw),
 * `onSnapshot()` reloads the whole state when the server cannot replay the gap, and `onJoined()` hears
 * that the console is in step again (on every connect and reconnect), e.g. to send what waited offline.
 *
 * The first join starts from the seq the page was rendered at, which is not newer than the state the
 * console loaded after it, so nothing between the render and the join can be missed. A page reload renders
 * a newer seq and loads fresh state, so it resumes without any stored position.
 */
export function connectLive(conferenceId, onEvent, onSnapshot, onJoined = () => {}) {
  const cursor = new Cursor(Number(page.seq) || 0);
  // While a join is answered, pushed events wait here: applying one first would make the replay look stale.
  let waiting = null;
  let lostTimer = null;
  // WebSocket only: the polling transport POSTs with the session cookie but no CSRF header, and the
  // server's CSRF check refuses those POSTs.
  const socket = io({ transports: ["websocket"], reconnectionDelay: 1000, reconnectionDelayMax: 10000, randomizationFactor: 0.5 });
  // Set once the session behind this console ended ("revoked") or the server refused it ("refused"): whatever
  // closes the socket next, the console says so and does not come back.
  let final = null;
  // Set by server.restarting until the console is in step again, so the indicator says why it is away.
  let restarting = false;

  function push(event) {
    cursor.push(event).forEach(onEvent);
    watch();
  }

  // Held events wait a moment for the one before them (several server processes may deliver out of order);
  // if it does not come, it was lost: join again from before it.
  function watch() {
    if (cursor.behind && !lostTimer) {
      lostTimer = setTimeout(() => {
        lostTimer = null;
        if (cursor.behind && !waiting) rejoin();
      }, LOST_AFTER_MS);
    }
  }

  async function join() {
    waiting = [];
    indicate("connecting");
    const ack = await socket.timeout(10000).emitWithAck("join", { conference_id: conferenceId, after_seq: cursor.resumeFrom() });
    if (!ack.ok) {
      // Not allowed into this conference (any more): retrying would be refused again.
      waiting = null;
      final = final ?? "refused";
      indicate(final);
      socket.disconnect();
      return;
    }
    if (ack.snapshot) await onSnapshot();
    cursor.joined(ack).forEach(onEvent);
    const pushed = waiting;
    waiting = null;
    pushed.forEach(push);
    if (cursor.lost) return join();
    watch();
    restarting = false;
    indicate("online");
    onJoined();
  }

  function rejoin() {
    join().catch(() => {
      // A failed join or reload leaves the console unsure of its state: start over on a fresh connection.
      waiting = null;
      indicate(away());
      socket.disconnect();
      setTimeout(() => socket.connect(), RETRY_MS);
    });
  }

  socket.on("event", (event) => {
    if (event.conference_id !== conferenceId) return;
    if (waiting) waiting.push(event);
    else push(event);
  });

  socket.on("connect", rejoin);
  // The server's fan-out between processes was interrupted: what it could not deliver is in the log.
  socket.on("server.resync", () => {
    if (!waiting) rejoin();
  });

  // The invitation behind this console was revoked, reissued or has expired, or the staff session behind it
  // logged out: the server disconnects us next, and reconnecting with the same token or session would be refused.
  socket.on("session.revoked", (data) => {
    final = data?.reason === "logged_out" ? "logged_out" : "revoked";
    indicate(final);
  });

  socket.on("server.restarting", () => {
    restarting = true;
    indicate(away());
  });

  socket.on("disconnect", (reason) => {
    if (final) return indicate(final);
    indicate(away());
    // socket.io comes back by itself after a lost connection, but takes a disconnect the server sent as final.
    // Ours are final only with session.revoked (above); any other (a restart) is followed by coming back.
    if (reason === "io server disconnect") comeBack();
  });
  socket.on("connect_error", () => {
    // socket.active is false when the server refused us (the session ended): retrying would not help.
    if (!socket.active) final = final ?? "refused";
    indicate(final ?? away());
  });

  function away() {
    return restarting ? "restarting" : "reconnecting";
  }

  function comeBack() {
    const [least, most] = COME_BACK_MS;
    setTimeout(() => {
      if (!final && !socket.connected) socket.connect();
    }, least + Math.random() * (most - least));
  }
}
