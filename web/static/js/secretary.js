// The secretary's console: the chair's inbox alone, at the same address, with the comments handed to it, the
// draft form and the saved answers. Nothing of the room (agenda, attendance, the close) is the secretary's.
import { api, base, conferenceId } from "./api.js";
import { createWork } from "./chair-assign.js";
import { createInbox } from "./chair-inbox.js";
import { connectLive } from "./live.js";

const $ = (id) => document.getElementById(id);
// Remarks name their agenda item only when the agenda is loaded, which is the chair's.
const inbox = createInbox(() => null);
const work = createWork($("feed"), $("inbox-bulk"), $("inbox-filters"));

async function load() {
  await inbox.load(await api("GET", base));
  await work.load();
}

const HANDLERS = { ...inbox.handlers, ...work.handlers };

await load();
connectLive(conferenceId, (event) => HANDLERS[event.type]?.(event.data), load);
