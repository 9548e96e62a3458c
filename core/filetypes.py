"""What an uploaded file is: its name's type, confirmed by its first bytes.

One table for the core's case attachments and every plugin's uploads (receipts, report
files, evidence, application documents): a file is taken as what its name says only when
its content starts the way that type does, so a renamed program is refused. Each caller
chooses the types it accepts and words its own refusal.

    name = safe_name(filename, "receipt")
    content_type = content_type_of(name, data, PHOTOS_AND_PDF)
    if content_type is None:
        raise Refused(_("The receipt must be a JPEG or PNG photo or a PDF."))
"""

from __future__ import annotations

from pathlib import PurePath
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Iterable

__all__ = ("FILE_TYPES", "PHOTOS_AND_PDF", "content_type_of", "safe_name", "suffix_for", "suffix_of")

# suffix → (content type, the first bytes of such a file; none: text, which holds no NUL byte)
FILE_TYPES: dict[str, tuple[str, tuple[bytes, ...]]] = {
    ".jpg": ("image/jpeg", (b"\xff\xd8\xff",)),
    ".jpeg": ("image/jpeg", (b"\xff\xd8\xff",)),
    ".png": ("image/png", (b"\x89PNG\r\n\x1a\n",)),
    ".gif": ("image/gif", (b"GIF87a", b"GIF89a")),
    ".webp": ("image/webp", (b"RIFF",)),
    ".pdf": ("application/pdf", (b"%PDF-",)),
    ".docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", (b"PK\x03\x04",)),
    ".xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", (b"PK\x03\x04",)),
    ".pptx": ("application/vnd.openxmlformats-officedocument.presentationml.presentation", (b"PK\x03\x04",)),
    ".doc": ("application/msword", (b"\xd0\xcf\x11\xe0",)),
    ".xls": ("application/vnd.ms-excel", (b"\xd0\xcf\x11\xe0",)),
    ".txt": ("text/plain; charset=utf-8", ()),
}
PHOTOS_AND_PDF = (".jpg", ".jpeg", ".png", ".pdf")


def safe_name(filename: str | None, default: str = "file") -> str:
    """The file's own name without any folder a browser sent with it, at most 200 characters."""
    return PurePath((filename or "").replace("\\", "/")).name.strip()[:200] or default


def suffix_of(name: str) -> str:
    """The name's type, lower case with its dot (``.pdf``), or empty."""
    return PurePath(name).suffix.lower()


def content_type_of(name: str, data: bytes, accepted: Iterable[str]) -> str | None:
    """The content type of ``data`` named ``name``: None unless its type is ``accepted`` and its bytes agree."""
    suffix = suffix_of(name)
    known = FILE_TYPES.get(suffix) if suffix in set(accepted) else None
    if known is None:
        return None
    content_type, starts = known
    if (starts and not data.startswith(starts)) or (not starts and b"\x00" in data[:4096]):
        return None
    return content_type


def suffix_for(content_type: str) -> str:
    """The usual suffix of a content type (``.jpg`` for ``image/jpeg``), for a download's name; empty if unknown."""
    return next((suffix for suffix, (known, _) in FILE_TYPES.items() if known == content_type), "")
