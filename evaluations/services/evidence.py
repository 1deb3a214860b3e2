"""Bukti dukung: adding files and links to an indicator and removing them.

Files are checked by `spbe_dashboard.uploads` (content, not name; size limit); the stored
path never comes from user input (`evidence_path`), the original name is sanitised and
kept in a field, a file stored by a request that fails is removed again, and removing
evidence only marks it removed: the file stays in storage and the change is logged.
Every function refuses with `scores.ScoreError`; a score or evidence the user may not
change raises `DoesNotExist` (views answer 404).
"""

from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.validators import URLValidator
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from spbe_dashboard import uploads

from ..models import Appeal, Evidence
from .scores import (
    ScoreError,
    _check_not_final,
    is_opd_user,
    lock_score,
    log_change,
    self_assessment_open,
)


def _score_for_change(user, score):
    return lock_score(user, getattr(score, "pk", score))


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


@uploads.atomic_with_files()
def add_file(user, score, upload, description="", appeal=None):
    """Store an uploaded file as evidence of `score` (a Score or its id)."""
    score = _score_for_change(user, score)
    _check_may_change(user, score, appeal)
    if upload is None:
        raise ScoreError(_("Choose a file to upload."))
    try:
        content_type, name, size = uploads.check_file(upload, uploads.max_bytes())
    except uploads.UploadError as error:
        raise ScoreError(str(error)) from None
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
    uploads.store(evidence.berkas, name, File(upload))
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
