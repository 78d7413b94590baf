"""HTTP: every URL, the JSON API, the pages and the middlewares."""
