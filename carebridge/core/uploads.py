"""The one check every uploaded file passes, whichever form takes it: a type we accept,
recognised by its content (not its name or the browser's word), a size within the limit, no
macros in an Office file, no zip bomb behind a .docx or .xlsx, and, when clamd is configured
(CLAMD_ADDRESS), no virus. Nothing is run; an Office file's parts are decompressed only under a
budget. The infected file is announced by the `upload_infected` signal, which the audit app
records (core imports no app)."""

from __future__ import annotations

import hashlib
import logging
import re
import socket
import struct
import unicodedata
import weakref
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import IO, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.dispatch import Signal

from carebridge.core.middleware import acting_request
from carebridge.core.ratelimits import client_ip

logger = logging.getLogger(__name__)

MAX_NAME_LENGTH = 100
# A Word or Excel file has a few dozen parts; thousands mean something is wrong (or hostile).
MAX_ZIP_ENTRIES = 2000
# A part that grows more than this many times when decompressed is a bomb, not a document.
MAX_ZIP_RATIO = 200
_RATIO_FLOOR = 1024 * 1024  # small parts (a repeated style) may compress very well
_CHUNK = 64 * 1024
_ZIP_END = b"PK\x05\x06"
_OLE = bytes.fromhex("D0CF11E0A1B11AE1")
# Word keeps its macros in Macros/VBA/_VBA_PROJECT, Excel in _VBA_PROJECT_CUR/VBA/_VBA_PROJECT.
_OLE_VBA = "_VBA_PROJECT".encode("utf-16-le")
_MACRO_CONTENT_TYPES = re.compile(rb"macroEnabled|vbaProject|vbaData", re.IGNORECASE)

# Sent when clamd finds a virus: name (the safe name), size, sha256, signature, by (or None).
upload_infected = Signal()


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
CSV = Kind("text/csv", "a CSV file")
JSON = Kind("application/json", "a JSON file")


@dataclass(frozen=True)
class Accept:
    """What a form takes: the kind each name's extension promises, in words for its message,
    and (for text files, whose names vary) the kind expected of any other name."""

    kinds: Mapping[str, Kind]
    words: str
    otherwise: Kind | None = None


DOCUMENTS = Accept(
    {
        ".pdf": PDF,
        ".png": PNG,
        ".jpg": JPEG,
        ".jpeg": JPEG,
        ".gif": GIF,
        ".docx": DOCX,
        ".doc": DOC,
        ".xlsx": XLSX,
        ".xls": XLS,
    },
    "a PDF, an image (PNG, JPEG or GIF), a Word document or an Excel file",
)
CSV_FILE = Accept({".csv": CSV}, "a CSV file", otherwise=CSV)
JSON_FILE = Accept({".json": JSON}, "a JSON file", otherwise=JSON)


@dataclass(frozen=True)
class Checked:
    name: str
    content_type: str
    size: int
    sha256: str


class ScanUnavailable(Exception):
    """clamd is configured but did not answer, or answered something we cannot read."""


# A file checked by a form is not checked (nor scanned) again by the service it is given to.
_checked: weakref.WeakKeyDictionary[Any, tuple[Accept, int, Checked]] = weakref.WeakKeyDictionary()


def max_bytes() -> int:
    return int(getattr(settings, "ACTION_ATTACHMENT_MAX_BYTES", 10 * 1024 * 1024))


def max_uncompressed_bytes() -> int:
    return int(getattr(settings, "UPLOAD_MAX_UNCOMPRESSED_BYTES", 100 * 1024 * 1024))


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


