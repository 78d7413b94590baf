"""The record's letterhead and signatures as Nghị định 30/2020/NĐ-CP lays out an administrative document."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from server.errors import Invalid
from server.text import clean_name

STYLES = ("state", "party")
# The admin's fields besides `style`, each a one-line text or null, with the longest each may be.
FIELDS: dict[str, int] = {
    "parent_body": 200, "issuing_body": 200, "number": 60, "national_title": 200, "motto": 200, "place": 100,
    "secretary_name": 120,
}
ISSUING_BODY = "BAN TỔ CHỨC HỘI THẢO"
STATE_TITLE = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
STATE_MOTTO = "Độc lập - Tự do - Hạnh phúc"
PARTY_TITLE = "ĐẢNG CỘNG SẢN VIỆT NAM"
TITLE = "BIÊN BẢN TỔNG HỢP"


def clean_header(value: object) -> dict[str, str | None] | None:
    """The admin's `record_header` as stored: null (the defaults) or every field, texts in NFC; Invalid otherwise."""
    if value is None:
        return None
    if not isinstance(value, dict):
        raise Invalid("record_header must be an object or null", {"record_header": "not an object"})
    unknown = sorted(set(value) - {"style", *FIELDS})
    if unknown:
        raise Invalid(f"record_header has no field {unknown[0]}", {f"record_header.{unknown[0]}": "unknown field"})
    style = value.get("style", "state")
    if style not in STYLES:
        raise Invalid("record_header.style must be state or party", {"record_header.style": "not one of state, party"})
    header: dict[str, str | None] = {"style": style}
    for field, longest in FIELDS.items():
        text = value.get(field)
        # An emptied field of the form means "not set", as null does.
        header[field] = None if text is None or text == "" else clean_name(text, f"record_header.{field}", longest)
    return header


def date_text(moment: datetime, place: str | None) -> str:
    """"Hà Nội, ngày 05 tháng 9 năm 2026": the decree writes a day below 10 and the months 1 and 2 with a leading 0."""
    month = f"{moment.month:02d}" if moment.month < 3 else str(moment.month)
    words = f"ngày {moment.day:02d} tháng {month} năm {moment.year}"
    return f"{place}, {words}" if place else words[0].upper() + words[1:]


def document_part(
    header: dict[str, Any] | None, *, title: str, chair_name: str | None, dated: datetime
) -> dict[str, Any]:
    """`model["document"]`: the header with its defaults filled in, dated `dated` (already in the workshop's zone)."""
    h = header or {}
    party = h.get("style") == "party"
    return {
        "style": "party" if party else "state",
        "parent_body": h.get("parent_body"),
        "issuing_body": h.get("issuing_body") or ISSUING_BODY,
        "number": h.get("number"),
        "national_title": h.get("national_title") or (PARTY_TITLE if party else STATE_TITLE),
        # A Party body's documents carry no motto under the header (Hướng dẫn 36-HD/VPTW).
        "motto": None if party else h.get("motto") or STATE_MOTTO,
        "place": h.get("place"),
        "date_text": date_text(dated, h.get("place")),
        "title": TITLE,
        "subtitle": title,
        "signatures": [
            {"role": "THƯ KÝ", "name": h.get("secretary_name")},
            {"role": "CHỦ TRÌ", "name": chair_name},
        ],
    }
