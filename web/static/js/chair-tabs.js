// The chair's console in panes: one at a time on a laptop or a phone, the floor and the inbox side by side on a
// wide screen. The chosen pane is in the address (#hop-thu), so a reload or a shared link opens it again. A hidden
// pane is only hidden: its events keep it current, and its tab counts what came in while it was out of sight.
import { t } from "./api.js";

// From here the floor and the inbox each get some 800 px side by side (a 1920 px screen, not a 1366 px laptop).
const WIDE = window.matchMedia("(min-width: 1600px)");
const PAIRED = ["dieu-hanh", "hop-thu"];
const KEYS = { ArrowRight: 1, ArrowLeft: -1, Home: "first", End: "last" };

/** `onShow(names)` runs each time the chair changes panes, with the names of those now shown. */
export function createTabs(list, { onShow }) {
  const tabs = [...list.querySelectorAll('[role="tab"]')];
  const byName = new Map(tabs.map((tab) => [tab.dataset.pane, tab]));
  const unseen = new Map();
  let chosen = null;

  const pane = (tab) => document.getElementById(tab.getAttribute("aria-controls"));
  const shown = (name) => !pane(byName.get(name)).hidden;

  function paintBadge(name) {
    const { n, message } = unseen.get(name) ?? { n: 0 };
    const badge = byName.get(name).querySelector(".tab-badge");
    badge.hidden = n === 0;
    badge.textContent = n ? t(message, { n }) : "";
    badge.dataset.message = message ?? "";
  }

  function show(name, { focus = false, quiet = false } = {}) {
    chosen = byName.has(name) ? name : tabs[0].dataset.pane;
    const names = WIDE.matches && PAIRED.includes(chosen) ? PAIRED : [chosen];
    list.setAttribute("aria-multiselectable", String(names.length > 1));
    for (const [each, tab] of byName) {
      const on = names.includes(each);
      tab.setAttribute("aria-selected", String(on));
      tab.tabIndex = each === chosen ? 0 : -1;
      pane(tab).hidden = !on;
      if (on) { unseen.delete(each); paintBadge(each); }
    }
    if (focus) byName.get(chosen).focus();
    if (quiet) return;
    if (location.hash !== `#${chosen}`) history.replaceState(history.state, "", `#${chosen}`);
    onShow(names);
  }

  function move(from, key) {
    const at = tabs.indexOf(from);
    const to = KEYS[key] === "first" ? 0 : KEYS[key] === "last" ? tabs.length - 1 : (at + KEYS[key] + tabs.length) % tabs.length;
    show(tabs[to].dataset.pane, { focus: true });
  }

  for (const tab of tabs) {
    tab.addEventListener("click", () => show(tab.dataset.pane));
    tab.addEventListener("keydown", (event) => {
      if (!(event.key in KEYS)) return;
      event.preventDefault();
      move(tab, event.key);
    });
  }
  // A link to "#diem-cau" (the points line in the bar) opens that pane.
  window.addEventListener("hashchange", () => show(location.hash.slice(1)));
  WIDE.addEventListener("change", () => show(chosen));
  // The bar sticks under the header, whose height changes as its title wraps.
  const topbar = document.querySelector(".topbar");
  new ResizeObserver(() => document.body.style.setProperty("--topbar-height", `${topbar.offsetHeight}px`)).observe(topbar);
  // The console's first load fills every pane, and an address without a pane stays as it was.
  show(location.hash.slice(1), { quiet: true });

  return {
    /** Something new in a pane: its tab counts it while the pane is hidden. `message` says what, e.g. "{n} mới". */
    flag(name, message, n = 1) {
      if (shown(name)) return;
      const before = unseen.get(name)?.n ?? 0;
      unseen.set(name, { n: before + n, message });
      paintBadge(name);
    },
  };
}
