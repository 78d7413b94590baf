// The header of every signed-in page. Logout is a POST, and a cookie-borne POST needs the CSRF header,
// which a plain form cannot send: so the form is submitted by fetch.

import { csrfToken } from "./api.js";

const form = document.getElementById("logout");

form?.addEventListener("submit", async (event) => {
  event.preventDefault();
  form.querySelector("button").disabled = true;
  await fetch(form.action, { method: "POST", headers: { "X-CSRF-Token": csrfToken }, redirect: "manual" }).catch(() => null);
  // The session is gone or was already gone; either way the login page is where to go.
  window.location.assign("/login");
});
