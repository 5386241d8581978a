"""The storage of uploaded files (action attachments): a file is written whole or not at all.

Django's own file-system storage writes straight to the file's final name, so a write that fails
part way (the disk full, a quota reached) leaves the part it wrote there, under a name no row
names: half a person's document, kept for ever. This one writes to a hidden file beside it and
links that to the final name only once it is complete; a failed write leaves nothing behind.
"""

from __future__ import annotations

import os
import tempfile
from typing import Any

from django.core.files.storage import FileSystemStorage

PARTIAL_PREFIX = ".partial-"


class WholeFileStorage(FileSystemStorage):
    """File-system storage whose files appear whole or not at all."""

    def _save(self, name: str, content: Any) -> str:
        directory = os.path.dirname(self.path(name))
        if self.directory_permissions_mode is not None:
            os.makedirs(directory, self.directory_permissions_mode, exist_ok=True)
        else:
            os.makedirs(directory, exist_ok=True)
        descriptor, partial = tempfile.mkstemp(dir=directory, prefix=PARTIAL_PREFIX)
        try:
            with os.fdopen(descriptor, "wb") as out:
                for chunk in content.chunks():
                    out.write(chunk if isinstance(chunk, bytes) else chunk.encode())
                out.flush()
                os.fsync(out.fileno())
            while True:
                try:
                    # A link, not a rename: it refuses to replace a file of the same name.
                    os.link(partial, self.path(name))
                    break
                except FileExistsError:
                    name = self.get_available_name(name)
        finally:
            os.unlink(partial)
        if self.file_permissions_mode is not None:
            os.chmod(self.path(name), self.file_permissions_mode)
        return str(name).replace("\\", "/")
