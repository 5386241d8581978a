"""The one check of every upload (core.uploads): macros, zip bombs, text files by content, and
clamd's verdict (a real clamd of the suite's own, see conftest.clamd)."""

import io
import socket
import threading
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings

from carebridge.core import uploads
from conftest import EICAR

PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


def ooxml(parts: dict[str, bytes], content_types: bytes = b"<Types/>") -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", content_types)
        for name, data in parts.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def refusal(data: bytes, name: str, **kwargs: object) -> ValidationError:
    with pytest.raises(ValidationError) as caught:
        uploads.check(SimpleUploadedFile(name, data), **kwargs)  # type: ignore[arg-type]
    return caught.value


def test_it_accepts_a_plain_word_document() -> None:
    checked = uploads.check(SimpleUploadedFile("notes.docx", ooxml({"word/document.xml": b"<w/>"})))
    assert checked.content_type == uploads.DOCX.content_type


def test_it_refuses_a_word_document_with_a_vba_project() -> None:
    data = ooxml({"word/document.xml": b"<w/>", "word/vbaProject.bin": b"\x00" * 64})
    error = refusal(data, "notes.docx")
    assert error.code == "file_macros"
    assert error.messages == [
        "The file notes.docx contains macros: save it without macros and upload it again"
    ]


def test_it_refuses_a_workbook_whose_content_types_say_macro_enabled() -> None:
    types = (
        b'<Types><Override PartName="/xl/workbook.xml" ContentType="application/'
        b'vnd.ms-excel.sheet.macroEnabled.main+xml"/></Types>'
    )
    assert refusal(ooxml({"xl/workbook.xml": b"<x/>"}, types), "sums.xlsx").code == "file_macros"


def test_it_refuses_an_old_word_file_with_a_vba_storage() -> None:
    head = bytes.fromhex("D0CF11E0A1B11AE1") + b"\x00" * 504
    directory = "WordDocument".encode("utf-16-le") + b"\x00" * 40
    vba = "_VBA_PROJECT".encode("utf-16-le") + b"\x00" * 40
    assert refusal(head + directory + vba, "old.doc").code == "file_macros"
    assert uploads.check(SimpleUploadedFile("old.doc", head + directory)).content_type == (
        "application/msword"
    )


@override_settings(UPLOAD_MAX_UNCOMPRESSED_BYTES=5 * 1024 * 1024)
def test_it_refuses_a_zip_bomb_named_docx_by_its_size_when_opened() -> None:
    bomb = ooxml({"word/document.xml": b"<w/>", "word/media/fill.bin": b"\x00" * (8 * 1024 * 1024)})
    assert len(bomb) < 100 * 1024
    error = refusal(bomb, "report.docx")
    assert error.code == "file_bomb"
    assert "too big when opened" in error.messages[0]


def test_it_refuses_a_part_that_grows_beyond_the_ratio() -> None:
    bomb = ooxml({"word/document.xml": b"\x00" * (4 * 1024 * 1024)})
    assert refusal(bomb, "report.docx").code == "file_bomb"


def test_it_refuses_a_part_whose_declared_size_lies() -> None:
    data = bytearray(ooxml({"word/document.xml": b"<w>" + b"a" * 5000 + b"</w>"}))
    # Declare the part's size smaller in the central directory: zipfile then reads too little
    # and the CRC fails, so the file is not a Word document at all.
    central = data.rfind(b"PK\x01\x02word"[:4], 0, len(data))
    index = data.find(b"word/document.xml", central) - 46 + 24
    data[index : index + 4] = (10).to_bytes(4, "little")
    assert refusal(bytes(data), "report.docx").code == "file_content"


def test_it_takes_a_csv_by_its_content_whatever_its_name() -> None:
    checked = uploads.check(
        SimpleUploadedFile("export.txt", b"\xef\xbb\xbfa,b\n1,2\n"), accept=uploads.CSV_FILE
    )
    assert checked.content_type == "text/csv"
    assert refusal(PDF.replace(b"1", b"\x00"), "actuals.csv", accept=uploads.CSV_FILE).code == (
        "file_content"
    )


