"""The revised draft: adopted changes applied, Điều/khoản/điểm renumbered, cross-references kept pointing right."""
import random
import re
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from server.drafts.parser import POINT_LETTERS, parse_draft
from server.drafts.revise import Change, revise

DRAFT = """\
QUY CHẾ
phối hợp công tác

Chương I
QUY ĐỊNH CHUNG

Điều 1. Phạm vi điều chỉnh
Quy chế này quy định việc phối hợp.

Điều 2. Đối tượng áp dụng
1. Các cơ quan Trung ương.
2. Các tỉnh ủy, thành ủy:
a) Ban thường vụ;
b) Văn phòng.
3. Cơ quan khác.

Chương II
NỘI DUNG PHỐI HỢP

Điều 3. Công tác cán bộ
1. Trình tự như sau:
a) Rà soát;
b) Trao đổi;
c) Thẩm định.
2. Bí thư do tỉnh ủy chỉ định.

Điều 4. Kiểm tra
Hai bên phối hợp kiểm tra.

Điều 5. Báo cáo
Định kỳ báo cáo.

Điều 6. Hiệu lực thi hành
Quy chế có hiệu lực từ ngày ký.
"""


def published(text: str = DRAFT) -> list:
    return parse_draft(text).sections


def run(changes: list[Change], text: str = DRAFT) -> dict[str, Any]:
    return revise(published(text), changes)


