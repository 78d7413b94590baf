// What every console shares: the API call, the messages, times in the conference's zone, and DOM building.
// User text only ever reaches the page through textContent, never through HTML parsing.

export const csrfToken = document.querySelector('meta[name="csrf-token"]')?.content ?? "";
const messages = JSON.parse(document.getElementById("messages")?.textContent || "{}");

/** The page's context from the body's data- attributes (conferenceId, role, pointId, participantId, lang, seq, timezone). */
export const page = document.body.dataset;
export const conferenceId = Number(page.conferenceId) || null;
export const base = conferenceId ? `/conferences/${conferenceId}` : "";

/** A protocol error: `{code, message, details}` with the HTTP status. */
class ApiError extends Error {
  constructor(status, error) {
    super(error.message);
    this.status = status;
    this.code = error.code;
    this.details = error.details ?? {};
  }
}

// The projector PC or the operator's laptop may have a wrong clock; timers count from the server's.
let clockSkew = 0;

function noteServerClock(response) {
  const date = Date.parse(response.headers.get("Date") ?? "");
  if (!Number.isNaN(date)) clockSkew = date - Date.now();
}

function serverNow() {
  return Date.now() + clockSkew;
}

// randomUUID exists only in secure contexts; a workshop LAN served over plain http is not one.
export function newKey() {
  if (crypto.randomUUID) return crypto.randomUUID();
  return Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, "0")).join("");
}

const RETRY_DELAYS = [500, 2000];

/**
 * Call /api/v1. With `idempotent`, the request carries an Idempotency-Key and is retried with the same key
 * when the network drops: the server answers a repeat with the original result instead of creating twice.
 * With `key`, it carries that key (an outbox entry's) and is tried once: the outbox retries on its own.
 */
export async function api(method, path, body, { idempotent = false, key = null } = {}) {
  const headers = { Accept: "application/json" };
  let payload;
  if (body instanceof FormData) {
    payload = body;
  } else if (body !== undefined) {
    headers["Content-Type"] = "application/json";
    payload = JSON.stringify(body);
  }
  if (method !== "GET") headers["X-CSRF-Token"] = csrfToken;
  if (idempotent || key) headers["Idempotency-Key"] = key ?? newKey();
  const attempts = idempotent ? RETRY_DELAYS.length + 1 : 1;
  for (let attempt = 1; ; attempt += 1) {
    let response;
    try {
      response = await fetch(`/api/v1${path}`, { method, headers, body: payload, credentials: "same-origin" });
    } catch (networkError) {
      if (attempt >= attempts) throw new ApiError(0, { code: "network", message: networkError.message });
      await new Promise((resolve) => setTimeout(resolve, RETRY_DELAYS[attempt - 1]));
      continue;
    }
    noteServerClock(response);
    const data = await response.json().catch(() => null);
    if (!response.ok) {
      throw new ApiError(response.status, data?.error ?? { code: `http_${response.status}`, message: response.statusText });
    }
    return data;
  }
}

/** A message of the page's language, with `{name}` placeholders filled. */
export function t(key, values = {}) {
  const message = messages[key] ?? key;
  return message.replace(/\{(\w+)\}/g, (whole, name) => (name in values ? String(values[name]) : whole));
}

/** The text to show for a failed call, in the page's language: every code the server has has its own words. */
export function errorText(error) {
  const key = `error.${error.code}`;
  const text = key in messages ? t(key) : t("error.unknown");
  // Invalid input names its fields; say which, in the page's words where we have them.
  const fields = error.code === "invalid" ? Object.keys(error.details ?? {}) : [];
  return fields.length ? `${text}: ${fields.map((name) => messages[`field.${name}`] ?? name).join(", ")}` : text;
}

// ---- DOM ------------------------------------------------------------------------------------------------

/**
 * Build an element. `props`: class, text, dataset, on ({event: handler}), value, and any attribute;
 * children are nodes or strings (strings become text nodes).
 */
