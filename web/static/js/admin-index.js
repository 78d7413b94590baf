// The admin's workshop list: create a workshop and open its set-up console; staff accounts and their lockouts.
import { act, api, el, errorText, formatDateTime, formValues, fromLocalInput, notify, t } from "./api.js";
import { labelInputs } from "./inputs.js";

const form = document.getElementById("conference-create");

form.addEventListener("submit", (event) => {
  event.preventDefault();
  const values = formValues(form);
  act(form.querySelector("button"), async () => {
    const created = await api("POST", "/conferences", { ...values, starts_at: fromLocalInput(values.starts_at) }, { idempotent: true });
    notify(t("admin.created"));
    window.location.assign(`/admin/${created.id}`);
  });
});

// ---- staff accounts -------------------------------------------------------------------------------------

const staffRows = document.getElementById("staff-rows");
const addressForm = document.getElementById("address-lift");

function staffStatus(user) {
  if (user.locked_until) return t("admin.locked_until", { time: formatDateTime(user.locked_until) });
  if (user.failed_logins > 0) return t("admin.failed_logins", { count: user.failed_logins });
  return t("admin.staff_ok");
}

function staffRow(user) {
  const unlock = user.locked_until
    ? el("button", { type: "button", on: { click: (event) => unlockUser(event.currentTarget, user) } }, t("admin.unlock"))
    : null;
  return el(
    "tr",
    { dataset: { userId: user.id, locked: user.locked_until ? "true" : "false" } },
    el("th", { scope: "row", text: user.username }),
    el("td", { text: user.full_name ?? "" }),
    el("td", { text: t(`role.${user.role}`) }),
    el("td", { text: staffStatus(user) }),
    el("td", { class: "row-actions" }, unlock),
  );
}

async function loadStaff() {
  const users = await api("GET", "/users");
  staffRows.replaceChildren(...users.items.map(staffRow));
}

function unlockUser(button, user) {
  act(button, async () => {
    await api("POST", `/users/${user.id}/unlock`);
    notify(t("admin.unlocked", { name: user.username }));
    await loadStaff();
  });
}

addressForm.addEventListener("submit", (event) => {
  event.preventDefault();
  const { address } = formValues(addressForm);
  act(addressForm.querySelector("button"), async () => {
    const lifted = await api("POST", "/lockouts/lift", { address });
    notify(t(lifted.lifted ? "admin.address_lifted" : "admin.address_not_blocked", { address: lifted.address }));
    addressForm.reset();
  });
});

labelInputs();
loadStaff().catch((error) => notify(errorText(error), "error"));
