"""Tests for Vietnamese text rules: cleaning, folding and dictionary order."""
import random
import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from server.errors import Invalid
from server.text import (
    clean_name,
    clean_text,
    fold,
    given_name,
    name_sort_bytes,
    name_sort_key,
    nfc,
    vi_sort_key,
)

NFD_NAME = unicodedata.normalize("NFD", "Nguyễn Văn An")


def shuffled_sort(items: list[str], key) -> list[str]:
    copy = items[:]
    random.Random(7).shuffle(copy)
    return sorted(copy, key=key)


def test_nfc_composes_decomposed_input() -> None:
    assert NFD_NAME != "Nguyễn Văn An"
    assert nfc(NFD_NAME) == "Nguyễn Văn An"


@pytest.mark.parametrize("query", ["nguyen van an", "NGUYỄN VĂN AN", NFD_NAME, "  Nguyễn \t Văn\nAn "])
def test_fold_matches_without_marks_or_case(query: str) -> None:
    assert fold(query) == fold("Nguyễn Văn An") == "nguyen van an"


def test_fold_maps_d_with_stroke_to_d() -> None:
    assert fold("Đặng Đức Đạt") == fold("dang duc dat")
    assert fold("đ") == fold("Đ") == "d"


@settings(max_examples=200)
@given(st.text())
def test_fold_is_idempotent_and_form_independent(s: str) -> None:
    assert fold(fold(s)) == fold(s)
    assert fold(nfc(s)) == fold(unicodedata.normalize("NFD", s))


def test_alphabet_order_letters_then_tones() -> None:
    expected = ["Anh", "Ánh", "Ăn", "Ân", "Bình", "Dũng", "Đức", "Zô"]
    assert shuffled_sort(["Đức", "Dũng", "Anh", "Ánh", "Ân", "Ăn", "Bình", "Zô"], vi_sort_key) == expected


def test_tone_order() -> None:
    expected = ["ma", "mà", "mả", "mã", "má", "mạ"]
    assert shuffled_sort(expected, vi_sort_key) == expected


def test_separate_letters_order() -> None:
    letters = list("aăâbcdđeêghiklmnoôơpqrstuưvxy")
    assert shuffled_sort(letters, vi_sort_key) == letters
    assert sorted(["f", "e", "g", "z", "y", "w", "x"], key=vi_sort_key) == ["e", "f", "g", "w", "x", "y", "z"]


def test_tones_are_a_secondary_key() -> None:
    # Letters decide before tones anywhere in the string: "bà" < "bác" although "á" > "à".
    assert shuffled_sort(["bác", "bà", "ba", "bạc", "bác sĩ", "bàn"], vi_sort_key) == [
        "ba", "bà", "bác", "bạc", "bác sĩ", "bàn"]
    assert sorted(["bà ca", "ba cá"], key=vi_sort_key) == ["ba cá", "bà ca"]


def test_case_insensitive_and_form_independent() -> None:
    assert sorted(["b", "A", "Đ", "e"], key=vi_sort_key) == ["A", "b", "Đ", "e"]
    assert vi_sort_key(NFD_NAME) == vi_sort_key("Nguyễn Văn An")
    # Case only breaks ties, so the order is total and stable across runs.
    assert sorted(["An", "an"], key=vi_sort_key) == ["an", "An"]


def test_non_letters_sort_sensibly() -> None:
    assert sorted(["Anh", "An", "An Bình", "1A", " 2"], key=vi_sort_key) == ["1A", " 2", "An", "An Bình", "Anh"]


def test_given_name() -> None:
    assert given_name("Nguyễn Văn An") == "An"
    assert given_name("  Lê  Thị   Hồng Nhung ") == "Nhung"
    assert given_name("") == ""


def test_roster_order_given_name_first() -> None:
    roster = ["Nguyễn Thị Cúc", "Trần Văn Bình", "Nguyễn Văn An", "Lê Văn An", "Phạm Đức", "Võ Dũng"]
    assert shuffled_sort(roster, name_sort_key) == [
        "Lê Văn An", "Nguyễn Văn An", "Trần Văn Bình", "Nguyễn Thị Cúc", "Võ Dũng", "Phạm Đức"]


@pytest.mark.parametrize("bad", ["", "  ", "\t\n", "a\x00b", "An\u200bBình", "Văn\nAn", 5, None, b"An"])
def test_clean_name_rejects(bad: object) -> None:
    with pytest.raises(Invalid) as caught:
        clean_name(bad, "full_name")
    assert "full_name" in caught.value.details
    assert caught.value.status == 422


def test_clean_name_normalises() -> None:
    assert clean_name(NFD_NAME, "full_name") == "Nguyễn Văn An"
    assert unicodedata.is_normalized("NFC", clean_name(NFD_NAME, "full_name"))
    assert clean_name("  Nguyễn   Văn \u00a0An ", "full_name") == "Nguyễn Văn An"


def test_clean_name_length_limit() -> None:
    assert clean_name("a" * 300, "name") == "a" * 300
    with pytest.raises(Invalid):
        clean_name("a" * 301, "name")


def test_clean_text_keeps_lines() -> None:
    body = unicodedata.normalize("NFD", "  Đề nghị sửa:\r\n\tkhoản 1\rđiểm a  ")
    assert clean_text(body, "body", 100) == "Đề nghị sửa:\n\tkhoản 1\nđiểm a"


def test_clean_text_limits_and_requirement() -> None:
    assert clean_text("x" * 20_000, "body", 20_000) == "x" * 20_000
    for bad in ["x" * 20_001, "", "  \n ", "a\x07b", "a\x00", 3]:
        with pytest.raises(Invalid) as caught:
            clean_text(bad, "body", 20_000)
        assert "body" in caught.value.details
    assert clean_text(None, "proposed_text", 10, required=False) == ""
    assert clean_text("  ", "proposed_text", 10, required=False) == ""


@given(
    st.lists(st.text(alphabet="aăâbcdđeêghiklmnoôơpqrstuưvxyAĐÁÀẢÃẠ ", min_size=1, max_size=12), min_size=2, max_size=8)
)
def test_sort_bytes_order_like_the_key(names: list[str]) -> None:
    by_key = sorted(names, key=lambda n: (name_sort_key(n), n))
    by_bytes = sorted(names, key=lambda n: (name_sort_bytes(n), n))
    assert [name_sort_key(n) for n in by_key] == [name_sort_key(n) for n in by_bytes]
