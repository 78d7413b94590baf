"""The frozen record's PDF signed with PAdES (B-B) by the configured certificate, a visible field on its last page."""

from __future__ import annotations

import io
from datetime import datetime
from pathlib import Path

from pyhanko.pdf_utils import content, generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.layout import BoxConstraints
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.pdf_utils.writer import BasePdfFileWriter
from pyhanko.sign import fields, signers
from pyhanko.sign.signers.pdf_signer import PdfSigningSession
from pyhanko.stamp import StaticStampStyle

from server.typeset import typeset

FIELD = "ChuKySo"
# The field sits in the last page's bottom margin, under the body's left edge, clear of the text and signature blocks.
MM = 72 / 25.4
LEFT = 30 * MM
BOTTOM = 6 * MM


class _Stamp(content.PdfContent):
    """The field's appearance: the first page of a PDF held in memory, drawn as one form XObject."""

    def __init__(self, pdf: bytes) -> None:
        super().__init__()
        self.pdf = pdf

    def render(self) -> bytes:
        xobject = self._ensure_writer.import_page_as_xobject(PdfFileReader(io.BytesIO(self.pdf)), page_ix=0)
        self.resources.xobject["/Stamp"] = xobject
        x1, y1, x2, y2 = xobject.get_object()["/BBox"]
        self.box = BoxConstraints(width=abs(x2 - x1), height=abs(y2 - y1))
        return b"/Stamp Do"


class _SignerAt(signers.PdfSigner):
    """pyHanko's signer, with the signing time the stamp shows rather than its own later reading of the clock."""

    def __init__(
        self, when: datetime, meta: signers.PdfSignatureMetadata, signer: signers.Signer, style: StaticStampStyle
    ) -> None:
        super().__init__(meta, signer=signer, stamp_style=style)
        self.when = when

    def init_signing_session(
        self, pdf_out: BasePdfFileWriter, existing_fields_only: bool = False
    ) -> PdfSigningSession:
        session = super().init_signing_session(pdf_out, existing_fields_only)
        session.system_time = self.when
        return session


def sign_pdf(pdf: bytes, p12: Path, password: str | None, *, when: datetime) -> bytes:
    """`pdf` with a PAdES signature over the whole file, appended as one revision so the original bytes stay its
    prefix."""
    signer = signers.SimpleSigner.load_pkcs12(p12, passphrase=password.encode() if password else None)
    if signer is None:
        # The settings opened this file at start: it has changed since.
        raise ValueError(f"the signing certificate {p12} can no longer be opened")
    when = when.replace(microsecond=0)
    name = signer.signing_cert.subject.native.get("common_name") or signer.subject_name
    stamp = typeset("signature", {"signer": name, "time": signing_time_text(when)}, created=when, standards=())
    width, height = _page_size(stamp)
    meta = signers.PdfSignatureMetadata(
        field_name=FIELD, subfilter=fields.SigSeedSubFilter.PADES, md_algorithm="sha256"
    )
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
    # pyHanko annotates the box as ints, but a PDF rectangle is in points, and the stamp's edges fall between them.
    box = (LEFT, BOTTOM, LEFT + width, BOTTOM + height)
    fields.append_signature_field(writer, fields.SigFieldSpec(FIELD, on_page=-1, box=box))  # type: ignore[arg-type]
    _tag(writer, f"Ký số bởi: {name}, thời gian: {signing_time_text(when)}")
    style = StaticStampStyle(background=_Stamp(stamp), border_width=0)
    out = io.BytesIO()
    _SignerAt(when, meta, signer, style).sign_pdf(writer, output=out)
    return out.getvalue()


def _tag(writer: IncrementalPdfFileWriter, text: str) -> None:
    """The field's widget as a Form element of the document's structure, with `text` as its description, so that a
    tagged record (PDF/UA-1) stays tagged: every annotation must be in the structure."""
    if "/StructTreeRoot" not in writer.root:
        return
    tree = writer.root["/StructTreeRoot"]
    kids, parents = tree.raw_get("/K"), tree.raw_get("/ParentTree")
    # Typst keeps its elements and a flat parent tree in the structure root itself; anything else is left as it is.
    if not isinstance(kids, generic.ArrayObject) or not isinstance(parents, generic.DictionaryObject) \
            or not isinstance(parents.get("/Nums"), generic.ArrayObject):
        return
    form_fields = writer.root["/AcroForm"]["/Fields"]
    widget = form_fields.raw_get(len(form_fields) - 1)
    numbers = parents.raw_get("/Nums")
    key = int(tree["/ParentTreeNextKey"]) if "/ParentTreeNextKey" in tree else max(
        (int(numbers[index]) + 1 for index in range(0, len(numbers), 2)), default=0,
    )
    element = writer.add_object(generic.DictionaryObject({
        generic.NameObject("/Type"): generic.NameObject("/StructElem"),
        generic.NameObject("/S"): generic.NameObject("/Form"),
        generic.NameObject("/P"): writer.root.raw_get("/StructTreeRoot"),
        generic.NameObject("/K"): generic.DictionaryObject({
            generic.NameObject("/Type"): generic.NameObject("/OBJR"), generic.NameObject("/Obj"): widget,
        }),
        generic.NameObject("/Alt"): generic.TextStringObject(text),
    }))
    field = widget.get_object()
    field["/StructParent"] = generic.NumberObject(key)
    field["/Contents"] = generic.TextStringObject(text)
    field["/TU"] = generic.TextStringObject(text)
    writer.update_container(field)
    kids.append(element)
    numbers.extend([generic.NumberObject(key), element])
    tree["/ParentTreeNextKey"] = generic.NumberObject(key + 1)
    writer.update_container(tree)


def signing_time_text(when: datetime) -> str:
    """The time as the stamp and `diemcau verify` print it: 14:30:05 ngày 05/09/2026 (UTC+07:00)."""
    offset = when.strftime("%z")
    return f"{when:%H:%M:%S} ngày {when:%d/%m/%Y} (UTC{offset[:3]}:{offset[3:]})"


def _page_size(pdf: bytes) -> tuple[float, float]:
    x1, y1, x2, y2 = PdfFileReader(io.BytesIO(pdf)).root["/Pages"]["/Kids"][0]["/MediaBox"]
    return float(x2 - x1), float(y2 - y1)
