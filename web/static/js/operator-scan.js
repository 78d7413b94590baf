// Check-in by badge: a keyboard-wedge scanner types the code into the field and presses Enter; where the
// browser can read QR codes itself, the camera does the same. What became of the last scan shows below.
import { el, notify, t } from "./api.js";

const $ = (id) => document.getElementById(id);
// A code held in front of the camera is seen on every frame: it counts again only after this long unseen.
const REPEAT_MS = 3000;

function shortCode(code) {
  return code.length > 32 ? `${code.slice(0, 31)}…` : code;
}

/**
 * Say what became of a scan. Answers come in the order of the scans, so the newest word always replaces the
 * one before: a line per scan would pile up faster than anyone at a door can read.
 */
export function showScan(text, kind) {
  const line = $("scan-result");
  line.textContent = text;
  line.dataset.kind = kind;
  line.hidden = false;
}

/** A code as the operator sees it, cut short if something long was scanned. */
export function codeLabel(code) {
  return t("scan.code", { code: shortCode(code) });
}

export function pendingText(code) {
  return t("scan.pending", { code: shortCode(code) });
}

let stream = null;
let frame = 0;

function stopCamera() {
  cancelAnimationFrame(frame);
  stream?.getTracks().forEach((track) => track.stop());
  stream = null;
  const video = $("camera");
  video.srcObject = null;
  video.hidden = true;
  $("camera-start").hidden = false;
  $("camera-stop").hidden = true;
}

async function startCamera(submit) {
  const video = $("camera");
  // Asking for the camera can take a while (the permission prompt): one request at a time.
  $("camera-start").disabled = true;
  try {
    stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" }, audio: false });
  } catch (error) {
    notify(t("scan.camera_failed", { message: error.message }), "error");
    return;
  } finally {
    $("camera-start").disabled = false;
  }
  video.srcObject = stream;
  video.hidden = false;
  $("camera-start").hidden = true;
  $("camera-stop").hidden = false;
  await video.play();
  const detector = new window.BarcodeDetector({ formats: ["qr_code"] });
  const lastSeen = new Map();
  const look = async () => {
    if (!stream) return;
    // detect() refuses a video that has no frame yet.
    const found = video.readyState >= video.HAVE_CURRENT_DATA ? await detector.detect(video) : [];
    const code = found[0]?.rawValue;
    if (code) {
      const now = Date.now();
      if (now - (lastSeen.get(code) ?? -Infinity) >= REPEAT_MS) submit(code);
      lastSeen.set(code, now);
    }
    if (stream) frame = requestAnimationFrame(look);
  };
  frame = requestAnimationFrame(look);
}

/** Wire the field and, where it can work, the camera; `submit(code)` checks the code's holder in. */
export function setupScan(submit) {
  const field = $("scan-code");
  $("scan-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const code = field.value.trim();
    field.value = "";
    field.focus();
    if (code) submit(code);
  });
  if (!("BarcodeDetector" in window && navigator.mediaDevices?.getUserMedia)) return;
  $("camera-start").hidden = false;
  $("camera-start").addEventListener("click", () => startCamera(submit));
  $("camera-stop").addEventListener("click", stopCamera);
}
