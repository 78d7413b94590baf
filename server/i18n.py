"""Message catalogs (Vietnamese by default, English on request) for pages and scripts."""
from __future__ import annotations

import json
from functools import cache

import jinja2
from aiohttp import web

from server.webdir import WEB

LOCALES = WEB / "locales"
LANGUAGES = ("vi", "en")
DEFAULT = "vi"
LANG_COOKIE = "diemcau_lang"


@cache
def catalog(lang: str) -> dict[str, str]:
    messages: dict[str, str] = json.loads((LOCALES / f"{lang}.json").read_text(encoding="utf-8"))
    return messages


def language_of(request: web.Request) -> str:
    lang = request.query.get("lang") or request.cookies.get(LANG_COOKIE) or DEFAULT
    return lang if lang in LANGUAGES else DEFAULT


def translate(lang: str, key: str, **values: object) -> str:
    message = catalog(lang).get(key) or catalog(DEFAULT).get(key) or key
    return message.format(**values) if values else message


@jinja2.pass_context
def _t(context: jinja2.runtime.Context, key: str, **values: object) -> str:
    return translate(context.get("lang", DEFAULT), key, **values)


def setup_i18n(env: jinja2.Environment) -> None:
    env.globals["t"] = _t
