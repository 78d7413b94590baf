"""The record's PDF: typeset by Typst with its own fonts, tagged, archival on request, the same bytes on any machine."""
from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
import sys
from datetime import datetime
from pathlib import Path
from typing import Any

import pikepdf
import pytest

from server.summary import pdf as pdf_module
from server.summary.document import clean_header, document_part
from server.summary.pdf import (
    AGENDA_HEAD,
    COMMENT_HEAD,
    SPEAKERS_HEAD,
    PdfUnavailable,
    print_pdf,
    record_data,
    render_pdf,
)
from server.summary.render import AUDIT_HEADER
from tests.rendered import pdf_body_text, pdf_text, poppler, squeezed

ROOT = Path(__file__).resolve().parents[1]
GOLDEN = ROOT / "docs" / "examples" / "bien-ban-tong-hop.json"
SCRIPT = "<script>alert(1)</script>"


def frozen_record() -> dict[str, Any]:
    """The demo workshop's frozen record, with its seal apart as the server keeps it."""
    model = json.loads(GOLDEN.read_text(encoding="utf-8"))
    seal = {key: model.pop(key) for key in ("frozen", "frozen_at", "sha256")}
    return {"model": model, **seal, "dated": datetime.fromisoformat(seal["frozen_at"])}


def typeset(record: dict[str, Any], archival: bool = False) -> bytes:
    return render_pdf(**record, archival=archival)


@pytest.fixture(scope="module")
def record() -> dict[str, Any]:
    return frozen_record()


@pytest.fixture(scope="module")
def pdf(record: dict[str, Any]) -> bytes:
    return typeset(record)


def test_the_record_reads_back_in_vietnamese_in_one_typeface(pdf: bytes) -> None:
    text = squeezed(pdf_text(pdf))
    for expected in ("BAN TỔ CHỨC HỘI THẢO", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc",
                     "Ngày 07 tháng 9 năm 2021", "Số: /BB-…", "BIÊN BẢN TỔNG HỢP", "I. Thông tin chung",
                     "Lê Thanh Phong dự thay Đinh Văn Lực (Điểm cầu Hậu Giang)", "Tác giả: Nguyễn Thị Thu Hà",
                     "Phụ lục 2. Dự thảo sau tiếp thu", "THƯ KÝ", "CHỦ TRÌ", "(Ký, ghi rõ họ tên)", "Trần Quốc Tỏ",
                     "Tiếp thu một phần", "Chốt lúc: 10:10 07/09/2021"):
        assert squeezed(expected) in text, expected
    # Libertinus Serif from Typst's own wheel sets every letter: no fallback font patches a word together.
    fonts = poppler("pdffonts", "-", stdin=pdf).splitlines()[2:]
    assert {line.split()[0].split("+")[-1].split("-")[0] for line in fonts} == {"LibertinusSerif"}


def readable(pdf: bytes) -> str:
    """The PDF's text squeezed, without page numbers and without the header rows a table repeats on each page it
    runs onto, in the middle of a cell that runs on too."""
    printed = squeezed(pdf_body_text(pdf))
    for head in (COMMENT_HEAD, AGENDA_HEAD, SPEAKERS_HEAD, AUDIT_HEADER):
        printed = printed.replace(squeezed("".join(head)), "")
    return printed


def _printed(text: str, printed: str) -> bool:
    """`text` is in `printed`, whole or cut in two where its table row runs onto the next page (the other cells'
    first part come between)."""
    return text in printed or any(text[:cut] in printed and text[cut:] in printed for cut in range(1, len(text)))


def test_every_text_of_the_record_is_printed(record: dict[str, Any], pdf: bytes) -> None:
    """Each cell, item and paragraph the record holds is in the PDF, read as text (never where its lines break)."""
    data = record_data(**record)
    printed = readable(pdf)
    texts = [*data["attendance"]["cells"], *data["agenda"], *data["speakers"], *data["by_point"], *data["audit"],
             *data["statement"], *data["seal"], *(item for group in data["lists"] for item in group["items"]),
             *(value for fact in data["facts"] for value in fact)]
    texts += [text for group in data["groups"] for text in (group["heading"], *group["cells"])]
    texts += [text for remark in data["remarks"] for text in (remark["heading"], *remark["facts"], *remark["body"])]
    texts += [text for section in data["revised"]["sections"] for line in (section["head"] or [], *section["paras"])
              for _, text in line] + [note for section in data["revised"]["sections"] for note in section["notes"]]
    assert [text for text in texts if not _printed(squeezed(text), printed)] == []


