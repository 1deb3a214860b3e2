"""Files and transactions (issue 15, point 4): a refused request leaves no file on disk,
and `manage.py orphan_files` lists and removes the files nothing references."""

import io
import os
import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from evaluations.models import Appeal, Evidence, Job
from evaluations.services import evidence as evidence_service
from evaluations.services.scores import ScoreError
from evaluations.services.storage import orphan_files
from opd.models import TeamCertificate
from opd.services import teams
from tests.evaluations import test_appeals
from tests.factories import THIS_YEAR, add_member, make_period, make_team

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PROGRAM = b"MZ\x90\x00" + b"\x00" * 60


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def files_in(root):
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file())


# Sulbar 2024 under evaluation with the appeal window open (tests/evaluations/test_appeals.py).
period = test_appeals.period


@pytest.fixture
def appeal_window(world, period):
    return period.assessments.get(opd=world.kominfo).scores.get(indicator__nomor=3)


def test_an_appeal_with_one_refused_file_leaves_no_file(client, world, appeal_window, media):
    client.force_login(world.kepala_kominfo)
    response = client.post(
        reverse("appeal_opd", args=["76", "DISKOMINFO"]) + "?tahun=2024",
        {
            "score": appeal_window.pk,
            "argumen": "SOP sudah ditetapkan",
            "berkas": [
                SimpleUploadedFile("sop.pdf", PDF),
                SimpleUploadedFile("alat.pdf", PROGRAM),
            ],
        },
    )
    assert response.status_code == 400
    assert not Appeal.objects.exists() and not Evidence.objects.exists()
    assert files_in(media) == []
    # The same appeal with valid files keeps both, referenced.
    response = client.post(
        reverse("appeal_opd", args=["76", "DISKOMINFO"]) + "?tahun=2024",
        {
            "score": appeal_window.pk,
            "argumen": "SOP sudah ditetapkan",
            "berkas": [SimpleUploadedFile("sop.pdf", PDF), SimpleUploadedFile("sk.pdf", PDF)],
        },
    )
    assert response.status_code == 302
    assert len(files_in(media)) == 2 == Evidence.objects.count()
    assert orphan_files() == []


def test_a_file_is_removed_when_the_enclosing_transaction_fails(world, media):
    """A service called inside a larger all-or-nothing step: the step fails after the
    file was stored, so the file goes too."""
    from django.db import transaction

    from spbe_dashboard import uploads

    period = make_period(world.sulbar, 2024, status="mandiri")
    score = period.assessments.get(opd=world.kominfo).scores.first()
    with pytest.raises(ScoreError), uploads.atomic_with_files():
        evidence_service.add_file(world.operator_kominfo, score, SimpleUploadedFile("a.pdf", PDF))
        assert len(files_in(media)) == 1
        raise ScoreError("a later step refused")
    assert files_in(media) == [] and not Evidence.objects.exists()
    # Outside any such block a failing transaction is caught by orphan_files instead.
    with pytest.raises(ScoreError), transaction.atomic():
        evidence_service.add_file(world.operator_kominfo, score, SimpleUploadedFile("b.pdf", PDF))
        raise ScoreError("refused")
    assert len(orphan_files()) == 1


def test_a_refused_certificate_leaves_no_file(world, media):
    proposal = make_team(world.kominfo, THIS_YEAR)
    member = add_member(proposal, 2)
    data = {"name": "", "issuer": "bnsp", "issued_on": timezone.localdate()}
    with pytest.raises(teams.ValidationError):
        teams.add_certificate(
            world.operator_kominfo, member.pk, data, SimpleUploadedFile("s.pdf", PDF)
        )
    assert files_in(media) == [] and not TeamCertificate.objects.exists()


def test_orphan_files_lists_and_removes_only_unreferenced_files(world, media):
    period = make_period(world.sulbar, 2024, status="mandiri")
    score = period.assessments.get(opd=world.kominfo).scores.first()
    kept = evidence_service.add_file(
        world.operator_kominfo, score, SimpleUploadedFile("a.pdf", PDF)
    )
    report = media / "reports" / "76" / "rapor.pdf"
    report.parent.mkdir(parents=True)
    report.write_bytes(PDF)
    Job.objects.create(kind=Job.Kind.REPORT, pemda=world.sulbar, result_file="reports/76/rapor.pdf")
    stray = media / "bukti" / "lost.pdf"
    stray.parent.mkdir(parents=True, exist_ok=True)
    stray.write_bytes(PDF)
    pending = media / "imports" / "fresh.upload"
    pending.parent.mkdir(parents=True)
    pending.write_bytes(b"x")
    stale = media / "imports" / "stale.upload"
    stale.write_bytes(b"x")
    old = time.time() - 2 * 24 * 3600
    os.utime(stale, (old, old))

    out = io.StringIO()
    with pytest.raises(SystemExit) as exit_code:
        call_command("orphan_files", stdout=out)
    assert exit_code.value.code == 1
    listed = out.getvalue()
    assert "bukti/lost.pdf" in listed and "imports/stale.upload" in listed
    assert "2 unreferenced file(s)" in listed
    assert kept.berkas.name not in listed and "rapor.pdf" not in listed
    assert "fresh.upload" not in listed

    call_command("orphan_files", "--delete", stdout=io.StringIO())
    assert not stray.exists() and not stale.exists()
    assert report.exists() and pending.exists() and (media / kept.berkas.name).exists()
    out = io.StringIO()
    call_command("orphan_files", stdout=out)
    assert "0 unreferenced file(s)" in out.getvalue()
