"""Files under MEDIA_ROOT that nothing references any more (`manage.py orphan_files`).

Uploads are written so that a refused request leaves none (spbe_dashboard.uploads), but a
worker killed between writing a report and recording it, a restore of an older database
or a crash can still leave files behind. A file is referenced when a FileField of any
model names it, when a report job records it (Job.result_file), or, for an upload
waiting for its import to be confirmed (imports/), while it is younger than the day it
is kept for.
"""

import time
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.db import models

from ..models import Job

PENDING_IMPORTS = "imports"
KEEP_PENDING_SECONDS = 24 * 3600


def referenced_names():
    """Every storage name a row points at, relative to MEDIA_ROOT."""
    names = set()
    for model in apps.get_models():
        for field in model._meta.get_fields():
            if isinstance(field, models.FileField):
                names.update(
                    model._default_manager.exclude(**{field.name: ""})
                    .values_list(field.name, flat=True)
                    .distinct()
                )
    names.update(Job.objects.exclude(result_file="").values_list("result_file", flat=True))
    return names


def orphan_files(now=None):
    """(name relative to MEDIA_ROOT, size in bytes) of each file nothing references."""
    root = Path(settings.MEDIA_ROOT)
    if not root.is_dir():
        return []
    now = now or time.time()
    referenced = referenced_names()
    found = []
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        name = path.relative_to(root).as_posix()
        if name in referenced:
            continue
        stat = path.stat()
        if name.startswith(PENDING_IMPORTS + "/") and now - stat.st_mtime < KEEP_PENDING_SECONDS:
            continue
        found.append((name, stat.st_size))
    return found


def remove(names):
    """Delete the files (names relative to MEDIA_ROOT); returns how many went."""
    root = Path(settings.MEDIA_ROOT)
    removed = 0
    for name in names:
        try:
            (root / name).unlink()
            removed += 1
        except FileNotFoundError:
            pass
    return removed