export function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(props)) {
    if (value === undefined || value === null || value === false) continue;
    if (name === "class") node.className = value;
    else if (name === "text") node.textContent = value;
    else if (name === "dataset") Object.assign(node.dataset, value);
    else if (name === "on") for (const [event, handler] of Object.entries(value)) node.addEventListener(event, handler);
    else if (name === "value") node.value = value;
    else node.setAttribute(name, value === true ? "" : value);
  }
  node.append(...children.flat().filter((child) => child !== null && child !== undefined && child !== false));
  return node;
}

/** The server's word runs (equal, insert, delete) as text, <ins> and <del>; a deletion and the insertion that
 * replaces it touch, so a space parts them. */
export function runNodes(runs) {
  return runs.flatMap((run, i) => {
    const node = run.op === "equal" ? document.createTextNode(run.text) : el(run.op === "insert" ? "ins" : "del", { text: run.text });
    const touching = i > 0 && !/\s$/.test(runs[i - 1].text) && !/^\s/.test(run.text);
    return touching ? [document.createTextNode(" "), node] : [node];
  });
}

/** An <option>; `selected` is the current choice only, so a form reset goes back to the first option. */
export function option(value, label, selected = false) {
  const node = el("option", { value: value ?? "", text: label });
  node.selected = selected;
  return node;
}

/** Form fields as an object: trimmed strings, empty ones left out. */
export function formValues(form) {
  const values = {};
  for (const [name, value] of new FormData(form)) {
    if (typeof value === "string" && value.trim() !== "") values[name] = value.trim();
  }
  return values;
}

// Long enough to read an error that says what to do; the timer waits while the pointer or focus is on the toast.
const NOTICE_MS = { info: 5000, error: 15000 };
let noticeTimer;

function hideNotice() {
  clearTimeout(noticeTimer);
  const notice = document.getElementById("notice");
  if (notice) notice.hidden = true;
}

function noticeParts(notice) {
  let text = notice.querySelector(".notice-text");
  if (!text) {
    text = el("span", { class: "notice-text" });
    // The × is drawn by CSS, so the toast's text is the message alone; the button's name says what it does.
    const close = el("button", { type: "button", class: "notice-close", "aria-label": t("notice.close"), on: { click: hideNotice } });
    notice.replaceChildren(text, close);
    const hold = () => clearTimeout(noticeTimer);
    const resume = () => { noticeTimer = setTimeout(hideNotice, NOTICE_MS[notice.dataset.kind] ?? NOTICE_MS.info); };
    notice.addEventListener("pointerenter", hold);
    notice.addEventListener("pointerleave", resume);
    notice.addEventListener("focusin", hold);
    notice.addEventListener("focusout", resume);
  }
  return text;
}

document.addEventListener("keydown", (event) => {
  // Escape belongs to an open dialog first; otherwise it dismisses the toast.
  if (event.key !== "Escape" || event.defaultPrevented || document.querySelector("dialog[open]")) return;
  if (!document.getElementById("notice")?.hidden) hideNotice();
});

/** A short message in the page's toast; it can be dismissed (× or Escape) and goes by itself, an error later. */
export function notify(text, kind = "info") {
  const notice = document.getElementById("notice");
  noticeParts(notice).textContent = text;
  notice.dataset.kind = kind;
  notice.hidden = false;
  clearTimeout(noticeTimer);
  noticeTimer = setTimeout(hideNotice, NOTICE_MS[kind] ?? NOTICE_MS.info);
}

/** Run an action from a button or form, show its error, and keep the control disabled while it runs. */
export async function act(control, action) {
  control.disabled = true;
  try {
    return await action();
  } catch (error) {
    if (!(error instanceof ApiError)) throw error;
    notify(errorText(error), "error");
    return undefined;
  } finally {
    control.disabled = false;
  }
}

/** Call `fn` once input has paused for `ms`. */
export function debounce(fn, ms) {
  let timer;
  return (...args) => {
    clearTimeout(timer);
    timer = setTimeout(() => fn(...args), ms);
  };
}

// ---- time -----------------------------------------------------------------------------------------------

