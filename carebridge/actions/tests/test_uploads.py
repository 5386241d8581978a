"""The check on files posted to actions: by content, by name, by size."""

import hashlib
import io
import struct
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from openpyxl import Workbook

from carebridge.core.uploads import check, safe_name

PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
    b"\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00"
    b"\x00\x00\x00IEND\xaeB`\x82"
)
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00\xff\xd9"
GIF = b"GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\xff\xff\xff!\xf9\x04\x01\x00\x00\x00\x00,"
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 64


def docx() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types/>')
        archive.writestr("_rels/.rels", '<?xml version="1.0"?><Relationships/>')
        archive.writestr("word/document.xml", '<?xml version="1.0"?><w:document/>')
    return buffer.getvalue()


def xlsx() -> bytes:
    workbook = Workbook()
    workbook.active["A1"] = "Visits"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def ole(stream: str) -> bytes:
    """The start of an OLE compound file whose directory names the given stream."""
    header = bytes.fromhex("D0CF11E0A1B11AE1") + b"\x00" * 504
    entry = stream.encode("utf-16-le") + b"\x00\x00"
    return header + entry.ljust(128, b"\x00") + b"\x00" * 384


def upload(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/octet-stream")


@pytest.mark.parametrize(
    ("name", "content", "content_type"),
    [
        ("letter.pdf", PDF, "application/pdf"),
        ("photo.png", PNG, "image/png"),
        ("photo.jpg", JPEG, "image/jpeg"),
        ("photo.JPEG", JPEG, "image/jpeg"),
        ("scan.gif", GIF, "image/gif"),
        (
            "plan.docx",
            docx(),
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ),
        (
            "rota.xlsx",
            xlsx(),
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ),
        ("old plan.doc", ole("WordDocument"), "application/msword"),
        ("old rota.xls", ole("Workbook"), "application/vnd.ms-excel"),
    ],
)
def test_it_accepts_each_allowed_type(name, content, content_type):
    file = upload(name, content)

    checked = check(file)

    assert checked.name == name
    assert checked.content_type == content_type
    assert checked.size == len(content)
    assert checked.sha256 == hashlib.sha256(content).hexdigest()
    assert file.tell() == 0
    assert file.read() == content


def test_it_ignores_the_type_the_browser_claims():
    file = SimpleUploadedFile("letter.pdf", PNG, content_type="application/pdf")

    with pytest.raises(ValidationError) as error:
        check(file)

    assert error.value.messages == ["The file letter.pdf is not a PDF, although its name ends .pdf"]


def test_it_refuses_a_program_renamed_as_a_word_document():
    with pytest.raises(ValidationError) as error:
        check(upload("minutes.docx", EXE))

    assert error.value.messages == [
        "The file minutes.docx is not a Word document, although its name ends .docx"
    ]


def test_it_refuses_a_zip_that_is_not_a_word_document():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("payload.exe", EXE)

    with pytest.raises(ValidationError, match="is not a Word document"):
        check(upload("minutes.docx", buffer.getvalue()))


def test_it_refuses_a_spreadsheet_named_as_a_word_document():
    with pytest.raises(ValidationError, match="is not a Word document"):
        check(upload("rota.docx", xlsx()))


def test_it_refuses_a_zip_with_too_many_entries_without_reading_them():
    content = bytearray(docx())
    end = content.rfind(b"PK\x05\x06")
    content[end + 10 : end + 12] = struct.pack("<H", 60000)

    with pytest.raises(ValidationError, match="is not a Word document"):
        check(upload("plan.docx", bytes(content)))


def test_it_refuses_a_type_it_does_not_accept():
    with pytest.raises(ValidationError) as error:
        check(upload("setup.exe", EXE))

    assert error.value.messages == [
        "The file setup.exe must be a PDF, an image (PNG, JPEG or GIF), a Word document or an "
        "Excel file"
    ]


def test_it_refuses_an_empty_file():
    with pytest.raises(ValidationError) as error:
        check(upload("letter.pdf", b""))

    assert error.value.messages == ["The file letter.pdf is empty"]


def test_it_refuses_a_file_over_the_limit():
    with pytest.raises(ValidationError) as error:
        check(upload("big.pdf", PDF + b"\x00" * (10 * 1024 * 1024)))

    assert error.value.messages == ["The file big.pdf must be smaller than 10 MB"]


@override_settings(ACTION_ATTACHMENT_MAX_BYTES=100)
def test_it_follows_the_configured_limit():
    with pytest.raises(ValidationError, match="must be smaller than"):
        check(upload("letter.pdf", PDF + b" " * 100))


def test_it_keeps_only_the_last_part_of_a_name_with_a_path():
    checked = check(upload("..\\..\\windows/system32/../../etc/letter.pdf", PDF))

    assert checked.name == "letter.pdf"


@pytest.mark.parametrize(
    ("sent", "kept"),
    [
        ("C:\\Users\\sam\\Desktop\\care plan.docx", "care plan.docx"),
        ("/etc/passwd", "passwd"),
        ("../", "attachment"),
        ("report\x00.pdf", "report.pdf"),
        ("<script>.pdf", "_script_.pdf"),
        ("a" * 300 + ".pdf", "a" * 96 + ".pdf"),
    ],
)
def test_it_makes_names_safe(sent, kept):
    assert safe_name(sent) == kept
    assert len(safe_name(sent)) <= 100
