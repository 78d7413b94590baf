// The workshop's state as a participant's console shows it: a banner that says what has closed and why, and
// the parts that closed with it disabled at once, so that nobody types a comment the server would refuse.
import { api, base, el, formatTime, t } from "./api.js";

const COLLECTION_CLOSED = ["collection_closed", "closed"];

/** Close a part: a form's controls or a button disabled, anything else inert; reopening undoes only that. */
function closePart(part, closed) {
  part.classList.toggle("is-closed", closed);
  if (part.tagName === "BUTTON") {
    part.disabled = closed;
    return;
  }
  if (part.tagName !== "FORM") {
    // Lists that redraw themselves (the roster) cannot keep a disabled flag on each control: inert covers them.
    part.inert = closed;
    return;
  }
  for (const control of part.elements) {
    if (closed && !control.disabled) {
      control.disabled = true;
      control.dataset.closedByState = "";
    } else if (!closed && "closedByState" in control.dataset) {
      control.disabled = false;
      delete control.dataset.closedByState;
    }
  }
}

/**
 * Follow the conference's status. `region` is a polite live region that stays in the page (a region that
 * appears with its text is not read out), and the banner is drawn inside it. `collecting` parts take new
 * input and close with collection; `live` parts close when the workshop ends. `texts` names this console's
 * catalog keys: {collection_closed, closed} (the latter gets the close time as {time}); a console without a
 * collection_closed text shows no banner for it. The body's data-conference-status lets the stylesheet follow.
 */
export function followState({ region, collecting = [], live = [], texts, onChange = () => {} }) {
  const state = { status: null };

  function render(conference) {
    const { status } = conference;
    const collectionClosed = COLLECTION_CLOSED.includes(status);
    collecting.forEach((part) => closePart(part, collectionClosed));
    live.forEach((part) => closePart(part, status === "closed"));
    document.body.dataset.conferenceStatus = status;
    if (status === state.status) return;
    state.status = status;
    const banner = status === "closed"
      ? [t("state.ended_title"), t(texts.closed, { time: formatTime(conference.closed_at) })]
      : collectionClosed && texts.collection_closed ? [t("state.collection_closed_title"), t(texts.collection_closed)] : null;
    region.replaceChildren(...(banner ? [el(
      "div",
      { class: `state-banner state-${status}` },
      el("p", { class: "state-banner-title", text: banner[0] }),
      el("p", { text: banner[1] }),
    )] : []));
    onChange(status);
  }

  return {
    get status() { return state.status; },
    render,
    // The event says only the new status; the close time comes with the conference.
    handlers: { "conference.state_changed": async () => render(await api("GET", base)) },
  };
}
