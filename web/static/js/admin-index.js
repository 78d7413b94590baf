// The admin's workshop list: create a workshop and open its set-up console.
import { act, api, formValues, fromLocalInput, notify, t } from "./api.js";

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
