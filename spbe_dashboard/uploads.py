"""Checking and storing uploaded files, for both apps (evidence, appeals, certificates,
imports).

- The type of a file is judged on its content (magic bytes), never on its name or on
  what the browser claims; programs and scripts are refused whatever they are called.
- The original name is only a label: `sanitise_filename` strips directories and odd
  characters and makes the extension match the content. Storage paths never come from
  user input.
- Every upload has a size limit, checked on the size Django measured before anything
  reads the content (`check_size`).
- A file stored inside a transaction that rolls back is removed again
  (`atomic_with_files` + `store`), so a refused request leaves no file behind;
  `manage.py orphan_files` finds what other failures left.

Refusals raise `UploadError`, whose message is for the user; each app turns it into its
own error type.
"""

import contextvars
import os
import re
import unicodedata
import zipfile
from contextlib import contextmanager

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

DEFAULT_MAX_BYTES = 10 * 1024 * 1024
SNIFF_BYTES = 16

PDF = "application/pdf"
PNG = "image/png"
JPEG = "image/jpeg"
GIF = "image/gif"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PPTX = "application/vnd.openxmlformats-officedocument.presentationml.presentation"
DOC = "application/msword"
XLS = "application/vnd.ms-excel"
PPT = "application/vnd.ms-powerpoint"

# What a browser shows itself (its PDF viewer, an image): evidence of these types opens
# in a preview; any other type is downloaded.
PREVIEWABLE = frozenset({PDF, PNG, JPEG, GIF})

# The extensions a sanitised name may keep for each content type; the first is added
# when the name's own extension does not match the content.
EXTENSIONS = {
    PDF: (".pdf",),
    PNG: (".png",),
    JPEG: (".jpg", ".jpeg"),
    GIF: (".gif",),
    DOCX: (".docx",),
    XLSX: (".xlsx",),
    PPTX: (".pptx",),
    DOC: (".doc",),
    XLS: (".xls",),
    PPT: (".ppt",),
}

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
EXECUTABLE_MAGIC = (
    b"MZ",  # Windows PE / DOS
    b"\x7fELF",  # Linux
    b"\xfe\xed\xfa",  # Mach-O
    b"\xce\xfa\xed\xfe",
    b"\xcf\xfa\xed\xfe",
    b"\xca\xfe\xba\xbe",  # Mach-O universal / Java class
    b"#!",  # scripts
)


class UploadError(ValueError):
    """A refused upload; the message is for the user."""


def max_bytes():
    """The size limit of evidence and certificate files (SPBE_MAX_UPLOAD_MB)."""
    return int(getattr(settings, "MAX_EVIDENCE_BYTES", DEFAULT_MAX_BYTES) or DEFAULT_MAX_BYTES)


def megabytes(limit):
    return f"{limit / (1024 * 1024):.1f}".rstrip("0").rstrip(".")


def upload_size(upload):
    """The size of an upload, measured by Django while receiving it (or by seeking)."""
    size = getattr(upload, "size", None)
    if size is None:
        upload.seek(0, os.SEEK_END)
        size = upload.tell()
        upload.seek(0)
    return size


def check_size(upload, limit):
    """The upload's size, or an UploadError when it is empty or above `limit` bytes."""
    size = upload_size(upload)
    if not size:
        raise UploadError(_("The file is empty."))
    if size > limit:
        raise UploadError(_("The file is too large: at most %(mb)s MB.") % {"mb": megabytes(limit)})
    return size


def _read_head(upload, size=SNIFF_BYTES):
    upload.seek(0)
    head = upload.read(size)
    upload.seek(0)
    return head


def _ooxml_type(upload):
    """The OOXML type of a ZIP upload, or None when it is not an office document."""
    upload.seek(0)
    try:
        with zipfile.ZipFile(upload) as archive:
            names = archive.namelist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        return None
    finally:
        upload.seek(0)
    if "[Content_Types].xml" not in names:
        return None
    prefixes = {name.split("/", 1)[0] for name in names}
    if "word" in prefixes:
        return DOCX
    if "xl" in prefixes:
        return XLSX
    if "ppt" in prefixes:
        return PPTX
    return None


def sniff_content_type(upload, filename=""):
    """The content type of an upload judged by its first bytes, or an UploadError."""
    head = _read_head(upload)
    if any(head.startswith(magic) for magic in EXECUTABLE_MAGIC):
        raise UploadError(_("Programs and scripts cannot be uploaded as evidence."))
    if head.startswith(b"%PDF-"):
        return PDF
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head.startswith((b"GIF87a", b"GIF89a")):
        return GIF
    if head.startswith(b"PK\x03\x04"):
        kind = _ooxml_type(upload)
        if kind:
            return kind
    if head.startswith(OLE_MAGIC):
        # Legacy Office files share one container; the name tells which program.
        extension = os.path.splitext(filename or "")[1].lower()
        return {".xls": XLS, ".ppt": PPT}.get(extension, DOC)
    raise UploadError(
        _(
            "This file type is not accepted. Upload a PDF, an image (PNG, JPEG, GIF) "
            "or an office document (Word, Excel, PowerPoint)."
        )
    )


def sanitise_filename(name, content_type=None):
    """A safe display/download name: no directories, no control or odd characters,
    at most 150 characters, with an extension matching the content."""
    name = (name or "").replace("\\", "/").split("/")[-1]
    name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
    name = re.sub(r"[^A-Za-z0-9._()\- ]+", "_", name)
    name = re.sub(r"\s+", " ", name).strip(" ._")
    name = re.sub(r"_+", "_", name)
    stem, extension = os.path.splitext(name)
    allowed = EXTENSIONS.get(content_type)
    if allowed and extension.lower() not in allowed:
        stem, extension = name, allowed[0]
    stem = (stem or "bukti")[: 150 - len(extension)]
    return f"{stem}{extension.lower()}"


def check_file(upload, limit, allowed_types=None):
    """(content type, clean name, size) of an upload within `limit` bytes whose content
    is one of `allowed_types` (PDF, PNG, JPEG; any accepted type when None), or an
    UploadError."""
    size = check_size(upload, limit)
    try:
        content_type = sniff_content_type(upload, getattr(upload, "name", ""))
    except UploadError:
        if allowed_types is None:
            raise
        content_type = None
    if allowed_types is not None and content_type not in allowed_types:
        raise UploadError(_("Only PDF, PNG or JPEG files are accepted."))
    return content_type, sanitise_filename(getattr(upload, "name", ""), content_type), size


# --- Files and transactions -----------------------------------------------------------

# The files stored inside the innermost open `atomic_with_files` block, as (storage, name).
_stored = contextvars.ContextVar("spbe_stored_files", default=None)


@contextmanager
def atomic_with_files():
    """`transaction.atomic()` that also deletes the files `store` wrote inside it when the
    block rolls back. A nested block hands its files to the enclosing one on success, so
    a file written by an inner service is removed when the outer one fails."""
    files = []
    token = _stored.set(files)
    try:
        with transaction.atomic():
            yield
    except BaseException:
        for storage, name in files:
            storage.delete(name)
        raise
    finally:
        _stored.reset(token)
    outer = _stored.get()
    if outer is not None:
        outer.extend(files)


def store(field_file, name, content):
    """Save `content` into a FileField (without saving the row); removed again if the
    enclosing `atomic_with_files` block rolls back."""
    field_file.save(name, content, save=False)
    files = _stored.get()
    if files is not None:
        files.append((field_file.storage, field_file.name))
    return field_file.name
