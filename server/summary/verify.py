"""`diemcau verify`: a summary PDF checked against its signature and against the frozen record it says it is."""
from __future__ import annotations

import io
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from pyhanko.keys import load_certs_from_pemder
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.misc import PdfError
from pyhanko.pdf_utils.reader import HistoricalResolver, PdfFileReader
from pyhanko.sign.validation.errors import SignatureValidationError
from pyhanko.sign.validation.pdf_embedded import (
    EmbeddedPdfSignature,
    async_validate_pdf_signature,
)
from pyhanko.sign.validation.status import PdfSignatureStatus, SignatureCoverageLevel
from pyhanko_certvalidator import ValidationContext
from sqlalchemy.exc import SQLAlchemyError

from server.db import open_database
from server.errors import NotFound
from server.settings import Settings
from server.summary.exports import SummaryRecord, made_pdf, summary_record
from server.summary.signing import signing_time_text

CONFERENCE = re.compile(r"diemcau-conference-(\d+)")
SHA256 = re.compile(r"diemcau-sha256-([0-9a-f]{64})")
STARTXREF = re.compile(rb"startxref\s+(\d+)\s+%%EOF\s*$")
# What the signing revision may change in the document as made: the catalog gains the form that holds the signature
# field (and pyHanko's extension marker), the last page gains the field's widget, the structure tree one element for
# it; the document information and XMP metadata get pyHanko's producer and date. Nothing a reader sees on a page
# besides the field.
CATALOG_CHANGES = {"/AcroForm", "/Extensions", "/Version"}
PAGE_CHANGES = {"/Annots"}
# Errors a damaged or hostile file raises while pyHanko reads it or checks its signature.
BROKEN = (PdfError, SignatureValidationError, ValueError, KeyError, IndexError, TypeError, AttributeError)


class NotVerified(Exception):
    """A check the file failed: which one, and why, in Vietnamese."""

    def __init__(self, check: str, reason: str) -> None:
        super().__init__(f"{check}: {reason}")
        self.check = check
        self.reason = reason


@dataclass(frozen=True)
class Verified:
    """A file that passed every check: who signed it, when, and which frozen record it is."""

    conference_id: int
    sha256: str
    signer: str
    signed_at: datetime | None
    # Whether the signer's certificate chains to one of the --trust certificates (False when none was given).
    trusted: bool


def trust_roots(paths: Sequence[Path]) -> list[Any]:
    """The certificates in the PEM or DER files given with --trust."""
    roots: list[Any] = []
    for path in paths:
        try:
            roots.extend(load_certs_from_pemder([str(path)]))
        except (OSError, ValueError):
            raise NotVerified(
                "chứng thư",
                f"không đọc được chứng thư tin cậy {path}: không có tệp, hoặc không phải chứng thư PEM hay DER",
            ) from None
    return roots


async def verify_pdf(data: bytes, settings: Settings, roots: Sequence[Any] = ()) -> Verified:
    """Every check in turn; the first that fails raises NotVerified naming it."""
    try:
        reader = PdfFileReader(io.BytesIO(data), strict=False)
        signatures = reader.embedded_signatures
    except BROKEN:
        raise NotVerified("tệp", "không đọc được tệp PDF: tệp hỏng hoặc không phải PDF") from None
    if not signatures:
        raise NotVerified("chữ ký", "tệp không có chữ ký số (bản chưa ký, hoặc bản dự thảo trước khi khóa sổ)")
    if len(signatures) > 1:
        raise NotVerified("chữ ký", f"tệp có {len(signatures)} chữ ký số, biên bản chỉ được ký một lần")
    (signature,) = signatures
    status = await _validate(signature, roots)
    if not (status.intact and status.valid):
        raise NotVerified("chữ ký", "chữ ký số bị hỏng: nội dung được ký không còn khớp với chữ ký")
    if status.coverage != SignatureCoverageLevel.ENTIRE_FILE or reader.xrefs.total_revisions != 2:
        raise NotVerified("toàn vẹn", "tệp đã bị thay đổi sau khi ký: chữ ký không còn phủ toàn bộ tệp")
    if roots and not status.trusted:
        raise NotVerified(
            "chứng thư", "chứng thư số của người ký không được cấp bởi chứng thư tin cậy đã cho (--trust)"
        )
    original = reader.get_historical_resolver(0)
    conference_id, sha256 = _seal(original)
    record = await _frozen_record(settings, conference_id)
    if record.sha256 != sha256:
        raise NotVerified(
            "biên bản",
            f"không phải biên bản đã khóa sổ của hội thảo số {conference_id}: mã SHA-256 trong tệp khác mã đã khóa sổ",
        )
    if not _only_the_signature_added(reader, original, signature):
        raise NotVerified("biên bản", "lần ký đã sửa cả nội dung biên bản, không chỉ thêm chữ ký")
    remade = await made_pdf(record)
    ends = STARTXREF.search(remade)
    if not data.startswith(remade) or ends is None or int(ends[1]) != reader.xrefs.get_startxref_for_revision(0):
        raise NotVerified(
            "biên bản", f"nội dung được ký khác biên bản làm lại từ bản đã khóa sổ của hội thảo số {conference_id}"
        )
    signer = status.signing_cert.subject.native.get("common_name") or status.signing_cert.subject.human_friendly
    signed_at = status.signer_reported_dt.astimezone(record.dated.tzinfo) if status.signer_reported_dt else None
    return Verified(conference_id, sha256, signer, signed_at, bool(roots) and status.trusted)


