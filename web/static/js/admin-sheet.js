// The printable sheet of every invitation link, per bridge point: the operator's, the delegates', and the
// displays', each with its QR code (drawn by the server), so a phone opens its link without typing it. It is a
// print layout of the admin page: screen shows it, print prints it.
import { conferenceId, el, formatDateTime, t } from "./api.js";

const $ = (id) => document.getElementById(id);

/** Under a new signing key the server cannot show a link made before: say so where the link would be, and what to do. */
export function staleNote(invitation) {
  const since = invitation.key_changed_at;
  const text = since ? t("admin.link_stale", { time: formatDateTime(since) }) : t("admin.link_stale_undated");
  return el("span", { class: "link-stale", text });
}

function linkLine(label, invitation) {
  // Printing a link that opens nothing would be worse than printing none.
  if (invitation.url_works === false) return el("li", {}, el("span", { class: "sheet-label", text: label }), staleNote(invitation));
  return el(
    "li",
    {},
    el("span", { class: "sheet-label", text: label }),
    el("code", { class: "sheet-url", text: invitation.url }),
    el("img", { class: "sheet-qr", src: `/admin/${conferenceId}/invitations/${invitation.id}/qr.svg`, alt: t("sheet.qr_of", { who: label }) }),
  );
}

function pointBlock(point, state) {
  const live = state.invitations.filter((i) => i.state === "active");
  const operator = live.find((i) => i.role === "operator" && i.point_id === point.id);
  const people = new Map(state.people.map((p) => [p.id, p]));
  const delegates = live.filter((i) => i.role === "delegate" && people.get(i.participant_id)?.point_id === point.id);
  return el(
    "section",
    { class: "sheet-point" },
    el("h2", { text: `${point.name} (${point.code})` }),
    el("ul", { class: "sheet-links" },
      operator ? linkLine(t("sheet.operator"), operator) : el("li", { class: "meta", text: t("sheet.no_operator") }),
      delegates.map((i) => {
        const person = people.get(i.participant_id);
        return linkLine(`${t("role.delegate")}: ${[person.full_name, person.position].filter(Boolean).join(", ")}`, i);
      }),
    ),
  );
}

export function openSheet(state) {
  const displays = state.invitations.filter((i) => i.role === "display" && i.state === "active");
  $("sheet-body").replaceChildren(
    ...state.points.map((point) => pointBlock(point, state)),
    el("section", { class: "sheet-point" },
      el("h2", { text: t("admin.display_links") }),
      el("ul", { class: "sheet-links" }, displays.length
        ? displays.map((i) => linkLine(t("role.display"), i))
        : el("li", { class: "meta", text: t("sheet.no_display") }))),
  );
  document.body.classList.add("show-sheet");
  $("setup").hidden = true;
  $("sheet").hidden = false;
  window.scrollTo(0, 0);
}

function closeSheet() {
  document.body.classList.remove("show-sheet");
  $("sheet").hidden = true;
  $("setup").hidden = false;
}

$("sheet-print").addEventListener("click", () => window.print());
$("sheet-close").addEventListener("click", closeSheet);
