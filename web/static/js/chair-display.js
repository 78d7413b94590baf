// The chair's hold on the big screen: the agenda, the speakers' list, a message, or a provision of the draft in
// one of its views (as published, with its proposals marked, revised). Every display follows display.changed;
// this panel says what is on the screen now, whoever put it there.
import { act, api, base, el, notify, option, sectionLabel, t } from "./api.js";

const PROJECTABLE = ["article", "clause", "point"];
const VIEWS = ["original", "diff", "revised"];
const $ = (id) => document.getElementById(id);

async function show(body) {
  const shown = await api("PUT", `${base}/display`, body);
  render(shown);
  notify(t("screen.shown"));
  return shown;
}

/** What the screen shows, in the panel's words, and which mode button is pressed. */
function render(shown) {
  const words = {
    agenda: () => t("screen.agenda"),
    speakers: () => t("screen.speakers"),
    message: () => `${t("screen.message")}: ${shown.text}`,
    section: () => `${sectionLabel(shown.anchor)} · ${t(`screen.view_${shown.view}`)}`,
  };
  $("screen-now").textContent = words[shown.mode]();
  for (const button of document.querySelectorAll("[data-screen-mode]")) {
    button.setAttribute("aria-pressed", String(button.dataset.screenMode === shown.mode));
  }
}

/**
 * A "Trình chiếu" button for a provision cited elsewhere (the inbox): it goes up in the view `viewOf()` names
 * (the one the chair reads it in), or else the one the panel has chosen.
 */
export function projectButton(section, viewOf = null) {
  if (!PROJECTABLE.includes(section.kind)) return null;
  const button = el("button", {
    type: "button",
    class: "project-button live-control",
    text: t("screen.project"),
    "aria-label": t("screen.project_section", { section: sectionLabel(section.anchor) }),
  });
  button.addEventListener("click", () => act(button, async () => {
    $("screen-section").elements.anchor.value = section.anchor;
    const view = viewOf?.() ?? $("screen-section").elements.view.value;
    $("screen-section").elements.view.value = view;
    await show({ mode: "section", anchor: section.anchor, view });
  }));
  return button;
}

export function createScreen() {
  const sectionForm = $("screen-section");
  const messageForm = $("screen-message");
  sectionForm.elements.view.replaceChildren(...VIEWS.map((view, i) => option(view, t(`screen.view_${view}`), i === 0)));

  for (const button of document.querySelectorAll("[data-screen-mode]")) {
    button.addEventListener("click", () => act(button, () => show({ mode: button.dataset.screenMode })));
  }
  sectionForm.addEventListener("submit", (event) => {
    event.preventDefault();
    const { anchor, view } = sectionForm.elements;
    act(sectionForm.querySelector("button"), () => show({ mode: "section", anchor: anchor.value, view: view.value }));
  });
  messageForm.addEventListener("submit", (event) => {
    event.preventDefault();
    act(messageForm.querySelector("button"), () => show({ mode: "message", text: messageForm.elements.text.value }));
  });

  async function load() {
    const drafts = await api("GET", `${base}/drafts`);
    const current = drafts.items[0];
    const sections = current ? (await api("GET", `${base}/drafts/${current.id}`)).sections : [];
    sectionForm.elements.anchor.replaceChildren(...sections
      .filter((s) => PROJECTABLE.includes(s.kind))
      .map((s) => option(s.anchor, s.kind === "article" && s.title ? `${sectionLabel(s.anchor)}. ${s.title}` : sectionLabel(s.anchor))));
    sectionForm.hidden = sections.length === 0;
    render(await api("GET", `${base}/display`));
  }

  return { load, handlers: { "display.changed": render } };
}