def report(verified: Verified) -> list[str]:
    """What `diemcau verify` prints for a file that passed."""
    when = f" lúc {signing_time_text(verified.signed_at)}" if verified.signed_at else ""
    trust = (
        "cấp bởi chứng thư tin cậy đã cho (--trust)"
        if verified.trusted
        else "chưa kiểm tra nguồn cấp (thêm --trust CA.pem để kiểm tra)"
    )
    return [
        f"Chữ ký số: nguyên vẹn, phủ toàn bộ tệp, không sửa đổi sau khi ký; ký bởi {verified.signer}{when}",
        f"Chứng thư: {trust}",
        f"Biên bản: đúng biên bản tổng hợp đã khóa sổ của hội thảo số {verified.conference_id} (SHA-256 "
        f"{verified.sha256})",
    ]


async def _validate(signature: EmbeddedPdfSignature, roots: Sequence[Any]) -> PdfSignatureStatus:
    # The machine's trust list is never used, and nothing is fetched: the check runs offline, trusting what it is told.
    context = ValidationContext(trust_roots=list(roots), allow_fetching=False)
    try:
        # No later revisions are allowed at all (below), so pyHanko's review of them is not needed.
        return await async_validate_pdf_signature(signature, signer_validation_context=context, skip_diff=True)
    except BROKEN:
        raise NotVerified("chữ ký", "chữ ký số bị hỏng: không đọc được chữ ký") from None


def _seal(original: HistoricalResolver) -> tuple[int, str]:
    """The conference and checksum the document as made names in its keywords."""
    try:
        keywords = str(original.trailer_view["/Info"]["/Keywords"])
    except BROKEN:
        keywords = ""
    conference, sha256 = CONFERENCE.search(keywords), SHA256.search(keywords)
    if conference is None or sha256 is None:
        raise NotVerified("biên bản", "tệp không mang mã hội thảo và mã SHA-256 của một biên bản tổng hợp đã khóa sổ")
    return int(conference[1]), sha256[1]


async def _frozen_record(settings: Settings, conference_id: int) -> SummaryRecord:
    db = open_database(settings)
    try:
        async with db.read() as session:
            record = await summary_record(session, conference_id)
    except NotFound:
        raise NotVerified("hội thảo", f"không có hội thảo số {conference_id} trong cơ sở dữ liệu đã cấu hình") from None
    except SQLAlchemyError as error:
        raise NotVerified("hội thảo", f"không đọc được cơ sở dữ liệu đã cấu hình ({type(error).__name__})") from None
    finally:
        await db.dispose()
    if not record.frozen:
        raise NotVerified("biên bản", f"hội thảo số {conference_id} chưa khóa sổ biên bản tổng hợp")
    return record


