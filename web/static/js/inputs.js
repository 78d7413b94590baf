// File and date inputs in the page's language. A native file input says "Choose file / No file chosen" in the
// browser's language, and a date input shows the browser's order (mm/dd/yyyy on an English system): each gets
// words of ours next to it, while the native control stays the one that is focused, typed into and submitted.
import { el, t } from "./api.js";

// A value set by a script fires no event: the element's own `value` setter also brings the words up to date.
function onValueSet(input, update) {
  const native = Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, "value");
  Object.defineProperty(input, "value", {
    configurable: true,
    get() { return native.get.call(this); },
    set(value) { native.set.call(this, value); update(); },
  });
  input.addEventListener("input", update);
  input.addEventListener("change", update);
  // A form's reset event comes before the fields are cleared.
  input.form?.addEventListener("reset", () => setTimeout(update));
}

let described = 0;

function describedBy(input, node) {
  described += 1;
  node.id = `input-words-${described}`;
  input.setAttribute("aria-describedby", [input.getAttribute("aria-describedby"), node.id].filter(Boolean).join(" "));
}

function labelFile(input) {
  const name = el("span", { class: "file-name" });
  const update = () => {
    const files = [...(input.files ?? [])];
    name.textContent = files.length ? files.map((file) => file.name).join(", ") : t("file.none");
    name.dataset.chosen = files.length > 0;
  };
  const picker = el("span", { class: "file-picker" }, el("span", { class: "file-button", "aria-hidden": "true", text: t("file.choose") }), name);
  input.classList.add("file-native");
  input.after(picker);
  // The native input stays in the label (clicking anywhere there opens the picker) and first in the picker's row.
  picker.prepend(input);
  describedBy(input, name);
  onValueSet(input, update);
  update();
}

// "2021-09-07T08:00" is "07/09/2021 08:00": the digits the field holds, in the order people here write a date.
function spelled(input) {
  const [, year, month, day, time] = input.value.match(/^(\d{4,})-(\d{2})-(\d{2})(?:T(\d{2}:\d{2}))?/) ?? [];
  if (!year) return t(input.type === "date" ? "date.format" : "date.format_time");
  return [`${day}/${month}/${year}`, time].filter(Boolean).join(" ");
}

function labelDate(input) {
  const words = el("span", { class: "date-words" });
  const update = () => {
    words.textContent = spelled(input);
    words.dataset.filled = Boolean(input.value);
  };
  input.after(words);
  describedBy(input, words);
  onValueSet(input, update);
  update();
}

/** Give every file and date input under `root` words in the page's language; each input is done once. */
export function labelInputs(root = document) {
  for (const input of root.querySelectorAll('input[type="file"]:not([data-labelled])')) {
    input.dataset.labelled = "";
    labelFile(input);
  }
  for (const input of root.querySelectorAll('input[type="date"]:not([data-labelled]), input[type="datetime-local"]:not([data-labelled])')) {
    input.dataset.labelled = "";
    labelDate(input);
  }
}
