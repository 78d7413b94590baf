// The live connection of a console: socket.io, join with the last applied seq, replay or snapshot, and the
// connection indicator in the header.
import { io } from "/static/vendor/socket.io/socket.io.esm.min.js";
import { page, t } from "./api.js";
import { Cursor } from "./cursor.js";

const RETRY_MS = 3000;
const LOST_AFTER_MS = 1000;

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
  const socket = io({ transports: ["websocket"] });

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
      indicate("refused");
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
    indicate("online");
    onJoined();
  }

  function rejoin() {
    join().catch(() => {
      // A failed join or reload leaves the console unsure of its state: start over on a fresh connection.
      waiting = null;
      indicate("reconnecting");
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

  // The invitation behind this console was revoked, reissued or has expired: the server disconnects us next,
  // and reconnecting with the same token or session would be refused.
  let ended = false;
  socket.on("session.revoked", () => {
    ended = true;
    indicate("revoked");
  });

  socket.on("disconnect", () => indicate(ended ? "revoked" : "reconnecting"));
  socket.on("connect_error", () => {
    // socket.active is false when the server refused us (the session ended): retrying would not help.
    indicate(socket.active ? "reconnecting" : "refused");
  });
}
