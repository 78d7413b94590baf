"""The audit trail read as sentences ("Tiếp thu góp ý số 3 (Điều 8, khoản 1, điểm c)") in the reader's language.

An entry keeps what it acted on as it was at that moment, `details["subject"]`: a sentence key and its values
(server/http/subjects.py writes them). The words come from the message catalogs (`audit.say.<key>`), so the admin
page reads the trail in English while the record stays Vietnamese. An entry without a subject (a sign-in, or one
written before subjects were kept) reads as the name of its action.
"""
from __future__ import annotations

from typing import Any

from server.i18n import translate

_PROVISIONS = {"chuong": "section.chapter", "muc": "section.section", "dieu": "section.article",
               "khoan": "section.clause", "diem": "section.point"}
_ROMAN = ((1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"),
          (50, "L"), (40, "XL"), (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I"))


def _roman(number: int) -> str:
    out = ""
    for value, letters in _ROMAN:
        count, number = divmod(number, value)
        out += letters * count
    return out


def provision(anchor: str, lang: str) -> str:
    """"dieu-8.khoan-1.diem-c" as people cite it: "Điều 8, khoản 1, điểm c" ("Article 8, clause 1, point c")."""
    if anchor == "mo-dau":
        return translate(lang, "section.preamble")
    parts = []
    for segment in anchor.split("."):
        kind, _, number = segment.partition("-")
        if kind not in _PROVISIONS:
            parts.append(segment)
            continue
        if kind == "diem" and number == "dd":
            number = "đ"
        elif kind == "chuong" and number.isdigit():
            number = _roman(int(number))
        parts.append(translate(lang, _PROVISIONS[kind], n=number))
    return ", ".join(parts)


def action_name(action: str, lang: str) -> str:
    """An action as the secretariat calls it ("Điều hành chương trình"); its code name when it has none."""
    key = f"audit.action.{action}"
    text = translate(lang, key)
    return action if text == key else text


def _values(subject: dict[str, Any], lang: str) -> dict[str, Any]:
    values = {name: value for name, value in subject.items() if name != "key"}
    if "section" in values:
        # A general comment cites no provision: the sentence just ends after its number.
        values["where"] = f" ({provision(values['section'], lang)})" if values["section"] else ""
    if "numbers" in values:
        values["numbers"] = ", ".join(str(n) for n in values["numbers"])
    if "role" in values:
        values["role"] = translate(lang, f"role.{values['role']}")
    return values


def sentence(action: str, details: dict[str, Any] | None, lang: str) -> str:
    """What the entry did, in `lang` ("vi" or "en"), with the titles and numbers it had when it was done."""
    subject = (details or {}).get("subject")
    if not isinstance(subject, dict) or not isinstance(subject.get("key"), str):
        return action_name(action, lang)
    key = f"audit.say.{subject['key']}"
    text = translate(lang, key)
    if text == key:
        return action_name(action, lang)
    try:
        return text.format(**_values(subject, lang))
    except (KeyError, IndexError, ValueError):
        # A subject missing a value the wording needs: the action's name is still true.
        return action_name(action, lang)
