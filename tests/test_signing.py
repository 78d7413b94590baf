"""The frozen summary PDF signed with our own test certificate, and `diemcau verify` telling a true copy from others."""
from __future__ import annotations

import io
import os
import subprocess
import sys
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import aiohttp
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import fields, signers

import server.__main__ as command
from server.settings import SettingError, load
from server.simulate.loopback import ROOT, Server
from server.summary.signing import FIELD, sign_pdf
from tests.support.http import caller
from tests.support.servers import start_server, stop_server
from tests.workshops import another_workshop

SIGNER = "Văn phòng Bộ - Ký số thử"
PASSWORD = "mật-khẩu-thử"


@dataclass(frozen=True)
class Pki:
    """A test CA, a certificate it issued in a PKCS#12 file, and a CA that issued nothing of ours."""

    ca: Path
    p12: Path
    stranger: Path


def _name(common: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common)])


def _authority(common: str, key: ec.EllipticCurvePrivateKey) -> x509.Certificate:
    now = datetime.now(UTC)
    return (
        x509.CertificateBuilder().subject_name(_name(common)).issuer_name(_name(common)).public_key(key.public_key())
        .serial_number(x509.random_serial_number()).not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=30))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(x509.KeyUsage(False, False, False, False, False, True, True, False, False), critical=True)
        .sign(key, hashes.SHA256())
    )


def make_pki(directory: Path) -> Pki:
    ca_key, key = ec.generate_private_key(ec.SECP256R1()), ec.generate_private_key(ec.SECP256R1())
    ca = _authority("CA thử của Điểm Cầu", ca_key)
    now = datetime.now(UTC)
    certificate = (
        x509.CertificateBuilder().subject_name(_name(SIGNER)).issuer_name(ca.subject).public_key(key.public_key())
        .serial_number(x509.random_serial_number()).not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=30))
        # Digital signature and non-repudiation: what a document signing certificate carries.
        .add_extension(x509.KeyUsage(True, True, False, False, False, False, False, False, False), critical=True)
        .sign(ca_key, hashes.SHA256())
    )
    pki = Pki(directory / "ca.pem", directory / "ky-so.p12", directory / "stranger.pem")
    pki.ca.write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    pki.stranger.write_bytes(
        _authority("CA lạ", ec.generate_private_key(ec.SECP256R1())).public_bytes(serialization.Encoding.PEM)
    )
    pki.p12.write_bytes(pkcs12.serialize_key_and_certificates(
        b"ky-so", key, certificate, [ca], serialization.BestAvailableEncryption(PASSWORD.encode()),
    ))
    return pki


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> Pki:
    return make_pki(tmp_path_factory.mktemp("pki"))


@dataclass(frozen=True)
class Signed:
    """The signing server, what it served, and where the test keeps its copies."""

    server: Server
    env: dict[str, str]
    frozen: bytes
    preview: bytes
    archival: bytes
    conference_id: int
    directory: Path


@pytest.fixture(scope="module")
async def signed(pki: Pki, tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Signed]:
    """A small workshop closed on a server that signs, its frozen PDF downloaded twice and its archival copy, and the
    demo's preview."""
    extra = {"DIEMCAU_SIGNING_P12": str(pki.p12), "DIEMCAU_SIGNING_PASSWORD": PASSWORD}
    server = await start_server(tmp_path_factory.mktemp("signing"), extra_env=extra)
    try:
        async with aiohttp.ClientSession() as http:
            call = caller(http)
            workshop = await another_workshop(server, call)
            admin, api = server.tokens["admin"], f"{server.base_url}/api/v1/conferences/{workshop.conference_id}"
            for action in ("open", "close"):
                reply = await call("POST", f"{api}/{action}", admin)
                assert reply.status == 200, (action, reply.body)
            copies = [await _download(http, f"{api}/summary.pdf", admin) for _ in range(2)]
            assert copies[0] == copies[1], "every download gives the kept, signed file"
            preview = await _download(http, server.api("/summary.pdf"), admin)
            archival = await _download(http, f"{api}/summary.pdfa", admin)
        env = {
            **os.environ, **extra, "DIEMCAU_SECRET_KEY": "test-secret-" + server.database.parent.name,
            "DIEMCAU_DATA_DIR": str(server.database.parent),
        }
        yield Signed(
            server, env, copies[0], preview, archival, workshop.conference_id, tmp_path_factory.mktemp("copies")
        )
    finally:
        stop_server(server)


async def _download(http: aiohttp.ClientSession, url: str, token: str) -> bytes:
    async with http.get(url, headers={"Authorization": f"Bearer {token}"}) as response:
        assert response.status == 200, url
        return await response.read()


