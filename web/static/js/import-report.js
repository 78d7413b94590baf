// The row-by-row report of an uploaded table (the roster or the agenda). The server's reasons are English; the
// page says them in its own words where it knows them. Every text from the file goes in through textContent.
import { el, t } from "./api.js";

const REASONS = [
  [/^must not be empty$/, "import.reason_empty"],
  [/^must not contain control characters$/, "import.reason_control"],
  [/^(?:is )?longer than (\d+) characters$/, "import.reason_too_long"],
  [/^not an email address$/, "import.reason_email"],
  [/^unknown point code$/, "import.reason_unknown_point"],
  [/^duplicate of row (\d+)$/, "import.reason_duplicate_row"],
  [/^already on the roster of this point$/, "import.reason_on_roster"],
  [/^missing column$/, "import.reason_missing_column"],
  [/^duplicate column$/, "import.reason_duplicate_column"],
  [/^no header row$/, "import.reason_no_header"],
  [/^bad encoding$/, "import.reason_encoding"],
  [/^more than (\d+) rows$/, "import.reason_too_many_rows"],
  [/^too many rows$/, "import.reason_too_many"],
  [/^empty file$/, "import.reason_empty_file"],
  [/^required$/, "import.reason_required"],
  [/^not a number$/, "import.reason_not_number"],
  [/^must be between (\d+) and (\d+)$/, "import.reason_between"],
  [/^one of (.+)$/, "import.reason_one_of"],
];

export function reasonText(reason) {
  for (const [pattern, key] of REASONS) {
    const match = reason.match(pattern);
    if (match) return t(key, { n: match[1] ?? "", m: match[2] ?? "" });
  }
  return reason;
}

/** A scrollable table of plain text cells. */
export function table(head, rows) {
  return el("div", { class: "table-scroll" }, el(
    "table",
    { class: "data-table" },
    el("thead", {}, el("tr", {}, head.map((label) => el("th", { scope: "col", text: label })))),
    el("tbody", {}, rows.map((cells) => el("tr", {}, cells.map((text) => el("td", { text: String(text ?? "") }))))),
  ));
}

/** The errors `[{row, column, reason}]` as a table; `columnLabel(column)` names a column in the page's words. */
export function errorsTable(errors, columnLabel) {
  return table(
    [t("import.row"), t("import.column"), t("import.reason")],
    errors.map((e) => [e.row, columnLabel(e.column), reasonText(e.reason)]),
  );
}
