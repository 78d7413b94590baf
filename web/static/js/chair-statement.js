// The chair's closing statement: generated from the figures until the chair rewrites it; frozen at close.
import { act, api, base, notify, t } from "./api.js";

const $ = (id) => document.getElementById(id);

export function createStatement() {
  const text = $("statement-text");
  const label = $("statement-state");
  let closed = false;
  let dirty = false;

  const countWords = () => {
    $("statement-words").textContent = t("statement.words", { n: text.value.split(/\s+/).filter(Boolean).length });
  };

  function show(statement) {
    // The chair's unsaved typing wins over a refresh caused by someone else's change of the figures.
    if (!dirty) text.value = statement.text;
    countWords();
    // Frozen at close, it is no longer a draft.
    $("statement-heading").textContent = t(closed ? "statement.title_frozen" : "statement.title");
    label.textContent = closed ? t("statement.locked") : t(statement.edited ? "statement.edited" : "statement.generated");
    text.readOnly = closed;
    $("statement-save").hidden = closed;
    $("statement-reset").hidden = closed || !statement.edited;
  }

  async function load(conference) {
    if (conference) closed = conference.status === "closed";
    show(await api("GET", `${base}/closing-statement`));
  }

  async function save(value) {
    const statement = await api("PUT", `${base}/closing-statement`, { text: value });
    dirty = false;
    show(statement);
    notify(t("statement.saved"));
  }

  text.addEventListener("input", () => { dirty = true; countWords(); });
  $("statement-save").addEventListener("click", (event) => act(event.target, () => save(text.value)));
  $("statement-reset").addEventListener("click", (event) => act(event.target, () => save(null)));

  return {
    load,
    handlers: {
      "summary.statement_changed": () => load(),
      "conference.state_changed": (data) => { closed = data.status === "closed"; load(); },
    },
  };
}