def verify(signed: Signed, name: str, body: bytes, *trust: Path) -> subprocess.CompletedProcess[str]:
    """`diemcau verify` on `body`, as an administrator runs it beside the server, with the server's settings."""
    return subprocess.run(
        [sys.executable, "-m", "server", *_arguments(signed, name, body, trust)],
        cwd=ROOT, env=signed.env, capture_output=True, text=True, timeout=120,
    )


def refused(signed: Signed, name: str, body: bytes, monkeypatch: pytest.MonkeyPatch, *trust: Path) -> str:
    """What `diemcau verify` says of a file it refuses, run in this process (a process of its own takes seconds)."""
    for variable, value in signed.env.items():
        if variable.startswith("DIEMCAU_"):
            monkeypatch.setenv(variable, value)
    with pytest.raises(SystemExit) as stopped:
        command.main(_arguments(signed, name, body, trust))
    message = str(stopped.value.code)
    assert message.startswith(f"KHÔNG HỢP LỆ: {signed.directory / name}\n  Kiểm tra "), message
    return message


def _arguments(signed: Signed, name: str, body: bytes, trust: tuple[Path, ...]) -> list[str]:
    path = signed.directory / name
    path.write_bytes(body)
    return ["verify", str(path), *[arg for ca in trust for arg in ("--trust", str(ca))],
            "--database-url", f"sqlite+aiosqlite:///{signed.server.database}"]


def test_the_frozen_pdf_carries_our_signature_in_a_visible_field_on_its_last_page(signed: Signed) -> None:
    reader = PdfFileReader(io.BytesIO(signed.frozen))
    (signature,) = reader.embedded_signatures
    assert signature.signer_cert.subject.native["common_name"] == SIGNER
    assert signature.field_name == FIELD and signature.sig_object["/SubFilter"] == "/ETSI.CAdES.detached"
    assert signature.byte_range[2] + signature.byte_range[3] == len(signed.frozen), (
        "the signature covers the whole file"
    )
    x1, y1, x2, y2 = signature.sig_field["/Rect"]
    assert x2 - x1 > 100 and y2 - y1 > 10, "the field is visible"
    pages = reader.root["/Pages"]
    assert signature.sig_field.raw_get("/P").reference == pages["/Kids"].raw_get(len(pages["/Kids"]) - 1).reference
    # The tagged record stays tagged (PDF/UA-1): the field is a Form element of the structure, described in words.
    tree = reader.root["/StructTreeRoot"]
    form = tree["/K"][len(tree["/K"]) - 1]
    assert form["/S"] == "/Form" and form["/K"].raw_get("/Obj").reference == signature.sig_field.container_ref
    assert SIGNER in form["/Alt"] and signature.sig_field["/StructParent"] == tree["/ParentTreeNextKey"] - 1
    assert PdfFileReader(io.BytesIO(signed.preview)).embedded_signatures == [], "a preview is never signed"
    assert PdfFileReader(io.BytesIO(signed.archival)).embedded_signatures == [], "nor is the PDF/A copy"


def test_verify_accepts_the_frozen_pdf_and_says_whose_signature_and_which_record(signed: Signed, pki: Pki) -> None:
    done = verify(signed, "bien-ban.pdf", signed.frozen, pki.ca)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("HỢP LỆ: ") and SIGNER in done.stdout
    assert f"hội thảo số {signed.conference_id}" in done.stdout and "cấp bởi chứng thư tin cậy" in done.stdout


def test_one_changed_byte_in_the_content_is_caught(signed: Signed, monkeypatch: pytest.MonkeyPatch) -> None:
    # A byte inside a stream of the document as made, far from the signature's own bytes.
    at = signed.frozen.index(b"stream", 100) + 40
    changed = signed.frozen[:at] + bytes([signed.frozen[at] ^ 0x01]) + signed.frozen[at + 1:]
    assert "Kiểm tra chữ ký: chữ ký số bị hỏng" in refused(signed, "mot-byte.pdf", changed, monkeypatch)


def test_a_change_appended_after_signing_is_caught(signed: Signed, monkeypatch: pytest.MonkeyPatch) -> None:
    writer = IncrementalPdfFileWriter(io.BytesIO(signed.frozen))
    writer.root["/Lang"] = generic.TextStringObject("en")
    writer.update_root()
    out = io.BytesIO()
    writer.write(out)
    assert "Kiểm tra toàn vẹn: tệp đã bị thay đổi sau khi ký" in refused(
        signed, "sua-sau.pdf", out.getvalue(), monkeypatch
    )


