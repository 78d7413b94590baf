// Roster import on the admin console: check a file (a dry run that writes nothing), show what would be added and
// what is wrong row by row, then import it. The upload goes through XMLHttpRequest, the one browser API that
// reports upload progress; every text from the file reaches the page through textContent only.
import { base, csrfToken, el, errorText, notify, t } from "./api.js";
import { errorsTable, table } from "./import-report.js";

const $ = (id) => document.getElementById(id);
const PREVIEW_COLUMNS = ["full_name", "position", "organization", "point_code", "role_in_meeting"];

const columnLabel = (column) => (column ? t(`person.${column}`) : "—");

function renderReport(report) {
  const parts = [el("p", { text: t("import.summary", { valid: report.valid_rows, invalid: report.invalid_rows }) })];
  if (report.preview.length) {
    parts.push(
      el("h4", { text: t("import.preview") }),
      table([t("import.row"), ...PREVIEW_COLUMNS.map(columnLabel)], report.preview.map((row) => [row.row, ...PREVIEW_COLUMNS.map((c) => row[c])])),
    );
  }
  if (report.errors.length) {
    parts.push(el("h4", { text: t("import.errors") }), errorsTable(report.errors, columnLabel));
    if (report.error_count > report.errors.length) parts.push(el("p", { class: "hint", text: t("import.errors_more", { shown: report.errors.length, total: report.error_count }) }));
  }
  $("import-report").replaceChildren(...parts);
}

function showProgress(text, percent) {
  $("import-progress-box").hidden = text === null;
  $("import-state").textContent = text ?? "";
  // A <progress> without a value is indeterminate: the server is working and cannot say how far it is.
  if (percent === undefined) $("import-progress").removeAttribute("value");
  else $("import-progress").value = percent;
}

/** POST the file; resolves with the status and the decoded answer, whatever the status. */
function send(file, dryRun, skipInvalid) {
  return new Promise((resolve, reject) => {
    const request = new XMLHttpRequest();
    request.open("POST", `/api/v1${base}/participants/import?dry_run=${dryRun}&skip_invalid=${skipInvalid}`);
    request.setRequestHeader("X-CSRF-Token", csrfToken);
    request.setRequestHeader("Accept", "application/json");
    request.upload.onprogress = (event) => {
      if (event.lengthComputable) showProgress(t("import.uploading", { percent: Math.round((100 * event.loaded) / event.total) }), (100 * event.loaded) / event.total);
    };
    request.upload.onload = () => showProgress(t("import.processing"));
    request.onload = () => {
      let body = null;
      try {
        body = JSON.parse(request.responseText);
      } catch {
        body = { error: { code: `http_${request.status}`, message: request.statusText } };
      }
      resolve({ status: request.status, body });
    };
    request.onerror = () => reject(new Error(t("error.network")));
    const form = new FormData();
    form.append("file", file);
    showProgress(t("import.uploading", { percent: 0 }), 0);
    request.send(form);
  });
}

/** Wire the import panel; `onImported` reloads the roster after rows were added. */
export function setupImport(onImported) {
  const form = $("import-form");
  const fileInput = form.elements.file;
  const skip = $("import-skip");
  let checked = null;

  const refreshRun = () => {
    const usable = checked && checked.valid_rows > 0 && (checked.errors.length === 0 || skip.checked);
    $("import-run").disabled = !usable;
  };

  const reset = () => {
    checked = null;
    skip.checked = false;
    $("import-skip-label").hidden = true;
    $("import-report").replaceChildren();
    refreshRun();
  };

  async function run(button, dryRun) {
    const file = fileInput.files[0];
    if (!file) {
      notify(t("import.need_file"), "error");
      return;
    }
    button.disabled = true;
    try {
      const { status, body } = await send(file, dryRun, skip.checked);
      if (status === 200 && dryRun) {
        checked = body;
        renderReport(body);
        $("import-skip-label").hidden = body.errors.length === 0 || body.valid_rows === 0;
      } else if (status === 201) {
        notify(t("import.done", { n: body.created }));
        form.reset();
        reset();
        await onImported();
      } else {
        if (body.error?.code === "import_invalid") renderReport(body.error.details);
        notify(errorText(body.error), "error");
      }
    } catch (failure) {
      // The upload never reached the server (the network dropped): the browser's own message is in its language.
      notify(t("error.network"), "error");
    } finally {
      showProgress(null);
      button.disabled = false;
      refreshRun();
    }
  }

  fileInput.addEventListener("change", reset);
  skip.addEventListener("change", refreshRun);
  $("import-check").addEventListener("click", (event) => run(event.currentTarget, true));
  $("import-run").addEventListener("click", (event) => run(event.currentTarget, false));
  reset();
}
