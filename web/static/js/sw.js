// The operator console's service worker (served as /sw.js, scope /operator/): it keeps the console's page and
// files so that a reload while the link is down still opens the console, which then works from the roster
// and outbox it keeps in IndexedDB. Always the network first, so an online console is never stale; the
// copy only answers when the network does not. API calls and socket.io pass by untouched: a write must
// reach the server or fail visibly (the outbox retries it), and an old answer must never pass for a new one.
const CACHE = "diemcau-operator-v2";
// The console's modules, its style and the socket.io client, kept at install because the first load of the
// console ran before the worker did; every later load refreshes them (and keeps any file not listed here).
const FILES = [
  "/static/css/app.css",
  "/static/js/api.js",
  "/static/js/clock.js",
  "/static/js/cursor.js",
  "/static/js/header.js",
  "/static/js/live.js",
  "/static/js/operator.js",
  "/static/js/operator-pending.js",
  "/static/js/operator-roster.js",
  "/static/js/operator-scan.js",
  "/static/js/outbox.js",
  "/static/js/workshop-state.js",
  "/static/vendor/socket.io/socket.io.esm.min.js",
];
const CONSOLE_PAGE = /^\/operator\/\d+$/;

self.addEventListener("install", (event) => {
  event.waitUntil(caches.open(CACHE).then((cache) => cache.addAll(FILES)).then(() => self.skipWaiting()));
});

self.addEventListener("activate", (event) => {
  event.waitUntil((async () => {
    for (const name of await caches.keys()) {
      if (name !== CACHE) await caches.delete(name);
    }
    // Take the open console over at once, so that it is covered before its first reload.
    await self.clients.claim();
  })());
});

async function networkFirst(request) {
  const cache = await caches.open(CACHE);
  try {
    const response = await fetch(request);
    // Only a page or file as such: a redirect (to the login, say) or an error must not replace the copy.
    if (response.ok && !response.redirected) await cache.put(request, response.clone());
    return response;
  } catch (error) {
    const kept = await cache.match(request);
    if (kept) return kept;
    throw error;
  }
}

function kept(request) {
  const url = new URL(request.url);
  if (request.method !== "GET" || url.origin !== self.location.origin) return false;
  if (request.mode === "navigate") return CONSOLE_PAGE.test(url.pathname);
  return url.pathname.startsWith("/static/");
}

self.addEventListener("fetch", (event) => {
  if (kept(event.request)) event.respondWith(networkFirst(event.request));
});

// The page that registered the worker loaded before the worker ran, so it was never fetched through it.
self.addEventListener("message", (event) => {
  const url = new URL(event.data?.keep ?? "", self.location.origin);
  if (url.origin === self.location.origin && CONSOLE_PAGE.test(url.pathname)) {
    // Offline already: the next load online keeps it instead.
    event.waitUntil(networkFirst(new Request(url.pathname)).catch(() => null));
  }
});