def test_the_record_is_tagged_and_says_what_it_is(record: dict[str, Any], pdf: bytes) -> None:
    with pikepdf.open(io.BytesIO(pdf)) as document:
        assert "/StructTreeRoot" in document.Root and document.Root.MarkInfo.Marked is True
        assert str(document.Root.Lang) == "vi"
        assert str(document.docinfo["/Title"]).startswith("Biên bản tổng hợp – Hội thảo trực tuyến")
        keywords = str(document.docinfo["/Keywords"])
        with document.open_metadata() as xmp:
            assert xmp["pdfuaid:part"] == "1"
            assert "pdfaid:part" not in xmp
        kinds = [str(o.S) for o in document.objects if isinstance(o, pikepdf.Dictionary) and "/S" in o and "/P" in o]
    assert keywords == f"diemcau-conference-1, diemcau-sha256-{record['sha256']}"
    assert {"/Title", "/Table", "/TH", "/TD", "/L"} <= set(kinds)
    # I to VI and the three appendices; in the revised draft its chapters (2), sections (3) and articles (4).
    assert kinds.count("/H1") == 9
    levels = [s["level"] for s in record_data(**record)["revised"]["sections"] if s["level"]]
    assert [kinds.count(f"/H{level}") for level in (3, 4)] == [levels.count(3), levels.count(4)]


def test_the_archival_copy_declares_pdf_a_2b(record: dict[str, Any]) -> None:
    archival = typeset(record, archival=True)
    with pikepdf.open(io.BytesIO(archival)) as document, document.open_metadata() as xmp:
        assert (xmp["pdfaid:part"], xmp["pdfaid:conformance"], xmp["pdfuaid:part"]) == ("2", "B", "1")
        assert "/OutputIntents" in document.Root
    assert squeezed("Trần Quốc Tỏ") in squeezed(pdf_text(archival))


def test_a_preview_is_marked_and_carries_no_checksum(record: dict[str, Any]) -> None:
    preview = typeset({**record, "frozen": False, "sha256": None, "frozen_at": None})
    text = squeezed(pdf_text(preview))
    assert squeezed("DỰ THẢO – bản xem trước, chưa chốt") in text and squeezed("Mã kiểm tra (SHA-256)") not in text
    with pikepdf.open(io.BytesIO(preview)) as document:
        assert str(document.docinfo["/Keywords"]) == "diemcau-conference-1"


def test_the_letterhead_of_a_party_body(record: dict[str, Any]) -> None:
    model = record["model"]
    header = clean_header(
        {
            "style": "party",
            "parent_body": "Đảng bộ tỉnh Hậu Giang",
            "issuing_body": "Tỉnh ủy Hậu Giang",
            "number": "12/BB-TU",
            "place": "Vị Thanh",
            "secretary_name": "Lê Thị Hoa",
        }
    )
    document = document_part(
        header, title=model["conference"]["title"], chair_name="Trần Quốc Tỏ", dated=record["dated"]
    )
    text = squeezed(pdf_text(typeset({**record, "model": {**model, "document": document}})))
    for expected in ("ĐẢNG BỘ TỈNH HẬU GIANG", "TỈNH ỦY HẬU GIANG", "Số: 12/BB-TU", "ĐẢNG CỘNG SẢN VIỆT NAM",
                     "Vị Thanh, ngày 07 tháng 9 năm 2021", "Lê Thị Hoa"):
        assert squeezed(expected) in text, expected
    assert squeezed("Độc lập - Tự do - Hạnh phúc") not in text


