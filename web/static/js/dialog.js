// Asking before an action, in the page's language: a modal <dialog> instead of the browser's confirm(), which
// speaks the browser's language, cannot say what the buttons do, and cannot be styled.
import { el, t } from "./api.js";

let opened = 0;

// showModal() makes the page behind inert; Tab and Shift+Tab also wrap here, so focus never leaves for the browser's bar.
function trapFocus(dialog, event) {
  if (event.key !== "Tab") return;
  const buttons = [...dialog.querySelectorAll("button:not([disabled])")];
  const first = buttons[0];
  const last = buttons[buttons.length - 1];
  if (event.shiftKey && document.activeElement === first) {
    event.preventDefault();
    last.focus();
  } else if (!event.shiftKey && document.activeElement === last) {
    event.preventDefault();
    first.focus();
  }
}

/**
 * Ask `message`; resolves true when confirmed, false when cancelled (the cancel button or Escape).
 * `confirm` names the action ("Xoá", "Bế mạc"); `danger` marks an action that cannot be taken back.
 * Focus starts on cancel, so a stray Enter never does the harm, and returns where it was afterwards.
 */
export function confirmDialog(message, { confirm = t("dialog.confirm"), cancel = t("dialog.cancel"), danger = false } = {}) {
  opened += 1;
  const id = `confirm-dialog-${opened}`;
  const ok = el("button", { type: "button", class: danger ? "button-danger" : "button-primary", text: confirm, dataset: { answer: "confirm" } });
  const no = el("button", { type: "button", text: cancel, dataset: { answer: "cancel" } });
  const dialog = el(
    "dialog",
    { class: "confirm-dialog", "aria-labelledby": `${id}-title`, "aria-describedby": `${id}-text` },
    el("h2", { id: `${id}-title`, text: t("dialog.title") }),
    el("p", { id: `${id}-text`, text: message }),
    el("div", { class: "actions" }, no, ok),
  );
  const before = document.activeElement;
  document.body.append(dialog);
  return new Promise((resolve) => {
    ok.addEventListener("click", () => dialog.close("confirm"));
    no.addEventListener("click", () => dialog.close("cancel"));
    dialog.addEventListener("keydown", (event) => trapFocus(dialog, event));
    // Escape fires `cancel` and closes with an empty returnValue: a no.
    dialog.addEventListener("close", () => {
      dialog.remove();
      if (before instanceof HTMLElement && before.isConnected) before.focus();
      resolve(dialog.returnValue === "confirm");
    }, { once: true });
    dialog.showModal();
    no.focus();
  });
}
