// The receipt under each comment and remark the delegate sent: its first characters, a button that copies it whole,
// and a link to the page that checks it against the official record.
import { conferenceId, el, notify, t } from "./api.js";

const SHORT = 12;
const EXPLAINED_KEY = "diemcau.receiptsExplained";

/** Whether the one-line explanation is still to be shown: until the delegate has copied or checked a receipt once. */
export const explained = () => localStorage.getItem(EXPLAINED_KEY) === "yes";

// Remembered only: the hint stays in place until the next drawing, so nothing moves under the finger that used it.
const used = () => localStorage.setItem(EXPLAINED_KEY, "yes");

// The Clipboard API exists only in secure contexts; a workshop LAN served over plain http is not one.
async function copyText(text) {
  if (navigator.clipboard?.writeText) {
    try {
      await navigator.clipboard.writeText(text);
      return true;
    } catch {
      // Refused (no permission, page not focused): the older way below may still work.
    }
  }
  const focused = document.activeElement;
  const area = el("textarea", { class: "visually-hidden", readonly: true, "aria-hidden": "true" });
  area.value = text;
  document.body.append(area);
  area.select();
  const copied = document.execCommand("copy");
  area.remove();
  focused?.focus();
  return copied;
}

/** The receipt's line, or nothing for a contribution made before receipts existed. */
export function receiptLine(receipt) {
  if (!receipt) return null;
  const short = `${receipt.slice(0, SHORT)}…`;
  // The whole value once focused (and as the title), wrapped, so a phone shows it without scrolling sideways. It
  // folds again only when the focus goes elsewhere: folding as the copy button is pressed would move the button
  // from under the finger before the press ends.
  const code = el("code", { class: "receipt-code", tabindex: "0", title: receipt, text: short, on: {
    focus: () => { code.textContent = receipt; },
    blur: (event) => { if (event.relatedTarget && !line.contains(event.relatedTarget)) code.textContent = short; },
  } });
  const copy = el("button", { type: "button", class: "receipt-copy", text: t("receipt.copy"), on: { click: async () => {
    used();
    if (await copyText(receipt)) notify(t("receipt.copied"));
    else notify(t("receipt.copy_failed"), "error");
  } } });
  const check = el("a", {
    class: "receipt-check", href: `/verify?${new URLSearchParams({ c: conferenceId, receipt })}`, target: "_blank",
    rel: "noopener", text: t("receipt.check"), "aria-label": t("receipt.check_label", { code: short }), on: { click: used },
  });
  const line = el("div", { class: "receipt", dataset: { receipt } },
    el("span", { class: "label", text: t("receipt.label") }), " ", code, " ", el("span", { class: "receipt-tools" }, copy, check));
  return line;
}