def test_a_long_comment_table_starts_each_provision_on_a_page_of_its_own(
    record: dict[str, Any], monkeypatch: pytest.MonkeyPatch,
) -> None:
    headings = [squeezed(group["heading"]) for group in record["model"]["comments"]]
    one_table = [squeezed(page) for page in pdf_text(typeset(record)).split("\f")]
    assert len({next(i for i, page in enumerate(one_table) if h in page) for h in headings}) < len(headings)
    monkeypatch.setattr(pdf_module, "GROUP_PAGES_ROWS", 0)
    pages = [squeezed(page) for page in pdf_text(typeset(record)).split("\f")]
    found = [next(i for i, page in enumerate(pages) if h in page) for h in headings]
    assert len(set(found)) == len(headings) and found == sorted(found)
    # Each provision's page repeats the table's header above its rows.
    assert all(squeezed("Nội dung góp ý") in pages[i] for i in found)
    appendix = next(i for i, page in enumerate(pages) if squeezed("Phụ lục 1. Toàn văn tham luận") in page)
    assert pages[appendix].startswith(squeezed(str(appendix + 1)) + squeezed("Phụ lục 1")), pages[appendix][:80]


def test_user_text_is_printed_as_the_words_it_is(record: dict[str, Any]) -> None:
    model = json.loads(json.dumps(record["model"]))
    row = model["comments"][0]["rows"][0]
    row["body"] = f"Cần làm rõ. {SCRIPT}\n=CMD() #set page(width: 1cm) [*x*] $a$ " + "x" * 90
    text = readable(typeset({**record, "model": model})).replace("\u200b", "")
    # An overlong word is given places to break (zero-width spaces) rather than run into the margin.
    assert _printed(squeezed(row["body"]), text)


def _typeset_elsewhere(record: dict[str, Any], env: dict[str, str]) -> bytes:
    job = {**record, "dated": record["dated"].isoformat(), "archival": False}
    done = subprocess.run([sys.executable, "-m", "server.summary.pdf"], input=json.dumps(job).encode(), env=env,
                          capture_output=True, check=True, cwd=ROOT)
    return done.stdout


def test_the_same_record_gives_the_same_bytes_whatever_fonts_a_machine_has(record: dict[str, Any], pdf: bytes,
                                                                            tmp_path: Path) -> None:
    """Another process whose fontconfig sees other fonts, among them one named like ours, typesets the same bytes."""
    home = tmp_path / "home"
    fonts = home / ".fonts"
    fonts.mkdir(parents=True)
    installed = sorted(Path("/usr/share/fonts").rglob("*.ttf"))
    assert installed, "the test needs some installed TTF font (scripts/test installs fonts-dejavu-extra)"
    for font in installed[:3]:
        shutil.copy(font, fonts / font.name)
    # A font that calls itself Libertinus Serif, for a typesetter that would look at the machine's fonts at all.
    shutil.copy(installed[0], fonts / "LibertinusSerif-Regular.ttf")
    config = tmp_path / "fonts.conf"
    config.write_text(f'<?xml version="1.0"?><fontconfig><dir>{fonts}</dir><dir>/usr/share/fonts</dir>'
                      f'<cachedir>{tmp_path / "cache"}</cachedir></fontconfig>')
    env = {**os.environ, "HOME": str(home), "FONTCONFIG_FILE": str(config), "XDG_DATA_HOME": str(home / "share"),
           "TYPST_FONT_PATHS": str(fonts), "LANG": "C.UTF-8", "TZ": "America/New_York"}
    assert _typeset_elsewhere(record, env) == pdf
    assert _typeset_elsewhere(record, dict(os.environ)) == pdf


async def test_print_pdf_typesets_in_a_child_process_and_refuses_what_fails(record: dict[str, Any], pdf: bytes) -> None:
    assert await print_pdf(**record) == pdf
    with pytest.raises(PdfUnavailable) as failed:
        await print_pdf(**{**record, "model": {"conference": record["model"]["conference"]}})
    assert failed.value.status == 503 and failed.value.to_dict()["error"]["code"] == "unavailable"
    with pytest.raises(PdfUnavailable):
        await print_pdf(**record, timeout=0.05)