def _only_the_signature_added(
    reader: PdfFileReader, original: HistoricalResolver, signature: EmbeddedPdfSignature
) -> bool:
    """The signing revision changes nothing of the document as made but what holds and shows the signature field."""
    try:
        signed = reader.get_historical_resolver(1)
        last_page = original.find_page_for_modification(-1)[0].reference
        old_page, new_page = original.get_object(last_page), signed.get_object(last_page)
        # The page's list of annotations, when it is an object of its own, gains the widget in place.
        allowed = {
            original.root_ref, last_page, _ref(original.trailer_view, "/Info"), _ref(original.root, "/Metadata"),
            _ref(old_page, "/Annots"), _ref(original.root, "/StructTreeRoot"),
        }
        changed = {
            ref for ref in reader.xrefs.explicit_refs_in_revision(1) if reader.xrefs.get_introducing_revision(ref) == 0
        }
        if reader.xrefs.refs_freed_in_revision(1) or not changed <= allowed or "/AcroForm" in original.root:
            return False
        field = signature.sig_field.container_ref
        # The field read from the file is an object of its own; anything else is not the field this signing adds.
        if not isinstance(field, generic.Reference):
            return False
        added = [ref for ref in _references(new_page, "/Annots") if ref not in _references(old_page, "/Annots")]
        return (
            _same_except(original.root, signed.root, CATALOG_CHANGES)
            and _same_except(old_page, new_page, PAGE_CHANGES)
            and _references(signed.root["/AcroForm"], "/Fields") == [field]
            and added == [field]
            and signed.get_object(field).get("/FT") == "/Sig"
            and _only_the_field_tagged(original, signed, field)
        )
    except BROKEN:
        return False


def _only_the_field_tagged(original: HistoricalResolver, signed: HistoricalResolver, field: generic.Reference) -> bool:
    """The structure tree, if the document has one, is unchanged but for one Form element that stands for the field."""
    if "/StructTreeRoot" not in original.root:
        return "/StructTreeRoot" not in signed.root
    old, new = original.root["/StructTreeRoot"], signed.root["/StructTreeRoot"]
    old_kids, new_kids = _references(old, "/K"), _references(new, "/K")
    if new_kids == old_kids:
        return _same_except(old, new, set()) and _same_except(old["/ParentTree"], new["/ParentTree"], set())
    old_nums, new_nums = _raw(old["/ParentTree"], "/Nums"), _raw(new["/ParentTree"], "/Nums")
    element = new_kids[-1]
    added = new_nums[len(old_nums):]
    if element is None or new_kids[:-1] != old_kids or new_nums[:len(old_nums)] != old_nums or len(added) != 2 \
            or not isinstance(added[1], generic.IndirectObject) or added[1].reference != element:
        return False
    form = signed.get_object(element)
    return (
        _same_except(old, new, {"/K", "/ParentTree", "/ParentTreeNextKey"})
        and _same_except(old["/ParentTree"], new["/ParentTree"], {"/Nums"})
        and form["/S"] == "/Form" and form["/K"].raw_get("/Obj").reference == field
        and signed.get_object(field)["/StructParent"] == added[0]
    )


def _ref(holder: generic.DictionaryObject, key: str) -> generic.Reference | None:
    """The object an entry refers to, or None for an entry written in place or missing."""
    entry = holder.raw_get(key) if key in holder else None
    return entry.reference if isinstance(entry, generic.IndirectObject) else None


def _raw(holder: generic.DictionaryObject, key: str) -> list[Any]:
    """An array entry's items as written, references not followed; an array missing or not an array is empty."""
    entries = holder[key] if key in holder else generic.ArrayObject()
    return [entries.raw_get(index) for index in range(len(entries))] if isinstance(entries, generic.ArrayObject) else []


def _references(holder: generic.DictionaryObject, key: str) -> list[generic.Reference | None]:
    """The references in an array entry, as written (an entry written in place, not referred to, is None)."""
    return [entry.reference if isinstance(entry, generic.IndirectObject) else None for entry in _raw(holder, key)]


def _same_except(old: generic.DictionaryObject, new: generic.DictionaryObject, keys: set[str]) -> bool:
    return {key: old.raw_get(key) for key in old if key not in keys} == {
        key: new.raw_get(key) for key in new if key not in keys
    }
