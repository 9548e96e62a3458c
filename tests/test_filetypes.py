"""An upload is what its name says only when its first bytes agree (core.filetypes): the core and every plugin."""

from __future__ import annotations

from core.filetypes import PHOTOS_AND_PDF, content_type_of, safe_name, suffix_for
from core.web.pages import inline_file

JPEG = b"\xff\xd8\xff\xe0" + b"0" * 16
PDF = b"%PDF-1.7\n"


def test_a_file_is_its_type_only_when_its_bytes_agree() -> None:
    """A real photo or PDF is taken; a renamed program, a type not accepted here or text with NUL bytes is not."""
    assert content_type_of("收据.JPG", JPEG, PHOTOS_AND_PDF) == "image/jpeg"
    assert content_type_of("报告.pdf", PDF, PHOTOS_AND_PDF) == "application/pdf"
    assert content_type_of("伪装.jpg", b"MZ\x90\x00", PHOTOS_AND_PDF) is None
    assert content_type_of("表格.xlsx", b"PK\x03\x04", PHOTOS_AND_PDF) is None  # known, but not accepted here
    assert content_type_of("表格.xlsx", b"PK\x03\x04", (".xlsx",)).endswith("spreadsheetml.sheet")  # type: ignore[union-attr]
    assert content_type_of("说明.txt", b"hello", (".txt",)) == "text/plain; charset=utf-8"
    assert content_type_of("说明.txt", b"he\x00llo", (".txt",)) is None
    assert content_type_of("无后缀", JPEG, PHOTOS_AND_PDF) is None


def test_names_and_suffixes() -> None:
    """The folders a browser sends are dropped; a content type gives a download its usual suffix."""
    assert safe_name("C:\\Users\\王\\发票.pdf") == "发票.pdf"
    assert safe_name("  ", "receipt") == "receipt"
    assert safe_name("a" * 300 + ".pdf") == "a" * 200
    assert suffix_for("image/jpeg") == ".jpg"
    assert suffix_for("application/x-unknown") == ""


def test_an_inline_file_keeps_its_chinese_name_and_type() -> None:
    """The browser opens the file in the tab under its own name, and may not guess another type."""
    response = inline_file(PDF, "application/pdf", "结项报告.pdf")
    quoted = "%E7%BB%93%E9%A1%B9%E6%8A%A5%E5%91%8A.pdf"
    assert response.headers["Content-Disposition"] == f"inline; filename*=UTF-8''{quoted}"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.media_type == "application/pdf"
