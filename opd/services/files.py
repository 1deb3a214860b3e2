"""Private uploads (certificate scans), reusing the evidence checks of the evaluations
app (evaluations/services/evidence.py): the type is judged on the content (magic bytes),
never on the name or on what the browser claims, and only PDF, PNG and JPEG are
accepted; the original name is sanitised and only kept as a label. Files are stored
under MEDIA_ROOT, which is never served by URL: only views that check the tenant hand
them out."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

ALLOWED_TYPES = ("application/pdf", "image/png", "image/jpeg")


def check_upload(upload):
    """(content type, clean name, size) of an uploaded file, or a ValidationError."""
    # Imported here: the opd app sits below evaluations and must load without it.
    from evaluations.services import evidence
    from evaluations.services.scores import ScoreError

    size = upload.size or 0
    if size == 0:
        raise ValidationError(_("The file is empty."))
    if size > evidence.max_bytes():
        raise ValidationError(
            _("The file is too large (at most %(mb)s MB).")
            % {"mb": evidence.max_bytes() // (1024 * 1024)}
        )
    try:
        content_type = evidence.sniff_content_type(upload, upload.name)
    except ScoreError:
        content_type = None
    if content_type not in ALLOWED_TYPES:
        raise ValidationError(_("Only PDF, PNG or JPEG files are accepted."))
    return content_type, evidence.sanitise_filename(upload.name, content_type), size
