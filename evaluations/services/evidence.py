"""Bukti dukung: adding files and links to an indicator and removing them.

Files are checked by their content (magic bytes), not by their name; the stored path
never comes from user input (`evidence_path`), the original name is sanitised and kept
in a field, and removing evidence only marks it removed: the file stays in storage and
the change is logged. Every function refuses with `scores.ScoreError`; a score or
evidence the user may not change raises `DoesNotExist` (views answer 404).
"""

import os
import re
import unicodedata
import zipfile

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.validators import URLValidator
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ..models import Appeal, Evidence, Score
from .scores import ScoreError, _check_not_final, is_opd_user, log_change, self_assessment_open

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


def max_bytes():
    return int(getattr(settings, "MAX_EVIDENCE_BYTES", DEFAULT_MAX_BYTES) or DEFAULT_MAX_BYTES)


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
    """The content type of an upload judged by its first bytes, or a ScoreError."""
    head = _read_head(upload)
    if any(head.startswith(magic) for magic in EXECUTABLE_MAGIC):
        raise ScoreError(_("Programs and scripts cannot be uploaded as evidence."))
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
    raise ScoreError(
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


def _score_for_change(user, score):
    score_id = getattr(score, "pk", score)
    return (
        Score.objects.editable_by(user)
        .select_for_update(of=("self",))
        .select_related("assessment__period", "assessment__opd", "indicator")
        .get(pk=score_id)
    )


def _check_may_change(user, score, appeal):
    """The OPD changes its evidence while its self-assessment is open, or attaches it to
    its own open appeal."""
    _check_not_final(score.assessment.period)
    if not (user.is_superuser or is_opd_user(user)):
        raise ScoreError(_("Only the OPD adds or removes its evidence."))
    if appeal is not None:
        if appeal.score_id != score.pk:
            raise ScoreError(_("The appeal belongs to another indicator."))
        if appeal.status != Appeal.State.OPEN:
            raise ScoreError(_("The appeal is already decided."))
        return
    if not self_assessment_open(score.assessment):
        raise ScoreError(
            _("The self-assessment is submitted or closed: its evidence can no longer change.")
        )


def _log(user, score, old, new, reason=""):
    log_change(
        user,
        score.assessment.period,
        "bukti",
        old,
        new,
        assessment=score.assessment,
        score=score,
        reason=reason,
    )


@transaction.atomic
def add_file(user, score, upload, description="", appeal=None):
    """Store an uploaded file as evidence of `score` (a Score or its id)."""
    score = _score_for_change(user, score)
    _check_may_change(user, score, appeal)
    if upload is None:
        raise ScoreError(_("Choose a file to upload."))
    size = getattr(upload, "size", None)
    if size is None:
        upload.seek(0, os.SEEK_END)
        size = upload.tell()
        upload.seek(0)
    if not size:
        raise ScoreError(_("The file is empty."))
    limit = max_bytes()
    if size > limit:
        raise ScoreError(
            _("The file is too large: at most %(mb)s MB.")
            % {"mb": f"{limit / (1024 * 1024):.1f}".rstrip("0").rstrip(".")}
        )
    original = getattr(upload, "name", "") or ""
    content_type = sniff_content_type(upload, original)
    name = sanitise_filename(original, content_type)
    evidence = Evidence(
        score=score,
        jenis=Evidence.Kind.FILE,
        nama_berkas=name,
        tipe_konten=content_type,
        ukuran=size,
        keterangan=(description or "").strip()[:250],
        appeal=appeal,
        diunggah_oleh=user,
    )
    upload.seek(0)
    # The storage name comes from evidence_path (pemda/period/opd/uuid), never from `name`.
    evidence.berkas.save(name, File(upload), save=False)
    evidence.save()
    _log(user, score, "", name)
    return evidence


@transaction.atomic
def add_link(user, score, url, description="", appeal=None):
    """Record a link (http or https) as evidence of `score`."""
    score = _score_for_change(user, score)
    _check_may_change(user, score, appeal)
    url = (url or "").strip()
    if not url:
        raise ScoreError(_("Enter the link."))
    if len(url) > 500:
        raise ScoreError(_("The link is too long: at most 500 characters."))
    try:
        URLValidator(schemes=["http", "https"])(url)
    except ValidationError:
        raise ScoreError(_("Enter a valid link starting with http:// or https://.")) from None
    evidence = Evidence.objects.create(
        score=score,
        jenis=Evidence.Kind.LINK,
        tautan=url,
        keterangan=(description or "").strip()[:250],
        appeal=appeal,
        diunggah_oleh=user,
    )
    _log(user, score, "", url)
    return evidence


@transaction.atomic
def remove(user, evidence):
    """Mark evidence removed (the file stays in storage) and log it."""
    evidence_id = getattr(evidence, "pk", evidence)
    evidence = (
        Evidence.objects.editable_by(user)
        .select_for_update(of=("self",))
        .select_related("appeal")
        .get(pk=evidence_id)
    )
    score = _score_for_change(user, evidence.score_id)
    if evidence.is_removed:
        raise ScoreError(_("This evidence is already removed."))
    _check_may_change(user, score, evidence.appeal)
    evidence.dihapus_pada = timezone.now()
    evidence.dihapus_oleh = user
    evidence.save(update_fields=["dihapus_pada", "dihapus_oleh"])
    _log(user, score, str(evidence), "", reason=_("evidence removed"))
    return evidence