class _Refused(Exception):
    """An Office file that is well formed but must not come in (macros, a bomb)."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


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


def _inflate_within_budget(archive: zipfile.ZipFile) -> bytes:
    """Decompress every part, counting what comes out, and stop at the budget: the sizes a zip
    declares may lie. Returns [Content_Types].xml, read on the way."""
    budget = max_uncompressed_bytes()
    total = 0
    content_types = b""
    for info in archive.infolist():
        if info.file_size > budget or (
            info.file_size > _RATIO_FLOOR
            and info.file_size > MAX_ZIP_RATIO * max(info.compress_size, 1)
        ):
            raise _Refused("file_bomb")
        with archive.open(info) as part:
            while chunk := part.read(_CHUNK):
                total += len(chunk)
                if total > budget:
                    raise _Refused("file_bomb")
                if info.filename == "[Content_Types].xml" and len(content_types) < budget:
                    content_types += chunk
    return content_types


def _office_kind(file: IO[bytes], size: int) -> Kind | None:
    """A .docx or .xlsx: a zip with [Content_Types].xml and Word's or Excel's parts, without
    macros, that decompresses within the budget."""
    entries = _zip_entry_count(file, size)
    # 0xFFFF means a Zip64 count follows: no office document needs one.
    if entries is None or entries > MAX_ZIP_ENTRIES:
        return None
    file.seek(0)
    try:
        with zipfile.ZipFile(file) as archive:
            names = archive.namelist()
            if len(names) > MAX_ZIP_ENTRIES or "[Content_Types].xml" not in names:
                return None
            if sum(i.file_size for i in archive.infolist()) > max_uncompressed_bytes():
                raise _Refused("file_bomb")
            if any(n.lower().endswith(("vbaproject.bin", "vbadata.xml")) for n in names):
                raise _Refused("file_macros")
            content_types = _inflate_within_budget(archive)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError, OSError):
        return None
    if _MACRO_CONTENT_TYPES.search(content_types):
        raise _Refused("file_macros")
    if any(n.startswith("word/") for n in names):
        return DOCX
    if any(n.startswith("xl/") for n in names):
        return XLSX
    return None


def _ole_streams(file: IO[bytes]) -> tuple[bool, bool, bool]:
    """Whether an OLE compound file names a WordDocument stream, an Excel Workbook (or Book)
    stream, and a VBA project: the names appear in UTF-16 in its directory."""
    word, excel = "WordDocument".encode("utf-16-le"), "Workbook".encode("utf-16-le")
    old_excel = b"B\x00o\x00o\x00k\x00\x00\x00"
    found_word = found_excel = found_vba = False
    file.seek(0)
    carry = b""
    while chunk := file.read(_CHUNK):
        window = carry + chunk
        found_word = found_word or word in window
        found_excel = found_excel or excel in window or old_excel in window
        found_vba = found_vba or _OLE_VBA in window
        carry = window[-32:]
    return found_word, found_excel, found_vba


def _is_text(file: IO[bytes]) -> bool:
    """A CSV or JSON file is text: no NUL byte anywhere. Whether it parses is its reader's
    question, which says where it went wrong."""
    file.seek(0)
    return all(b"\x00" not in chunk for chunk in iter(lambda: file.read(_CHUNK), b""))


def _content_kinds(file: IO[bytes], size: int, expected: Kind) -> set[Kind]:
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
        word, excel, vba = _ole_streams(file)
        if vba and (word or excel):
            raise _Refused("file_macros")
        return ({DOC} if word else set()) | ({XLS} if excel else set())
    if expected in (CSV, JSON) and _is_text(file):
        return {expected}
    return set()


_REFUSALS = {
    "file_macros": "The file {name} contains macros: save it without macros and upload it again",
    "file_bomb": "The file {name} is too big when opened: it must open to less than {limit}",
}


def check(
    upload: UploadedFile,
    *,
    accept: Accept = DOCUMENTS,
    limit: int | None = None,
    by: Any = None,
) -> Checked:
    """Accept the upload or raise ValidationError with a message for the person who chose it.
    The file is left at its start, ready to be saved or read."""
    limit = max_bytes() if limit is None else limit
    remembered = _checked.get(upload)
    if remembered is not None and remembered[:2] == (accept, limit):
        return remembered[2]
    name = safe_name(upload.name or "")
    extension = PurePosixPath(name).suffix.lower()
    expected = accept.kinds.get(extension, accept.otherwise)
    if expected is None:
        raise ValidationError(f"The file {name} must be {accept.words}", code="file_type")
    size = int(upload.size or 0)
    if size == 0:
        raise ValidationError(f"The file {name} is empty", code="file_empty")
    too_big = ValidationError(
        f"The file {name} must be smaller than {_megabytes(limit)}", code="file_size"
    )
    if size > limit:
        raise too_big

    file: IO[bytes] = upload.file  # type: ignore[assignment]
    try:
        try:
            kinds = _content_kinds(file, size, expected)
        except _Refused as refused:
            message = _REFUSALS[refused.code].format(
                name=name, limit=_megabytes(max_uncompressed_bytes())
            )
            raise ValidationError(message, code=refused.code) from None
        if expected not in kinds:
            raise ValidationError(
                f"The file {name} is not {expected.described}"
                + (f", although its name ends {extension}" if extension in accept.kinds else ""),
                code="file_content",
            )
        digest = hashlib.sha256()
        read = 0
        file.seek(0)
        while chunk := file.read(_CHUNK):
            read += len(chunk)
            if read > limit:
                raise too_big
            digest.update(chunk)
        if read == 0:
            raise ValidationError(f"The file {name} is empty", code="file_empty")
        checked = Checked(
            name=name, content_type=expected.content_type, size=read, sha256=digest.hexdigest()
        )
        _scan(file, checked, by=by)
    finally:
        file.seek(0)
    _checked[upload] = (accept, limit, checked)
    return checked


def _scan(file: IO[bytes], checked: Checked, *, by: Any) -> None:
    """clamd's verdict when it is configured (fail closed: no answer, no upload)."""
    address = getattr(settings, "CLAMD_ADDRESS", "")
    if not address:
        return
    try:
        signature = scan(file, address=address, timeout=clamd_timeout())
    except ScanUnavailable as error:
        logger.error("Upload %s not scanned: clamd at %s: %s", checked.sha256, address, error)
        raise ValidationError(
            f"The file {checked.name} could not be checked for viruses: try again later",
            code="file_unscanned",
        ) from None
    if signature is None:
        return
    logger.warning("Upload %s refused: clamd found %s", checked.sha256, signature)
    # A form's clean() has no request: the person who sent the file is the request's user.
    request = acting_request()
    if by is None and request is not None and request.user.is_authenticated:
        by = request.user
    upload_infected.send(
        sender=Checked,
        name=checked.name,
        size=checked.size,
        sha256=checked.sha256,
        signature=signature,
        by=by,
        ip_address=client_ip(request) if request is not None else None,
    )
    raise ValidationError(
        f"The file {checked.name} contains a virus: it has not been uploaded",
        code="file_infected",
    )


