"""Vietnamese text rules: NFC storage, input cleaning, search folding and dictionary order."""
from __future__ import annotations

import unicodedata

from server.errors import Invalid

# Surrogates (Cs) are included because a lone one cannot be encoded for storage.
_NAME_FORBIDDEN = frozenset({"Cc", "Cf", "Cs"})
# Bodies may carry format characters: emoji sequences and some pasted text need ZWJ/ZWNJ.
_TEXT_FORBIDDEN = frozenset({"Cc", "Cs"})

# f j w z are not Vietnamese letters but appear in names and loanwords; they keep their Latin place.
_ALPHABET = "aăâbcdđeêfghijklmnoôơpqrstuưvwxyz"
_RANK = {letter: rank for rank, letter in enumerate(_ALPHABET)}
# Breve, circumflex and horn make separate letters (ă â ê ô ơ ư); they belong to the primary key.
_LETTER_MARKS = frozenset("\u0306\u0302\u031b")
# Dictionary tone order: none, huyền, hỏi, ngã, sắc, nặng.
_TONES = {"\u0300": 1, "\u0309": 2, "\u0303": 3, "\u0301": 4, "\u0323": 5}
_VI_MARKS = _LETTER_MARKS.union(_TONES)
_SPACE, _SYMBOL, _DIGIT, _LATIN, _OTHER = range(5)


def nfc(s: str) -> str:
    """Return s in Unicode NFC, the form all stored text uses."""
    return unicodedata.normalize("NFC", s)


def _has_forbidden(s: str, categories: frozenset[str], allowed: str = "") -> bool:
    return any(unicodedata.category(c) in categories and c not in allowed for c in s)


def clean_name(value: object, field: str, max_len: int = 300) -> str:
    """Return a one-line name in NFC with whitespace collapsed, or raise Invalid."""
    if not isinstance(value, str):
        raise Invalid(f"{field} must be a string", {field: "must be a string"})
    s = nfc(value).strip()
    # Checked before collapsing, because split() would silently turn tabs and newlines into spaces.
    if _has_forbidden(s, _NAME_FORBIDDEN):
        raise Invalid(f"{field} must not contain control characters", {field: "must not contain control characters"})
    s = " ".join(s.split())
    if not s:
        raise Invalid(f"{field} must not be empty", {field: "must not be empty"})
    if len(s) > max_len:
        raise Invalid(f"{field} is longer than {max_len} characters", {field: f"is longer than {max_len} characters"})
    return s


def clean_text(value: object, field: str, max_len: int, required: bool = True) -> str:
    """Return multi-line text in NFC with \\n line endings, or raise Invalid."""
    if value is None and not required:
        return ""
    if not isinstance(value, str):
        raise Invalid(f"{field} must be a string", {field: "must be a string"})
    s = nfc(value).replace("\r\n", "\n").replace("\r", "\n").strip()
    if _has_forbidden(s, _TEXT_FORBIDDEN, allowed="\n\t"):
        raise Invalid(f"{field} must not contain control characters", {field: "must not contain control characters"})
    if required and not s:
        raise Invalid(f"{field} must not be empty", {field: "must not be empty"})
    if len(s) > max_len:
        raise Invalid(f"{field} is longer than {max_len} characters", {field: f"is longer than {max_len} characters"})
    return s


def fold(s: str) -> str:
    """Return the search key of s: no diacritics, đ as d, lower case, single spaces."""
    # Lower-casing can itself produce combining marks (İ -> i + dot), so decompose again after it.
    s = unicodedata.normalize("NFD", unicodedata.normalize("NFD", s).lower())
    s = "".join(c for c in s if not unicodedata.combining(c))
    return " ".join(s.replace("đ", "d").replace("Đ", "d").split())


def _clusters(s: str) -> list[tuple[str, str]]:
    """Split an NFD string into (base character, its combining marks)."""
    clusters: list[tuple[str, str]] = []
    for c in s:
        if unicodedata.combining(c) and clusters:
            base, marks = clusters[-1]
            clusters[-1] = (base, marks + c)
        else:
            clusters.append((c, ""))
    return clusters


def _primary(base: str, marks: str) -> tuple[int, int]:
    low = base.lower()
    letter = unicodedata.normalize("NFC", low + "".join(m for m in marks if m in _LETTER_MARKS))
    if letter in _RANK:
        return (_LATIN, _RANK[letter])
    if low in _RANK:
        return (_LATIN, _RANK[low])
    if base.isdigit():
        return (_DIGIT, ord(base))
    return (_OTHER if base.isalpha() else _SYMBOL, ord(low[0]) if low else 0)


# A sort key: the letters' ranks, each word's tones, the case and other marks of each letter, then the text itself.
ViKey = tuple[tuple[tuple[int, int], ...], tuple[tuple[int, ...], ...], tuple[tuple[bool, str], ...], str]


def vi_sort_key(s: str) -> ViKey:
    """Return a key sorting strings in Vietnamese dictionary order, case-insensitively."""
    s = nfc(" ".join(s.split()))
    primary: list[tuple[int, int]] = []
    tertiary: list[tuple[bool, str]] = []
    # Tones are a secondary key per word (syllable), so "hòa" and "hoà" compare equal there.
    tones: list[tuple[int, ...]] = [()]
    for base, marks in _clusters(unicodedata.normalize("NFD", s)):
        if base == " ":
            primary.append((_SPACE, 0))
            tones.append(())
            continue
        primary.append(_primary(base, marks))
        tones[-1] += tuple(_TONES[m] for m in marks if m in _TONES)
        tertiary.append((base != base.lower(), "".join(m for m in marks if m not in _VI_MARKS)))
    return (tuple(primary), tuple(tones), tuple(tertiary), s)


def given_name(full_name: str) -> str:
    """Return the given name: the last word of a Vietnamese full name."""
    words = full_name.split()
    return words[-1] if words else ""


def name_sort_key(full_name: str) -> tuple[ViKey, ViKey]:
    """Return a roster key: given name first, then the full name from the start."""
    return (vi_sort_key(given_name(full_name)), vi_sort_key(full_name))


def _key_bytes(value: object) -> bytes:
    # Tags and terminators sit below every UTF-8 byte of text, so a prefix sorts first, as in Python.
    if isinstance(value, tuple):
        return b"\x03" + b"".join(_key_bytes(v) for v in value) + b"\x02"
    if isinstance(value, bool | int):
        return b"\x04" + (int(value) + 2**63).to_bytes(8, "big")
    if isinstance(value, str):
        return b"\x05" + value.encode() + b"\x01"
    raise TypeError(f"cannot encode {type(value).__name__} in a sort key")


def name_sort_bytes(full_name: str) -> bytes:
    """name_sort_key as bytes whose byte order is the key's order, so the database can sort rosters."""
    return _key_bytes(name_sort_key(full_name))
