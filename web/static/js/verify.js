// Checking a receipt: the server says whether the contribution is in the frozen record, with the Merkle path from
// the receipt to the root the record prints; where the browser can hash, the path is recomputed here too.
import { api, el, errorText, t } from "./api.js";

const $ = (id) => document.getElementById(id);
const form = $("verify-form");
const input = $("receipt-input");
const result = $("verify-result");
const conference = form.dataset.conference;
const RECEIPT = /^[0-9a-f]{64}$/;

// ---- the Merkle path ------------------------------------------------------------------------------------

const fromHex = (hex) => Uint8Array.from(hex.match(/../g), (pair) => parseInt(pair, 16));
const toHex = (bytes) => Array.from(new Uint8Array(bytes), (b) => b.toString(16).padStart(2, "0")).join("");

/** Whether the path leads from the receipt to the root; null where the browser cannot hash (no secure context). */
async function provesRoot(receipt, proof, root) {
  if (!crypto.subtle || !Array.isArray(proof) || !root) return null;
  let node = fromHex(receipt);
  for (const step of proof) {
    if (!RECEIPT.test(step.hash ?? "")) return false;
    // "left": the sibling is the left half of the parent.
    const [left, right] = step.side === "left" ? [fromHex(step.hash), node] : [node, fromHex(step.hash)];
    const joined = new Uint8Array(64);
    joined.set(left);
    joined.set(right, 32);
    node = new Uint8Array(await crypto.subtle.digest("SHA-256", joined));
  }
  return toHex(node) === root;
}

// ---- the answer in words --------------------------------------------------------------------------------

/** A message whose {placeholders} may be nodes (a hash in monospace), as text and those nodes. */
function sentence(key, values) {
  return t(key).split(/\{(\w+)\}/).map((part, i) => (i % 2 ? values[part] ?? `{${part}}` : part));
}

const hash = (value) => el("code", { class: "hash", text: value });
const capital = (text) => text.charAt(0).toLocaleUpperCase() + text.slice(1);

/** "góp ý số 12 (Điều 5)" or "ý kiến số 3": what the receipt stands for, in the sentence's middle. A contribution
 * the record does not hold has no number in it. */
function what(answer) {
  const numbered = answer.number !== null && answer.number !== undefined;
  const where = answer.section ? ` (${answer.section})` : "";
  if (answer.kind === "remark") return numbered ? t("verify.what_remark", { n: answer.number }) : t("verify.what_remark_any");
  return numbered ? t("verify.what_comment", { n: answer.number, where }) : t("verify.what_comment_any", { where });
}

function show(state, ...lines) {
  result.dataset.state = state;
  result.replaceChildren(...lines.filter(Boolean));
}

const line = (cls, ...parts) => el("p", { class: cls }, ...parts);

// Each check counts; an answer (or a proof) that arrives after a newer check was asked is not shown.
let asked = 0;

async function explain(receipt, answer, ask) {
  if (ask !== asked) return;
  if (answer.included) {
    show("included", line("verify-verdict", ...sentence("verify.included", { what: capital(what(answer)), seal: hash(answer.frozen_sha256) })));
    const proved = await provesRoot(receipt, answer.proof, answer.root);
    if (proved === null || ask !== asked) return;
    result.append(proved
      ? line("verify-local", ...sentence("verify.proved", { root: hash(answer.root) }))
      : line("verify-local verify-mismatch", t("verify.not_proved")));
    result.dataset.local = proved ? "proved" : "mismatch";
  } else if (!answer.frozen_sha256) {
    show("pending", line("verify-verdict", t("verify.pending", { what: what(answer) })));
  } else {
    show("excluded", line("verify-verdict", ...sentence("verify.excluded", { what: what(answer), seal: hash(answer.frozen_sha256) })));
  }
}

async function check(raw) {
  // Pasted from a wrapped line or typed in capitals, it is still the same receipt.
  const receipt = raw.replace(/\s+/g, "").toLowerCase();
  const ask = ++asked;
  delete result.dataset.local;
  if (!RECEIPT.test(receipt)) {
    show("invalid", line("verify-verdict", t("verify.bad_shape")));
    return;
  }
  if (!conference || !document.body.dataset.role) {
    show("no_session", line("verify-verdict", t("verify.no_session")));
    return;
  }
  remember(receipt);
  show("checking", line("verify-verdict", t("verify.checking")));
  try {
    await explain(receipt, await api("GET", `/conferences/${conference}/receipts/${receipt}`), ask);
  } catch (failure) {
    if (!failure.code) throw failure;
    if (ask !== asked) return;
    // Another person's receipt answers as an unknown one, so receipts cannot be probed.
    if (failure.status === 404 || failure.status === 403) show("not_found", line("verify-verdict", t("verify.not_found")), line("hint", t("verify.not_found_hint")));
    else if (failure.status === 400) show("invalid", line("verify-verdict", t("verify.bad_shape")));
    else if (failure.status === 401) show("no_session", line("verify-verdict", t("verify.no_session")));
    else show("error", line("verify-verdict", errorText(failure)));
  }
}

/** The receipt in the address, so a reload or the language switch checks it again. */
function remember(receipt) {
  const url = new URL(window.location.href);
  url.searchParams.set("receipt", receipt);
  if (conference) url.searchParams.set("c", conference);
  window.history.replaceState(null, "", url);
  for (const link of document.querySelectorAll(".lang-switch a")) {
    const target = new URL(link.href);
    target.searchParams.set("next", url.pathname + url.search);
    link.href = target.toString();
  }
}

form.addEventListener("submit", (event) => {
  event.preventDefault();
  const button = form.querySelector("button");
  button.disabled = true;
  check(input.value).finally(() => { button.disabled = false; });
});

if (input.value.trim()) await check(input.value);
else if (!conference || !document.body.dataset.role) show("no_session", line("verify-verdict", t("verify.no_session")));