def test_it_refuses_a_json_feed_that_is_not_text() -> None:
    assert refusal(b"{\x00\x01}", "feed.json", accept=uploads.JSON_FILE).code == "file_content"
    assert uploads.check(SimpleUploadedFile("feed.json", b' [{"id": 1}]'), accept=uploads.JSON_FILE)


def test_it_skips_the_scan_when_clamd_is_not_configured() -> None:
    with override_settings(CLAMD_ADDRESS=""):
        assert uploads.check(SimpleUploadedFile("eicar.csv", EICAR), accept=uploads.CSV_FILE)


@pytest.fixture
def unanswering(tmp_path: Path) -> Iterator[str]:
    """A socket that accepts and closes without a word: a clamd that is there but broken."""
    path = tmp_path / "dead.sock"
    server = socket.socket(socket.AF_UNIX)
    server.bind(str(path))
    server.listen(1)

    def close_each() -> None:
        while True:
            try:
                connection, _ = server.accept()
            except OSError:
                return
            connection.close()

    threading.Thread(target=close_each, daemon=True).start()
    yield f"unix://{path}"
    server.close()


@pytest.mark.parametrize("broken", ["absent", "unanswering", "bad address"])
def test_it_refuses_the_upload_when_clamd_does_not_answer(
    broken: str, unanswering: str, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    address = {
        "absent": f"unix://{tmp_path / 'none.sock'}",
        "unanswering": unanswering,
        "bad address": "clamd-without-port",
    }[broken]
    with override_settings(CLAMD_ADDRESS=address, CLAMD_TIMEOUT=2):
        error = refusal(PDF, "plan.pdf")
    assert error.code == "file_unscanned"
    assert error.messages == ["The file plan.pdf could not be checked for viruses: try again later"]
    assert "not scanned" in caplog.text


def test_a_clean_file_passes_the_real_clamd(clamd: str) -> None:
    with override_settings(CLAMD_ADDRESS=clamd):
        assert uploads.check(SimpleUploadedFile("plan.pdf", PDF)).size == len(PDF)


# The audit app records what it hears (audit/receivers.py): a row is written.
@pytest.mark.django_db
def test_it_refuses_the_eicar_file_and_announces_it_without_its_content(clamd: str) -> None:
    heard: list[dict[str, object]] = []

    def listen(**kwargs: object) -> None:
        heard.append(kwargs)

    uploads.upload_infected.connect(listen)
    try:
        with override_settings(CLAMD_ADDRESS=clamd):
            error = refusal(EICAR, "eicar.csv", accept=uploads.CSV_FILE, by=None)
    finally:
        uploads.upload_infected.disconnect(listen)
    assert error.code == "file_infected"
    assert error.messages == ["The file eicar.csv contains a virus: it has not been uploaded"]
    assert len(heard) == 1
    assert heard[0]["signature"] == "Carebridge.Test.EICAR.UNOFFICIAL"
    assert heard[0]["name"] == "eicar.csv" and heard[0]["size"] == len(EICAR)
    assert all(EICAR not in str(value).encode() for value in heard[0].values())


# The audit app records what it hears (audit/receivers.py): a row is written.
@pytest.mark.django_db
def test_the_eicar_file_inside_a_word_document_is_found_too(clamd: str) -> None:
    data = ooxml({"word/document.xml": b"<w/>", "word/media/x.bin": EICAR})
    with override_settings(CLAMD_ADDRESS=clamd):
        assert refusal(data, "report.docx").code == "file_infected"


def test_a_file_checked_by_its_form_is_not_scanned_again(clamd: str) -> None:
    upload = SimpleUploadedFile("plan.pdf", PDF)
    with override_settings(CLAMD_ADDRESS=clamd):
        first = uploads.check(upload)
    with override_settings(CLAMD_ADDRESS="clamd-without-port"):
        assert uploads.check(upload) is first


@override_settings(CLAMD_ADDRESS="", DEBUG=False, DEMO=False, TESTING=False)
def test_check_deploy_warns_when_uploads_are_not_scanned() -> None:
    from carebridge.core.checks import uploads_scanned

    assert [message.id for message in uploads_scanned()] == ["carebridge.W002"]
    with override_settings(CLAMD_ADDRESS="unix:///run/clamav/clamd.ctl"):
        assert uploads_scanned() == []