def by_origin(answer: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {s["origin_anchor"]: s for s in answer["sections"] if s["origin_anchor"]}


def document(answer: dict[str, Any]) -> str:
    return "".join(s["text"] for s in answer["sections"] if s["change"] != "deleted")


def with_line(anchor: str, line: str) -> str:
    """DRAFT with a sentence added to the end of one section's text."""
    sections = published()
    return "".join(s.text.rstrip("\n") + f" {line}" + s.text[len(s.text.rstrip("\n")):]
                   if s.anchor == anchor else s.text for s in sections)


def test_no_changes_leaves_the_draft_as_it_is() -> None:
    answer = run([])
    assert {s["change"] for s in answer["sections"]} == {"unchanged"}
    assert document(answer) == DRAFT
    assert [s["anchor"] for s in answer["sections"]] == [s.anchor for s in published()]
    assert answer["renumbered"] == answer["references_updated"] == answer["conflicts"] == answer["ignored"] == []
    assert by_origin(answer)["dieu-3"]["title"] == "Công tác cán bộ"
    assert by_origin(answer)["chuong-2"]["title"] == "NỘI DUNG PHỐI HỢP"


def test_deleted_clause_shifts_the_next_ones() -> None:
    answer = run([Change("dieu-2.khoan-1", "delete", None, 1)])
    s = by_origin(answer)
    assert s["dieu-2.khoan-1"] | {"text": None} == {
        "anchor": None, "kind": "clause", "number": None, "title": "", "text": None,
        "origin_anchor": "dieu-2.khoan-1", "change": "deleted"}
    assert (s["dieu-2.khoan-2"]["anchor"], s["dieu-2.khoan-2"]["number"]) == ("dieu-2.khoan-1", "1")
    assert s["dieu-2.khoan-2"]["text"] == "1. Các tỉnh ủy, thành ủy:\n"
    assert s["dieu-2.khoan-2"]["change"] == "renumbered"
    assert s["dieu-2.khoan-2.diem-a"]["anchor"] == "dieu-2.khoan-1.diem-a"
    assert s["dieu-2.khoan-3"]["text"].startswith("2. Cơ quan khác.")
    assert {"from": "dieu-2.khoan-3", "to": "dieu-2.khoan-2"} in answer["renumbered"]
    assert s["dieu-3"]["change"] == "unchanged"
    assert parse_draft(document(answer)).unmatched == []


def test_deleted_article_takes_its_children_and_renumbers_the_rest() -> None:
    answer = run([Change("dieu-2", "delete", None, 1)])
    s = by_origin(answer)
    deleted = [a for a, x in s.items() if x["change"] == "deleted"]
    assert deleted == ["dieu-2", "dieu-2.khoan-1", "dieu-2.khoan-2", "dieu-2.khoan-2.diem-a",
                       "dieu-2.khoan-2.diem-b", "dieu-2.khoan-3"]
    assert s["dieu-2"]["text"] == "Điều 2. Đối tượng áp dụng\n"
    assert [s[f"dieu-{n}"]["number"] for n in range(3, 7)] == ["2", "3", "4", "5"]
    assert s["dieu-3"]["text"] == "Điều 2. Công tác cán bộ\n"
    assert s["dieu-3.khoan-1.diem-c"]["anchor"] == "dieu-2.khoan-1.diem-c"
    assert [x["anchor"] for x in answer["sections"] if x["kind"] == "article"] == [
        "dieu-1", None, "dieu-2", "dieu-3", "dieu-4", "dieu-5"]


def test_inserted_article_with_clauses_and_points() -> None:
    text = "Quản lý hồ sơ\nHồ sơ gồm:\n1. Hồ sơ giấy.\n2. Hồ sơ điện tử:\na) Tệp gốc;\nb) Bản sao."
    answer = run([Change("dieu-3", "insert_after", text, 7)])
    inserted = [s for s in answer["sections"] if s["change"] == "inserted"]
    assert [(s["anchor"], s["kind"], s["number"]) for s in inserted] == [
        ("dieu-4", "article", "4"), ("dieu-4.khoan-1", "clause", "1"), ("dieu-4.khoan-2", "clause", "2"),
        ("dieu-4.khoan-2.diem-a", "point", "a"), ("dieu-4.khoan-2.diem-b", "point", "b")]
    assert {s["origin_anchor"] for s in inserted} == {None}
    assert inserted[0]["title"] == "Quản lý hồ sơ"
    assert inserted[0]["text"] == "Điều 4. Quản lý hồ sơ\nHồ sơ gồm:\n"
    assert inserted[-1]["text"] == "b) Bản sao.\n\n"
    at = [s["origin_anchor"] for s in answer["sections"]].index("dieu-3.khoan-2")
    assert answer["sections"][at + 1] is inserted[0]
    s = by_origin(answer)
    assert (s["dieu-4"]["anchor"], s["dieu-4"]["text"]) == (
        "dieu-5",
        "Điều 5. Kiểm tra\nHai bên phối hợp kiểm tra.\n\n",
    )
    assert s["dieu-6"]["anchor"] == "dieu-7"
    outline = parse_draft(document(answer))
    assert outline.unmatched == []
    assert [x.anchor for x in outline.sections] == [x["anchor"] for x in answer["sections"] if x["anchor"]]


def test_inserted_article_ignores_a_number_given_with_it() -> None:
    answer = run([Change("dieu-6", "insert_after", "Điều 9. Điều khoản chuyển tiếp\nÁp dụng ngay.", 1)])
    last = answer["sections"][-1]
    assert (last["anchor"], last["title"], last["change"]) == ("dieu-7", "Điều khoản chuyển tiếp", "inserted")
    assert last["text"] == "Điều 7. Điều khoản chuyển tiếp\nÁp dụng ngay.\n"
    assert by_origin(answer)["dieu-6"]["text"].endswith("ngày ký.\n")


def test_inserted_clause_and_point() -> None:
    answer = run([Change("dieu-2.khoan-1", "insert_after", "Các bộ, ngành.", 3),
                  Change("dieu-2.khoan-2.diem-a", "insert_after", "Ủy ban kiểm tra;", 4)])
    revised = {s["anchor"]: s for s in answer["sections"]}
    assert revised["dieu-2.khoan-2"]["text"] == "2. Các bộ, ngành.\n"
    assert revised["dieu-2.khoan-3"]["origin_anchor"] == "dieu-2.khoan-2"
    assert revised["dieu-2.khoan-3.diem-b"]["text"] == "b) Ủy ban kiểm tra;\n"
    assert revised["dieu-2.khoan-3.diem-c"]["text"] == "c) Văn phòng.\n"
    assert revised["dieu-2.khoan-4"]["text"] == "4. Cơ quan khác.\n\n"


def test_several_inserts_after_one_section_follow_their_source() -> None:
    changes = [Change("dieu-3.khoan-1.diem-a", "insert_after", "Thứ ba;", 30),
               Change("dieu-3.khoan-1.diem-a", "insert_after", "Thứ nhất;", 10),
               Change("dieu-3.khoan-1.diem-a", "insert_after", "Thứ hai;", 20)]
    answer = run(changes)
    points = [s["text"] for s in answer["sections"] if (s["anchor"] or "").startswith("dieu-3.khoan-1.diem-")]
    assert points == ["a) Rà soát;\n", "b) Thứ nhất;\n", "c) Thứ hai;\n", "d) Thứ ba;\n", "đ) Trao đổi;\n",
                      "e) Thẩm định.\n"]
    assert answer["conflicts"] == []
    assert by_origin(answer)["dieu-3.khoan-1.diem-b"]["anchor"] == "dieu-3.khoan-1.diem-dd"
    shuffled = changes[:]
    random.Random(3).shuffle(shuffled)
    assert run(shuffled) == answer


def test_replace_with_or_without_its_label() -> None:
    answer = run([Change("dieu-2.khoan-2", "replace", "Các đảng ủy trực thuộc:", 1),
                  Change("dieu-2.khoan-3", "replace", "7. Cơ quan, tổ chức khác.", 2),
                  Change("dieu-4", "replace", "Kiểm tra, giám sát\nHai bên cùng kiểm tra.", 3),
                  Change("dieu-5", "replace", "Điều 5. Báo cáo định kỳ\nSáu tháng một lần.", 4)])
    s = by_origin(answer)
    assert s["dieu-2.khoan-2"]["text"] == "2. Các đảng ủy trực thuộc:\n"
    assert s["dieu-2.khoan-3"]["text"] == "3. Cơ quan, tổ chức khác.\n\n"
    assert s["dieu-4"]["text"] == "Điều 4. Kiểm tra, giám sát\nHai bên cùng kiểm tra.\n\n"
    assert s["dieu-4"]["title"] == "Kiểm tra, giám sát"
    assert s["dieu-5"]["title"] == "Báo cáo định kỳ"
    assert {s[a]["change"] for a in ("dieu-2.khoan-2", "dieu-2.khoan-3", "dieu-4", "dieu-5")} == {"modified"}


def test_replacement_that_brings_its_own_clauses_takes_the_place_of_the_old_ones() -> None:
    answer = run(
        [
            Change("dieu-2", "replace", "Đối tượng\n1. Cơ quan nhà nước.\n2. Tổ chức:\na) Đảng;\nb) Đoàn thể.", 1),
            Change("dieu-4", "replace", "Kiểm tra\nGồm:\n1. Định kỳ.\n2. Đột xuất.", 2),
        ]
    )
    rows = [(s["anchor"], s["origin_anchor"], s["change"]) for s in answer["sections"]
            if (s["origin_anchor"] or s["anchor"] or "").startswith(("dieu-2", "dieu-4"))]
    assert rows == [
        ("dieu-2", "dieu-2", "modified"), (None, "dieu-2.khoan-1", "deleted"), (None, "dieu-2.khoan-2", "deleted"),
        (None, "dieu-2.khoan-2.diem-a", "deleted"), (None, "dieu-2.khoan-2.diem-b", "deleted"),
        (None, "dieu-2.khoan-3", "deleted"), ("dieu-2.khoan-1", None, "inserted"), ("dieu-2.khoan-2", None, "inserted"),
        ("dieu-2.khoan-2.diem-a", None, "inserted"), ("dieu-2.khoan-2.diem-b", None, "inserted"),
        ("dieu-4", "dieu-4", "modified"), ("dieu-4.khoan-1", None, "inserted"), ("dieu-4.khoan-2", None, "inserted")]
    assert document(answer).split("Chương II")[0].endswith(
        "Điều 2. Đối tượng\n1. Cơ quan nhà nước.\n2. Tổ chức:\na) Đảng;\nb) Đoàn thể.\n\n")
    assert "Điều 4. Kiểm tra\nGồm:\n1. Định kỳ.\n2. Đột xuất.\n\nĐiều 5." in document(answer)
    # Inside new khoản, "khoản 2 Điều này" names the new khoản 2, numbered as written.
    answer = run([Change("dieu-2", "replace", "Đối tượng\n1. Cơ quan.\n2. Như khoản 1 Điều này; theo Điều 3.", 1),
                  Change("dieu-1", "delete", None, 2)])
    assert "2. Như khoản 1 Điều này; theo Điều 2.\n" in document(answer)
    found, _ = conflicts([Change("dieu-2", "replace", "Đối tượng\n1. Cơ quan.", 1),
                          Change("dieu-2.khoan-3", "replace", "Khác.", 2)])
    assert found == [{"origin_anchor": "dieu-2", "comment_ids": [1, 2]}]
    found, s = conflicts(
        [Change("dieu-2", "replace", "Đối tượng mới", 1), Change("dieu-2.khoan-3", "replace", "Khác.", 2)]
    )
    assert found == [] and s["dieu-2.khoan-3"]["text"] == "3. Khác.\n\n"


def test_replaced_section_is_renumbered_too() -> None:
    answer = run([Change("dieu-1", "delete", None, 1), Change("dieu-3", "replace", "Điều 3. Cán bộ", 2)])
    s = by_origin(answer)
    assert (s["dieu-3"]["anchor"], s["dieu-3"]["text"], s["dieu-3"]["change"]) == (
        "dieu-2",
        "Điều 2. Cán bộ\n",
        "modified",
    )


def test_markdown_heading_marks_survive() -> None:
    md = "## Điều 1. Một\n\nNội dung.\n\n## Điều 2. Hai\n\n1\\. Khoản.\n\n2\\. Khoản hai.\n\n**Điều 3.** Ba\n"
    answer = run([Change("dieu-1", "delete", None, 1), Change("dieu-2", "insert_after", "Mới\n\nThân.", 2),
                  Change("dieu-2.khoan-1", "delete", None, 3)], md)
    assert document(answer) == "## Điều 1. Hai\n\n1\\. Khoản hai.\n\n## Điều 2. Mới\n\nThân.\n\n**Điều 3.** Ba\n"


def test_points_directly_in_an_article() -> None:
    text = "Điều 1. Nguyên tắc\na) Công khai;\nb) Minh bạch;\nc) Kịp thời.\n\nĐiều 2. Khác\nTheo điểm c Điều 1.\n"
    answer = run([Change("dieu-1.diem-a", "delete", None, 1)], text)
    revised = {s["anchor"]: s for s in answer["sections"]}
    assert revised["dieu-1.diem-b"]["text"] == "b) Kịp thời.\n\n"
    assert revised["dieu-2"]["text"] == "Điều 2. Khác\nTheo điểm b Điều 1.\n"


# Cross-references ---------------------------------------------------------------------------------------

def referenced(line: str, where: str = "dieu-6", changes: list[Change] | None = None) -> tuple[str, list]:
    """The revised text of section `where` with `line` added to it, after a Điều is inserted before Điều 2,
    a khoản after khoản 1 of Điều 2 and a điểm after điểm a of khoản 1 of Điều 3."""
    answer = run([Change("dieu-1", "insert_after", "Mới\nNội dung.", 1),
                  Change("dieu-2.khoan-1", "insert_after", "Khoản mới.", 2),
                  Change("dieu-3.khoan-1.diem-a", "insert_after", "Lập danh sách;", 3),
                  *(changes or [])], with_line(where, line))
    return by_origin(answer)[where]["text"], answer["references_updated"]


def last_article(line: str) -> str:
    return f"Điều 7. Hiệu lực thi hành\nQuy chế có hiệu lực từ ngày ký. {line}\n"


def test_reference_forms_are_rewritten() -> None:
    cases = {
        "theo Điều 5.": "theo Điều 6.",
        "theo khoản 2 Điều 2.": "theo khoản 3 Điều 3.",
        "theo điểm b khoản 1 Điều 3.": "theo điểm c khoản 1 Điều 4.",
        "theo điểm b khoản 2 Điều 2.": "theo điểm b khoản 3 Điều 3.",
        "theo Điều 5 của Quy chế này.": "theo Điều 6 của Quy chế này.",
        "theo Điều 5 Quy chế này.": "theo Điều 6 Quy chế này.",
        "theo khoản 1 và khoản 3 Điều 2.": "theo khoản 1 và khoản 4 Điều 3.",
        "theo các khoản 2, 3 Điều 2.": "theo các khoản 3, 4 Điều 3.",
        "theo điểm a, b khoản 1 Điều 3.": "theo điểm a, c khoản 1 Điều 4.",
        "theo Điều 3, Điều 4 và Điều 5.": "theo Điều 4, Điều 5 và Điều 6.",
        "từ Điều 3 đến Điều 5.": "từ Điều 4 đến Điều 6.",
        "Khoản 2 Điều 2 quy định như sau.": "Khoản 3 Điều 3 quy định như sau.",
        "Điều 4 quy định việc kiểm tra.": "Điều 5 quy định việc kiểm tra.",
        "THEO ĐIỀU 5.": "THEO ĐIỀU 6.",
        "tại khoản 2, Điều 2.": "tại khoản 3, Điều 3.",
    }
    for line, expected in cases.items():
        text, updated = referenced(line)
        assert text == last_article(expected), line
        assert updated and all(u["anchor"] == "dieu-7" for u in updated), line
    _, updated = referenced("theo khoản 2 Điều 2; Điều 4 và khoản 3 Điều 2.")
    assert updated == [{"anchor": "dieu-7", "from": "khoản 2 Điều 2", "to": "khoản 3 Điều 3"},
                       {"anchor": "dieu-7", "from": "Điều 4", "to": "Điều 5"},
                       {"anchor": "dieu-7", "from": "khoản 3 Điều 2", "to": "khoản 4 Điều 3"}]
    # One phrase, one entry: the khoản belongs to the first Điều of the list.
    _, updated = referenced("theo khoản 2 Điều 2 và Điều 4.")
    assert updated == [{"anchor": "dieu-7", "from": "khoản 2 Điều 2 và Điều 4", "to": "khoản 3 Điều 3 và Điều 5"}]


def test_references_relative_to_where_they_stand() -> None:
    text, updated = referenced("như khoản 3 Điều này.", where="dieu-2.khoan-2.diem-a")
    assert text == "a) Ban thường vụ; như khoản 4 Điều này.\n"
    assert updated == [{"anchor": "dieu-3.khoan-3.diem-a", "from": "khoản 3 Điều này", "to": "khoản 4 Điều này"}]
    text, _ = referenced("như khoản 3.", where="dieu-2.khoan-1")
    assert text == "1. Các cơ quan Trung ương. như khoản 4.\n"
    text, updated = referenced("sau điểm a khoản 1 Điều này.", where="dieu-3.khoan-2")
    assert (text, updated) == ("2. Bí thư do tỉnh ủy chỉ định. sau điểm a khoản 1 Điều này.\n\n", [])
    text, _ = referenced("trước điểm b khoản 1 Điều này.", where="dieu-3.khoan-2")
    assert text == "2. Bí thư do tỉnh ủy chỉ định. trước điểm c khoản 1 Điều này.\n\n"
    text, _ = referenced("sau điểm b khoản này.", where="dieu-3.khoan-1.diem-c")
    assert text == "d) Thẩm định. sau điểm c khoản này.\n"
    text, _ = referenced("khác điểm b khoản này.", where="dieu-3.khoan-1")
    assert text == "1. Trình tự như sau: khác điểm c khoản này.\n"
    text, _ = referenced("xem điểm b.", where="dieu-3.khoan-1.diem-a")
    assert text == "a) Rà soát; xem điểm c.\n"


def test_references_to_other_documents_are_left_alone() -> None:
    for line in ("theo Điều 5 Luật Công an nhân dân.",
                 "theo khoản 2 Điều 3 Nghị định số 15/2020/NĐ-CP.",
                 "theo Điều 5 của Bộ luật Hình sự.",
                 "theo Điều 4 và Điều 5 Luật Cán bộ, công chức.",
                 "theo Điều 2 Thông tư số 01/2024/TT-BNV.",
                 "theo Điều 3 Mục 2 Chương II Luật Đất đai.",
                 "theo Điều 3 Nghị quyết liên tịch số 09."):
        text, updated = referenced(line)
        assert text == last_article(line), line
        assert updated == [], line
    text, _ = referenced("theo Điều 5 Luật này và Điều 3 Nghị quyết liên tịch này.")
    assert text == last_article("theo Điều 6 Luật này và Điều 4 Nghị quyết liên tịch này.")


def test_reference_to_a_deleted_section_is_reported_and_left_as_written() -> None:
    text, updated = referenced("theo điểm b khoản 2 Điều 2; Điều 4.",
                               changes=[Change("dieu-2.khoan-2.diem-b", "delete", None, 9)])
    assert text == last_article("theo điểm b khoản 2 Điều 2; Điều 5.")
    assert updated == [{"anchor": "dieu-7", "from": "điểm b khoản 2 Điều 2", "to": None},
                       {"anchor": "dieu-7", "from": "Điều 4", "to": "Điều 5"}]
    # A phrase that names a deleted section is left whole, even where it names others that remain.
    text, updated = referenced("theo các khoản 2, 3 Điều 2.", changes=[Change("dieu-2.khoan-3", "delete", None, 9)])
    assert text == last_article("theo các khoản 2, 3 Điều 2.")
    assert updated == [{"anchor": "dieu-7", "from": "khoản 2, 3 Điều 2", "to": None}]


def test_headings_and_unknown_sections_are_not_references() -> None:
    line = "theo Điều 40 và khoản 9 Điều 40; Điều kiện; khoản tiền; khoản 1.000 đồng; các điểm cầu."
    text, updated = referenced(line)
    assert text == last_article(line)
    assert updated == []
    answer = run([Change("dieu-1", "insert_after", "Mới\nNội dung.", 1)])
    assert by_origin(answer)["dieu-5"]["text"] == "Điều 6. Báo cáo\nĐịnh kỳ báo cáo.\n\n"
    assert answer["references_updated"] == []
    assert by_origin(answer)["dieu-5"]["change"] == "renumbered"


def test_reference_rewrite_in_a_title_and_a_replacement() -> None:
    answer = run([Change("dieu-1", "insert_after", "Mới\nNội dung.", 1),
                  Change("dieu-4", "replace", "Sửa đổi Điều 5\nKhoản 1 Điều 3 được sửa.", 2)])
    s = by_origin(answer)
    assert s["dieu-4"]["text"] == "Điều 5. Sửa đổi Điều 6\nKhoản 1 Điều 4 được sửa.\n\n"
    assert s["dieu-4"]["title"] == "Sửa đổi Điều 6"


# Conflicts and bad input -------------------------------------------------------------------------------

def conflicts(changes: list[Change]) -> tuple[list, dict[str, dict[str, Any]]]:
    answer = run(changes)
    return answer["conflicts"], by_origin(answer)


def test_two_replacements_of_one_section_conflict_and_neither_is_applied() -> None:
    found, s = conflicts([Change("dieu-4", "replace", "A\nB.", 12), Change("dieu-4", "replace", "C\nD.", 5),
                          Change("dieu-5", "replace", "E\nF.", 6)])
    assert found == [{"origin_anchor": "dieu-4", "comment_ids": [5, 12]}]
    assert (s["dieu-4"]["text"], s["dieu-4"]["change"]) == (
        "Điều 4. Kiểm tra\nHai bên phối hợp kiểm tra.\n\n",
        "unchanged",
    )
    assert s["dieu-5"]["change"] == "modified"


def test_replace_and_delete_of_one_section_conflict() -> None:
    found, s = conflicts([Change("dieu-2.khoan-1", "replace", "Mới.", 1), Change("dieu-2.khoan-1", "delete", None, 2)])
    assert found == [{"origin_anchor": "dieu-2.khoan-1", "comment_ids": [1, 2]}]
    assert s["dieu-2.khoan-1"]["change"] == "unchanged"


def test_deletes_by_two_sources_conflict_but_one_source_twice_does_not() -> None:
    found, s = conflicts([Change("dieu-4", "delete", None, 1), Change("dieu-4", "delete", None, 2)])
    assert found == [{"origin_anchor": "dieu-4", "comment_ids": [1, 2]}]
    assert s["dieu-4"]["change"] == "unchanged"
    found, s = conflicts([Change("dieu-4", "delete", None, 1), Change("dieu-4", "delete", None, 1)])
    assert found == [] and s["dieu-4"]["change"] == "deleted"


def test_deleting_what_another_change_works_inside_conflicts() -> None:
    found, s = conflicts([Change("dieu-2", "delete", None, 1), Change("dieu-2.khoan-2.diem-a", "replace", "X;", 2),
                          Change("dieu-3", "delete", None, 3), Change("dieu-3.khoan-1", "insert_after", "Y.", 4),
                          Change("dieu-4", "delete", None, 5), Change("dieu-4", "insert_after", "Z\nW.", 6),
                          Change("dieu-5", "delete", None, 7), Change("dieu-5", "insert_after", "Q\nR.", 7)])
    assert found == [{"origin_anchor": "dieu-2", "comment_ids": [1, 2]},
                     {"origin_anchor": "dieu-3", "comment_ids": [3, 4]},
                     {"origin_anchor": "dieu-4", "comment_ids": [5, 6]},
                     {"origin_anchor": "dieu-5", "comment_ids": [7]}]
    assert {x["change"] for x in s.values()} == {"unchanged"}


def test_delete_inside_a_deleted_section_is_no_conflict() -> None:
    found, s = conflicts([Change("dieu-2", "delete", None, 1), Change("dieu-2.khoan-1", "delete", None, 2)])
    assert found == [] and s["dieu-2.khoan-1"]["change"] == "deleted"


def test_bad_changes_are_ignored_and_reported() -> None:
    answer = run([Change("dieu-99", "delete", None, 1), Change("dieu-1", "move", "x", 2),
                  Change("dieu-1", "replace", "  ", 3), Change("dieu-1", "insert_after", None, 4),
                  Change("chuong-1", "insert_after", "Chương mới", 5), Change("chuong-2", "delete", None, 6),
                  Change("dieu-1", "delete", None, 7)])
    assert answer["ignored"] == [
        {"origin_anchor": "chuong-1", "source": 5, "kind": "insert_after", "reason": "not_supported"},
        {"origin_anchor": "chuong-2", "source": 6, "kind": "delete", "reason": "not_supported"},
        {"origin_anchor": "dieu-1", "source": 2, "kind": "move", "reason": "unknown_kind"},
        {"origin_anchor": "dieu-1", "source": 3, "kind": "replace", "reason": "missing_text"},
        {"origin_anchor": "dieu-1", "source": 4, "kind": "insert_after", "reason": "missing_text"},
        {"origin_anchor": "dieu-99", "source": 1, "kind": "delete", "reason": "unknown_anchor"}]
    assert answer["conflicts"] == []
    assert by_origin(answer)["dieu-1"]["change"] == "deleted"


def test_chapter_can_be_reworded_and_keeps_its_label() -> None:
    answer = run([Change("chuong-2", "replace", "PHỐI HỢP", 1)])
    s = by_origin(answer)["chuong-2"]
    assert (s["text"], s["title"], s["number"], s["anchor"]) == (
        "Chương II\nPHỐI HỢP\n\n",
        "PHỐI HỢP",
        "II",
        "chuong-2",
    )


# Property: any adopted inserts, deletes and replacements -------------------------------------------------

TITLE = "Tiêu đề"


@st.composite
def scenarios(draw: st.DrawFn) -> tuple[str, dict[int, tuple[str, str, str]], list[Change]]:
    """A draft whose texts cite random sections in every form, and random adopted changes to it."""
    shape = draw(st.lists(st.lists(st.integers(0, 3), max_size=3), min_size=1, max_size=5))
    chapters = {0, draw(st.integers(0, len(shape) - 1))}
    anchors: list[str] = []
    for a, clauses in enumerate(shape, 1):
        anchors.append(f"dieu-{a}")
        for c, points in enumerate(clauses, 1):
            anchors.append(f"dieu-{a}.khoan-{c}")
            anchors += [f"dieu-{a}.khoan-{c}.diem-{POINT_LETTERS[p].replace('đ', 'dd')}" for p in range(points)]
    marks: dict[int, tuple[str, str, str]] = {}

    def cite(host: str) -> str:
        """Zero to two references, each with a mark: the reference, its target, and the section it stands in."""
        out = []
        for _ in range(draw(st.integers(0, 2))):
            target = draw(st.sampled_from(anchors))
            parts = dict(p.split("-", 1) for p in target.split("."))
            same_article = host.split(".")[0] == f"dieu-{parts['dieu']}"
            same_clause = "khoan" in parts and ".".join(host.split(".")[:2]) == target.rsplit(".", 1)[0]
            article = draw(st.sampled_from(["này", parts["dieu"]] if same_article else [parts["dieu"]]))
            if "diem" in parts and same_clause and draw(st.booleans()):
                phrase = f"điểm {parts['diem'].replace('dd', 'đ')} khoản này"
            elif "diem" in parts:
                phrase = f"điểm {parts['diem'].replace('dd', 'đ')} khoản {parts['khoan']} Điều {article}"
            elif "khoan" in parts:
                phrase = f"khoản {parts['khoan']} Điều {article}"
            else:
                phrase = "Điều " + parts["dieu"] + draw(st.sampled_from(["", " của Quy chế này", " Quy chế này"]))
            mark = len(marks)
            marks[mark] = (phrase, target, host)
            other = f" và Điều {parts['dieu']} Luật Đất đai (ngoài {mark})" if draw(st.booleans()) else ""
            out.append(f" theo {phrase} (mốc {mark}){other};")
        return "".join(out)

    lines = ["QUY CHẾ THỬ\n\n"]
    for a, clauses in enumerate(shape, 1):
        if a - 1 in chapters:
            lines.append(f"Chương {'I' * (len([c for c in chapters if c < a]))}\nCHƯƠNG THỬ\n\n")
        lines.append(f"Điều {a}. {TITLE} {a}\nMở đầu{cite(f'dieu-{a}')}\n")
        for c, points in enumerate(clauses, 1):
            lines.append(f"{c}. Khoản{cite(f'dieu-{a}.khoan-{c}')}\n")
            for p in range(points):
                letter = POINT_LETTERS[p]
                lines.append(f"{letter}) Điểm{cite(f'dieu-{a}.khoan-{c}.diem-' + letter.replace('đ', 'dd'))}\n")
        lines.append("\n")
    texts = {
        "article": ["Mới {n}\nThân {n}.", "Mới {n}\nThân:\n1. Khoản {n}.\n2. Khoản:\na) Điểm {n};\nb) Điểm."],
        "clause": ["Khoản mới {n}.", "Khoản mới {n}:\na) Điểm;\nb) Điểm.", "8. Khoản mới {n}."],
        "point": ["Điểm mới {n};", "x) Điểm mới {n};"],
    }
    changes = []
    for n in range(draw(st.integers(0, 6))):
        anchor = draw(st.sampled_from(anchors))
        kind = {"dieu": "article", "khoan": "clause", "diem": "point"}[anchor.rsplit(".", 1)[-1].split("-")[0]]
        how = draw(st.sampled_from(["insert_after", "delete", "replace"]))
        text = None if how == "delete" else draw(st.sampled_from(texts[kind])).format(n=f"đổi{n}")
        if text and draw(st.booleans()):
            # New wording cites the draft as published, as its author read it.
            target = draw(st.sampled_from(anchors))
            parts = dict(p.split("-", 1) for p in target.split("."))
            phrase = " ".join(f"{word} {parts[key].replace('dd', 'đ')}" for key, word in
                              (("diem", "điểm"), ("khoan", "khoản"), ("dieu", "Điều")) if key in parts)
            marks[len(marks)] = (phrase, target, "")
            text += f" theo {phrase} (mốc {len(marks) - 1});"
        changes.append(Change(anchor, how, text, draw(st.integers(1, 4))))
    return "".join(lines), marks, changes


def check_numbering(sections: list[dict[str, Any]]) -> None:
    """Điều 1..N through the draft, khoản 1..n in each Điều, điểm in letter order in each host; labels agree."""
    articles, counts = 0, {}
    for s in sections:
        if s["kind"] == "article":
            articles += 1
            assert (s["anchor"], s["number"]) == (f"dieu-{articles}", str(articles))
            assert re.match(rf"Điều {articles}\. ", s["text"])
        elif s["kind"] in ("clause", "point"):
            host = s["anchor"].rsplit(".", 1)[0]
            counts[(host, s["kind"])] = n = counts.get((host, s["kind"]), 0) + 1
            expected = str(n) if s["kind"] == "clause" else POINT_LETTERS[n - 1]
            assert s["number"] == expected
            slug = f"khoan-{n}" if s["kind"] == "clause" else "diem-" + expected.replace("đ", "dd")
            assert s["anchor"] == f"{host}.{slug}"
            assert s["text"].startswith(expected + (". " if s["kind"] == "clause" else ") "))


def resolve(phrase: str, where: str) -> str:
    """The revised anchor a reference names, read the way a drafter reads it in section `where`."""
    article, clause = where.split(".")[0], ".".join(where.split(".")[:2])
    m = re.fullmatch(r"Điều (\d+)(?: của Quy chế này| Quy chế này)?", phrase)
    if m:
        return f"dieu-{m[1]}"
    m = re.fullmatch(r"(?:điểm (\w) )?khoản (\d+|này)(?: Điều (\d+|này))?", phrase)
    assert m, phrase
    host = clause if m[2] == "này" else (article if m[3] == "này" else f"dieu-{m[3]}") + f".khoan-{m[2]}"
    return host + (f".diem-{m[1].replace('đ', 'dd')}" if m[1] else "")


def blocked(changes: list[Change]) -> set[Change]:
    """Which changes a conflict holds back, from the rules as written."""
    unique = set(changes)

    def inside(anchor: str, outer: str) -> bool:
        return anchor.startswith(outer + ".")

    def clears(d: Change) -> bool:
        return d.kind == "delete" or (d.kind == "replace" and re.search(r"\n([0-9]+\.|[a-zđ]\)) ", d.text))

    held = set()
    for c in unique:
        for d in unique - {c}:
            if c.kind != "insert_after" and d.kind != "insert_after" and c.origin_anchor == d.origin_anchor:
                held |= {c, d}
            after_deleted = c.kind == "insert_after" and d.kind == "delete" and c.origin_anchor == d.origin_anchor
            if c.kind != "delete" and (after_deleted or clears(d) and inside(c.origin_anchor, d.origin_anchor)):
                held |= {c, d}
    return held


def mark_of(change: Change) -> str:
    return re.search(r"đổi[0-9]+(?![0-9])", change.text)[0]


@settings(max_examples=200, deadline=None)
@given(scenarios())
def test_any_adopted_changes_keep_numbering_and_references_right(scenario: tuple) -> None:
    text, marks, changes = scenario
    answer = revise(parse_draft(text).sections, changes)
    sections = answer["sections"]
    living = [s for s in sections if s["change"] != "deleted"]
    check_numbering(living)
    if any(s["kind"] == "article" for s in living):
        reparsed = parse_draft("".join(s["text"] for s in living))
        assert reparsed.unmatched == []
        assert [(s.anchor, s.number) for s in reparsed.sections] == [(s["anchor"], s["number"]) for s in living]

    # What the rules hold back is not applied; everything else is.
    held = blocked(changes)
    assert {i for c in answer["conflicts"] for i in c["comment_ids"]} == {c.source for c in held}
    origin = by_origin(answer)
    for c in set(changes) - held:
        if c.kind == "delete":
            assert origin[c.origin_anchor]["change"] == "deleted"
        elif c.kind == "replace":
            assert mark_of(c) in origin[c.origin_anchor]["text"]
        else:
            assert any(mark_of(c) in s["text"] for s in sections if s["change"] == "inserted"), c
    for c in held:
        if c.text:
            assert mark_of(c) not in "".join(s["text"] for s in sections)

    # Every reference names the section it named before, or is reported because that section was deleted.
    deleted = {a for a, s in origin.items() if s["change"] == "deleted"}
    reports = {(r["anchor"], r["from"], r["to"]) for r in answer["references_updated"]}
    for s in living:
        for phrase, mark in re.findall(r"theo (.+?) \(mốc (\d+)\)", s["text"]):
            was, target, _ = marks[int(mark)]
            # The phrase reported is the reference itself, without "của Quy chế này".
            core = was.split(" của")[0].split(" Quy")[0]
            if target in deleted:
                assert phrase == was and (s["anchor"], core, None) in reports
            else:
                named = {x["anchor"]: x for x in living}[resolve(phrase, s["anchor"])]
                assert named["origin_anchor"] == target, (phrase, s["anchor"])
                assert phrase == was or (s["anchor"], core, phrase.split(" của")[0].split(" Quy")[0]) in reports
        for other, mark in re.findall(r"và (Điều \d+) Luật Đất đai \(ngoài (\d+)\)", s["text"]):
            assert other == "Điều " + marks[int(mark)][1].split(".")[0].split("-")[1]


PIECES = ["Chương I\n", "Chương II\nTÊN\n", "Mục 1\n", "Điều 3. A\n", "Điều 10a. B\n", "Điều 7\n", "**Điều 2.** C\n",
          "1. x\n", "2. y\n", "1\\. e\n", "a) z\n", "đ) w\n", "f) q\n", "\n", "theo khoản 2 Điều 3 ",
          "điểm b khoản này ", "Điều này ", "Luật X ", "khoản 1, 2 Điều 10a ", "điểm a, đ khoản 1 Điều 7; "]


@settings(max_examples=100, deadline=None)
@given(st.lists(st.sampled_from(PIECES), min_size=1, max_size=30), st.data())
def test_odd_drafts_and_bad_changes_never_fail(pieces: list[str], data: st.DataObject) -> None:
    text = "Điều 1. Đầu\n" + "".join(pieces)
    sections = parse_draft(text).sections
    anchors = [s.anchor for s in sections] + ["dieu-99", ""]
    changes = data.draw(st.lists(st.builds(
        Change, st.sampled_from(anchors), st.sampled_from(["replace", "insert_after", "delete", "move"]),
        st.none() | st.sampled_from(PIECES) | st.text(max_size=20), st.integers(0, 3)), max_size=6))
    answer = revise(sections, changes)
    living = [s for s in answer["sections"] if s["change"] != "deleted"]
    assert [s["number"] for s in living if s["kind"] == "article"] == [
        str(n) for n in range(1, 1 + sum(s["kind"] == "article" for s in living))]
    for s in living:
        label = {"article": r"\W*Điều (\w+)", "clause": r"\s*(\w+)\\?\.", "point": r"\s*(\w+)\)"}.get(s["kind"])
        if label:
            assert re.match(label, s["text"])[1] == s["number"], s
    known = {s.anchor for s in sections}
    assert {(i["origin_anchor"], i["source"]) for i in answer["ignored"]} >= {
        (c.origin_anchor, c.source) for c in changes if c.origin_anchor not in known}