const locale = page.lang === "en" ? "en-GB" : "vi-VN";
const timeZone = page.timezone || "Asia/Ho_Chi_Minh";
const timeFormat = new Intl.DateTimeFormat(locale, { timeZone, hour: "2-digit", minute: "2-digit" });

export function formatTime(iso) {
  return iso ? timeFormat.format(new Date(iso)) : "";
}

/** dd/mm/yyyy HH:MM in the conference's zone, as Vietnamese documents write it (and in English too: one form). */
export function formatDateTime(iso) {
  if (!iso) return "";
  const parts = Object.fromEntries(partsFormat.formatToParts(new Date(iso)).map((p) => [p.type, p.value]));
  return `${parts.day}/${parts.month}/${parts.year} ${parts.hour}:${parts.minute}`;
}

/** Milliseconds since an ISO time, by the server's clock. */
export function elapsedSince(iso) {
  return serverNow() - Date.parse(iso);
}

// The conference zone has no daylight saving, but asking Intl keeps this right for any zone.
const partsFormat = new Intl.DateTimeFormat("en-GB", {
  timeZone, year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit", hourCycle: "h23",
});

/** An ISO time as the value of an <input type="datetime-local"> in the conference's zone. */
export function toLocalInput(iso) {
  const parts = Object.fromEntries(partsFormat.formatToParts(new Date(iso)).map((p) => [p.type, p.value]));
  return `${parts.year}-${parts.month}-${parts.day}T${parts.hour}:${parts.minute}`;
}

/** A datetime-local value read in the conference's zone, as ISO 8601 with its offset. */
export function fromLocalInput(value) {
  const asUtc = Date.parse(`${value}:00Z`);
  const shown = Date.parse(`${toLocalInput(new Date(asUtc).toISOString())}:00Z`);
  const offsetMinutes = Math.round((shown - asUtc) / 60000);
  const sign = offsetMinutes < 0 ? "-" : "+";
  const abs = Math.abs(offsetMinutes);
  return `${value}:00${sign}${String(Math.floor(abs / 60)).padStart(2, "0")}:${String(abs % 60).padStart(2, "0")}`;
}

// ---- drafts ---------------------------------------------------------------------------------------------

const ROMAN = [[10, "X"], [9, "IX"], [5, "V"], [4, "IV"], [1, "I"]];

function roman(n) {
  let rest = n;
  let out = "";
  for (const [value, letters] of ROMAN) {
    while (rest >= value) { out += letters; rest -= value; }
  }
  return out;
}

// Anchors spell đ as dd (diem-dd); show the letter again.
const POINT_LETTER = { dd: "đ" };

/** "dieu-3.khoan-2.diem-a" → "Điều 3, khoản 2, điểm a"; no anchor → the draft as a whole. */
export function sectionLabel(anchor) {
  if (!anchor) return t("section.general");
  if (anchor === "mo-dau") return t("section.preamble");
  return anchor.split(".").map((part) => {
    const [, kind, number] = part.match(/^([a-z]+)-(.+)$/) ?? [null, part, ""];
    if (kind === "chuong") return t("section.chapter", { n: /^\d+$/.test(number) ? roman(Number(number)) : number });
    if (kind === "muc") return t("section.section", { n: number });
    if (kind === "dieu") return t("section.article", { n: number });
    if (kind === "khoan") return t("section.clause", { n: number });
    if (kind === "diem") return t("section.point", { n: POINT_LETTER[number] ?? number });
    return part;
  }).join(", ");
}

export const DISPOSITIONS = ["accepted", "partly_accepted", "noted", "declined"];

function fileSize(bytes) {
  return bytes >= 1024 * 1024 ? `${(bytes / 1024 / 1024).toFixed(1)} MB` : `${Math.max(1, Math.round(bytes / 1024))} KB`;
}

// A remark's attached paper as a download link, or nothing when it has none.
export function attachmentLink(file) {
  if (!file) return null;
  return el("p", { class: "attachment" }, el("a", {
    class: "attachment-link", href: file.url, download: file.name, text: t("remark.attachment", { name: file.name, size: fileSize(file.size) }),
  }));
}
