// The audit trail on the admin page: every staff action as a sentence, filtered by who, what and when.
import { api, base, el, formatDateTime, formValues, fromLocalInput, option, t } from "./api.js";

const $ = (id) => document.getElementById(id);

function actionLabel(action) {
  const key = `audit.action.${action}`;
  const label = t(key);
  return label === key ? action : label;
}

export function createAudit() {
  const known = { actors: new Map(), actions: new Set() };

  // The choices grow with what the trail holds, so a filter never offers someone who did nothing.
  function remember(items) {
    const actor = $("audit-actor");
    const action = $("audit-action");
    for (const entry of items) {
      if (!known.actors.has(entry.actor)) {
        known.actors.set(entry.actor, entry.actor_name);
        actor.append(option(entry.actor, entry.actor_name));
      }
      if (!known.actions.has(entry.action)) {
        known.actions.add(entry.action);
        action.append(option(entry.action, actionLabel(entry.action)));
      }
    }
  }

  async function load() {
    const values = formValues($("audit-filters"));
    const query = new URLSearchParams();
    if (values.actor) query.set("actor", values.actor);
    if (values.action) query.set("action", values.action);
    if (values.since) query.set("since", fromLocalInput(values.since));
    if (values.until) query.set("until", fromLocalInput(values.until));
    const { items } = await api("GET", `${base}/audit?${query}`);
    remember(items);
    const rows = items.map((entry) => el("tr", { dataset: { id: entry.id } },
      el("td", {}, formatDateTime(entry.at)),
      el("td", {}, entry.actor_name),
      // The sentence for people; the request it came from stays one hover away for whoever investigates.
      el("td", { class: "audit-sentence", title: [entry.details.method, entry.details.path].filter(Boolean).join(" ") || null },
        entry.sentence),
      el("td", {}, entry.address ?? ""),
    ));
    $("audit-rows").replaceChildren(...(rows.length ? rows : [el("tr", {}, el("td", { colspan: 4 }, t("audit.empty")))]));
  }

  $("audit-filters").addEventListener("submit", (event) => {
    event.preventDefault();
    load();
  });
  return { load };
}
