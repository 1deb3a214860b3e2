"""The Indonesian catalogue is complete: every string of the code and templates has a
translation, none is fuzzy, and the compiled .mo matches the .po."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest

ROOT = Path(__file__).resolve().parent.parent
PO_FILE = ROOT / "locale" / "id" / "LC_MESSAGES" / "django.po"
SOURCES = ["manage.py", "spbe_dashboard", "opd", "evaluations", "templates"]


def _msgids(catalogue):
    return {(entry.msgctxt, entry.msgid) for entry in catalogue if not entry.obsolete}


def test_every_entry_is_translated_and_none_is_fuzzy():
    catalogue = polib.pofile(str(PO_FILE))
    untranslated = [entry.msgid for entry in catalogue.untranslated_entries()]
    fuzzy = [entry.msgid for entry in catalogue.fuzzy_entries()]
    assert not untranslated, f"Untranslated strings in {PO_FILE.name}: {untranslated}"
    assert not fuzzy, f"Fuzzy strings in {PO_FILE.name}: {fuzzy}"


def test_compiled_catalogue_matches_the_po_file():
    catalogue = polib.pofile(str(PO_FILE))
    compiled = polib.mofile(str(PO_FILE.with_suffix(".mo")))
    expected = {
        (e.msgctxt, e.msgid): (e.msgstr, e.msgstr_plural) for e in catalogue.translated_entries()
    }
    actual = {(e.msgctxt, e.msgid): (e.msgstr, e.msgstr_plural) for e in compiled if e.msgid}
    assert actual == expected, "Run `make messages` to recompile django.mo"


@pytest.mark.skipif(
    shutil.which("xgettext") is None and not os.environ.get("CI"),
    reason="needs GNU gettext (xgettext); CI installs it",
)
def test_catalogue_covers_every_string_in_the_code(tmp_path):
    """Extract the strings afresh from a copy of the sources and compare."""
    for name in SOURCES:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, tmp_path / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy(source, tmp_path / name)
    (tmp_path / "locale").mkdir()
    subprocess.run(
        [sys.executable, "manage.py", "makemessages", "-l", "id", "--no-obsolete", "-v", "0"],
        cwd=tmp_path,
        check=True,
        env={"DEBUG": "1", "PATH": "/usr/bin:/bin", "PYTHONPATH": str(tmp_path)},
    )
    fresh = polib.pofile(str(tmp_path / "locale" / "id" / "LC_MESSAGES" / "django.po"))
    missing = sorted(msgid for _ctx, msgid in _msgids(fresh) - _msgids(polib.pofile(str(PO_FILE))))
    assert not missing, f"Strings missing from the catalogue (run `make messages`): {missing}"
