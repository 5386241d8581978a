"""The check every file posted on an action passes: a type we accept, recognised by its content
(not its name or the browser's word), a name that matches that content, a size within the
limit, and a safe name to keep. Nothing is extracted or run."""

from __future__ import annotations

import hashlib
import re
import struct
import unicodedata
import zipfile
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import IO

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile

MAX_NAME_LENGTH = 100
# A Word or Excel file has a few dozen parts; thousands mean something is wrong (or hostile).
MAX_ZIP_ENTRIES = 2000
_CHUNK = 64 * 1024
_ZIP_END = b"PK\x05\x06"
_OLE = bytes.fromhex("D0CF11E0A1B11AE1")


@dataclass(frozen=True)
class Kind:
    content_type: str
    described: str  # "a PDF": as in "The file X is not a PDF"


PDF = Kind("application/pdf", "a PDF")
PNG = Kind("image/png", "a PNG image")
JPEG = Kind("image/jpeg", "a JPEG image")
GIF = Kind("image/gif", "a GIF image")
DOCX = Kind(
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document", "a Word document"
)
XLSX = Kind("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "an Excel file")
DOC = Kind("application/msword", "a Word document")
XLS = Kind("application/vnd.ms-excel", "an Excel file")

KIND_OF_EXTENSION = {
    ".pdf": PDF,
    ".png": PNG,
    ".jpg": JPEG,
    ".jpeg": JPEG,
    ".gif": GIF,
    ".docx": DOCX,
    ".doc": DOC,
    ".xlsx": XLSX,
    ".xls": XLS,
}
ACCEPTED = "a PDF, an image (PNG, JPEG or GIF), a Word document or an Excel file"


@dataclass(frozen=True)
class Checked:
    name: str
    content_type: str
    size: int
    sha256: str


def max_bytes() -> int:
    return int(getattr(settings, "ACTION_ATTACHMENT_MAX_BYTES", 10 * 1024 * 1024))


def _megabytes(size: int) -> str:
    megabytes = size / (1024 * 1024)
    return f"{megabytes:g} MB" if megabytes >= 1 else f"{size // 1024} KB"


def safe_name(name: str) -> str:
    """The last part of the name the browser sent, without paths or odd characters, at most
    100 characters and keeping its extension."""
    name = unicodedata.normalize("NFC", name or "").replace("\\", "/")
    name = PurePosixPath(name).name
    name = "".join(c for c in name if unicodedata.category(c)[0] != "C")
    name = re.sub(r"[^\w .()+,&'-]", "_", name).strip(" .")
    name = re.sub(r"\s+", " ", name)
    if not name:
        return "attachment"
    if len(name) > MAX_NAME_LENGTH:
        stem, dot, extension = name.rpartition(".")
        if dot and 0 < len(extension) <= 10:
            name = f"{stem[: MAX_NAME_LENGTH - len(extension) - 1].rstrip(' .')}.{extension}"
        else:
            name = name[:MAX_NAME_LENGTH]
    return name


def _zip_entry_count(file: IO[bytes], size: int) -> int | None:
    """How many entries the zip's end record declares, read before zipfile parses them all;
    None when there is no end record."""
    tail_size = min(size, 22 + 65535)
    file.seek(size - tail_size)
    tail = file.read(tail_size)
    end = tail.rfind(_ZIP_END)
    if end < 0 or end + 22 > len(tail):
        return None
    (entries,) = struct.unpack("<H", tail[end + 10 : end + 12])
    return int(entries)


def _office_kind(file: IO[bytes], size: int) -> Kind | None:
    """A .docx or .xlsx: a zip with [Content_Types].xml and Word's or Excel's parts. Only the
    list of names is read; nothing is decompressed."""
    entries = _zip_entry_count(file, size)
    # 0xFFFF means a Zip64 count follows: no office document needs one.
    if entries is None or entries > MAX_ZIP_ENTRIES:
        return None
    file.seek(0)
    try:
        with zipfile.ZipFile(file) as archive:
            names = archive.namelist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError):
        return None
    if len(names) > MAX_ZIP_ENTRIES or "[Content_Types].xml" not in names:
        return None
    if any(n.startswith("word/") for n in names):
        return DOCX
    if any(n.startswith("xl/") for n in names):
        return XLSX
    return None


def _ole_streams(file: IO[bytes]) -> tuple[bool, bool]:
    """Whether an OLE compound file names a WordDocument stream, or an Excel Workbook (or Book)
    stream: the names appear in UTF-16 in its directory."""
    word, excel = "WordDocument".encode("utf-16-le"), "Workbook".encode("utf-16-le")
    old_excel = b"B\x00o\x00o\x00k\x00\x00\x00"
    found_word = found_excel = False
    file.seek(0)
    carry = b""
    while chunk := file.read(_CHUNK):
        window = carry + chunk
        found_word = found_word or word in window
        found_excel = found_excel or excel in window or old_excel in window
        carry = window[-32:]
    return found_word, found_excel


def _content_kinds(file: IO[bytes], size: int) -> set[Kind]:
    """What the content is, by its first bytes (and, for zip and OLE files, their structure).
    An OLE file may be both (a Word document with an embedded sheet)."""
    file.seek(0)
    head = file.read(16)
    if head.startswith(b"%PDF-"):
        return {PDF}
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return {PNG}
    if head.startswith(b"\xff\xd8\xff"):
        return {JPEG}
    if head.startswith((b"GIF87a", b"GIF89a")):
        return {GIF}
    if head.startswith(b"PK\x03\x04"):
        kind = _office_kind(file, size)
        return {kind} if kind else set()
    if head.startswith(_OLE):
        word, excel = _ole_streams(file)
        return ({DOC} if word else set()) | ({XLS} if excel else set())
    return set()


def check(upload: UploadedFile) -> Checked:
    """Accept the upload or raise ValidationError with a message for the person who chose it.
    The file is left at its start, ready to be saved."""
    name = safe_name(upload.name or "")
    extension = PurePosixPath(name).suffix.lower()
    expected = KIND_OF_EXTENSION.get(extension)
    if expected is None:
        raise ValidationError(f"The file {name} must be {ACCEPTED}", code="file_type")
    size = int(upload.size or 0)
    if size == 0:
        raise ValidationError(f"The file {name} is empty", code="file_empty")
    limit = max_bytes()
    if size > limit:
        raise ValidationError(
            f"The file {name} must be smaller than {_megabytes(limit)}", code="file_size"
        )

    file: IO[bytes] = upload.file  # type: ignore[assignment]
    try:
        kinds = _content_kinds(file, size)
        if expected not in kinds:
            raise ValidationError(
                f"The file {name} is not {expected.described}, although its name ends {extension}",
                code="file_content",
            )
        digest = hashlib.sha256()
        read = 0
        file.seek(0)
        while chunk := file.read(_CHUNK):
            read += len(chunk)
            if read > limit:
                raise ValidationError(
                    f"The file {name} must be smaller than {_megabytes(limit)}", code="file_size"
                )
            digest.update(chunk)
    finally:
        file.seek(0)
    if read == 0:
        raise ValidationError(f"The file {name} is empty", code="file_empty")
    return Checked(
        name=name, content_type=expected.content_type, size=read, sha256=digest.hexdigest()
    )