def test_a_signing_that_also_draws_on_the_last_page_is_caught(
    signed: Signed, pki: Pki, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The document as made, then one revision that both covers its last page with other text and signs, by our key.
    reader = PdfFileReader(io.BytesIO(signed.frozen))
    end = signed.frozen.index(b"%%EOF", reader.xrefs.get_startxref_for_revision(0)) + len(b"%%EOF\n")
    made = signed.frozen[:end]
    writer = IncrementalPdfFileWriter(io.BytesIO(made))
    page = writer.find_page_for_modification(-1)[0].get_object()
    page["/Contents"] = writer.add_object(generic.StreamObject(stream_data=b"0 0 600 850 re f"))
    writer.update_container(page)
    p12 = signers.SimpleSigner.load_pkcs12(pki.p12, passphrase=PASSWORD.encode())
    meta = signers.PdfSignatureMetadata(field_name=FIELD, subfilter=fields.SigSeedSubFilter.PADES)
    out = io.BytesIO()
    signers.PdfSigner(
        meta, signer=p12, new_field_spec=fields.SigFieldSpec(FIELD, on_page=-1, box=(90, 20, 300, 60))
    ).sign_pdf(writer, output=out)
    assert "Kiểm tra biên bản: lần ký đã sửa cả nội dung" in refused(signed, "ve-de.pdf", out.getvalue(), monkeypatch)


def test_an_unsigned_preview_a_preview_signed_with_our_key_and_a_stranger_ca_are_refused(
    signed: Signed, pki: Pki, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert "Kiểm tra chữ ký: tệp không có chữ ký số" in refused(signed, "du-thao.pdf", signed.preview, monkeypatch)
    forged = sign_pdf(signed.preview, pki.p12, PASSWORD, when=datetime.now(UTC))
    assert "Kiểm tra biên bản:" in refused(signed, "du-thao-ky.pdf", forged, monkeypatch)
    assert "Kiểm tra chứng thư:" in refused(signed, "ca-la.pdf", signed.frozen, monkeypatch, pki.stranger)
    missing = signed.directory / "khong-co.pem"
    assert f"Kiểm tra chứng thư: không đọc được chứng thư tin cậy {missing}" in refused(
        signed, "ca-thieu.pdf", signed.frozen, monkeypatch, missing
    )


def test_a_wrong_password_or_an_unreadable_file_is_refused_at_start(
    pki: Pki, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    key = {"DIEMCAU_SECRET_KEY": "k" * 32}
    with pytest.raises(SettingError, match="^DIEMCAU_SIGNING_PASSWORD does not open DIEMCAU_SIGNING_P12"):
        load(env={**key, "DIEMCAU_SIGNING_P12": str(pki.p12), "DIEMCAU_SIGNING_PASSWORD": "sai"})
    with pytest.raises(SettingError, match="^DIEMCAU_SIGNING_P12 must be a PKCS#12 file the server can read"):
        load(env={**key, "DIEMCAU_SIGNING_P12": str(tmp_path / "none.p12"), "DIEMCAU_SIGNING_PASSWORD": PASSWORD})
    with pytest.raises(SettingError, match="^DIEMCAU_SIGNING_PASSWORD is set but DIEMCAU_SIGNING_P12"):
        load(env={**key, "DIEMCAU_SIGNING_PASSWORD": PASSWORD})
    settings = load(env={**key, "DIEMCAU_SIGNING_P12": str(pki.p12), "DIEMCAU_SIGNING_PASSWORD": PASSWORD})
    assert settings.signing_p12 == pki.p12.resolve() and PASSWORD not in repr(settings)
    # The command stops before the database is touched, with one line and status 2, as for every setting.
    for name in [n for n in os.environ if n.startswith("DIEMCAU_")]:
        monkeypatch.delenv(name)
    monkeypatch.setenv("DIEMCAU_SECRET_KEY", "k" * 32)
    monkeypatch.setenv("DIEMCAU_SIGNING_P12", str(pki.p12))
    monkeypatch.setenv("DIEMCAU_SIGNING_PASSWORD", "sai")

    def went_on(url: str) -> None:
        raise AssertionError("a wrong password was let through to the migration")

    # A password let through by mistake fails the test here instead of starting a server in the test process.
    monkeypatch.setattr(command, "upgrade", went_on)
    with pytest.raises(SystemExit) as stopped:
        command.main(["serve", "--database-url", f"sqlite+aiosqlite:///{tmp_path / 'd.db'}"])
    assert stopped.value.code == 2 and "DIEMCAU_SIGNING_PASSWORD does not open" in capsys.readouterr().err
    assert not (tmp_path / "d.db").exists()