def clamd_timeout() -> float:
    return float(getattr(settings, "CLAMD_TIMEOUT", 30))


def _connect(address: str, timeout: float) -> socket.socket:
    """unix:///run/clamav/clamd.ctl, /run/clamav/clamd.ctl, tcp://host:3310 or host:3310."""
    if address.startswith(("unix:", "/")):
        path = address.removeprefix("unix://").removeprefix("unix:")
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        target: Any = path
    else:
        host, _, port = address.removeprefix("tcp://").rstrip("/").rpartition(":")
        if not host or not port.isdigit():
            raise ScanUnavailable(f"CLAMD_ADDRESS {address!r} is not host:port")
        sock = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET)
        target = (host.strip("[]"), int(port))
    sock.settimeout(timeout)
    try:
        sock.connect(target)
    except OSError:
        sock.close()
        raise
    return sock


def scan(file: IO[bytes], *, address: str, timeout: float = 30) -> str | None:
    """Send the file to clamd by INSTREAM; the signature it found, or None when clean."""
    file.seek(0)
    try:
        with _connect(address, timeout) as sock:
            sock.sendall(b"zINSTREAM\0")
            while chunk := file.read(_CHUNK):
                sock.sendall(struct.pack("!L", len(chunk)) + chunk)
            sock.sendall(struct.pack("!L", 0))
            reply = b""
            while not reply.endswith(b"\0") and (part := sock.recv(4096)):
                reply += part
    except OSError as error:
        raise ScanUnavailable(str(error) or type(error).__name__) from error
    answer = reply.rstrip(b"\0").decode("utf-8", "replace").strip()
    verdict = answer.partition(": ")[2] if answer.startswith("stream: ") else answer
    if verdict == "OK":
        return None
    if verdict.endswith(" FOUND"):
        return verdict.removesuffix(" FOUND")
    raise ScanUnavailable(f"clamd answered {answer[:200]!r}")
