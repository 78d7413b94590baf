// Agenda import on the set-up console: the file's items go after the existing ones, all or none. A file with a
// bad row adds nothing, and the report names each row and column to fix. Imported items arrive through
// agenda.changed like any other edit.
import { act, api, base, el, notify, t } from "./api.js";
import { errorsTable } from "./import-report.js";

const COLUMNS = {
  title: "agenda.item_title",
  kind: "agenda.kind",
  planned_minutes: "agenda.planned_minutes",
  presenter: "agenda.presenter",
  point_code: "person.point_code",
  speech_limit_seconds: "agenda.speech_limit_seconds",
};

// The file's own column name goes with the page's word for it: that is what the admin finds in the sheet.
const columnLabel = (column) => (column ? `${COLUMNS[column] ? t(COLUMNS[column]) : column} (${column})` : "—");

export function setupAgendaImport() {
  const form = document.getElementById("agenda-import-form");
  const report = document.getElementById("agenda-import-report");
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const body = new FormData();
    body.append("file", form.elements.file.files[0]);
    report.replaceChildren();
    act(form.querySelector('button[type="submit"]'), async () => {
      try {
        const result = await api("POST", `${base}/agenda/import`, body, { idempotent: true });
        form.reset();
        notify(t("agenda.imported", { n: result.created }));
      } catch (error) {
        const errors = error.details?.errors;
        if (!errors) throw error;
        report.replaceChildren(el("p", { class: "alert", text: t("agenda.import_invalid") }), errorsTable(errors, columnLabel));
      }
    });
  });
}
