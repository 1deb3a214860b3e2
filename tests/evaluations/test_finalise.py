"""Finalisation: the list of what is missing, then final and read-only for everyone;
reopening needs a reason and is logged."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from evaluations.models import Assessment, ChangeLog, Evidence, Period, Score
from evaluations.services import evidence as evidence_service
from evaluations.services import scores
from tests.factories import make_period, set_levels

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def period(world):
    period = make_period(world.sulbar, 2024)
    set_levels(period.assessments.get(opd=world.kominfo), 4)
    bappeda = period.assessments.get(opd=world.bappeda)
    set_levels(bappeda, dict.fromkeys(range(1, 24), 2))  # 24 and 25 missing
    return period


def admin_url(name="period_admin"):
    return reverse(name, args=["76"]) + "?tahun=2024"


def test_finalisation_lists_missing_levels_then_succeeds(client, world, period):
    client.force_login(world.admin_sulbar)
    page = client.get(admin_url()).content.decode()
    assert page.count('data-testid="missing-indicator"') == 2
    assert 'data-opd="BAPPEDA"' in page and 'data-opd="DISKOMINFO"' not in page

    # Evaluators cannot finalise; the administrator's attempt is refused with the list.
    client.force_login(world.evaluator_sulbar)
    client.post(admin_url("period_action"), {"action": "finalise"})
    client.force_login(world.admin_sulbar)
    response = client.post(admin_url("period_action"), {"action": "finalise"}, follow=True)
    period.refresh_from_db()
    assert period.status == Period.Status.EVALUATION
    assert response.content.decode().count('data-testid="missing-indicator"') == 2

    set_levels(period.assessments.get(opd=world.bappeda), 2)
    client.post(admin_url("period_action"), {"action": "finalise"})
    period.refresh_from_db()
    assert period.is_final
    assert ChangeLog.objects.filter(period=period, field="status", new_value="final").exists()
    assert 'data-testid="reopen"' in client.get(admin_url()).content.decode()


def test_final_period_refuses_every_write(client, world, period, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    assessment = period.assessments.get(opd=world.kominfo)
    score = assessment.scores.get(indicator__nomor=1)
    evidence = Evidence.objects.create(
        score=score, jenis="link", tautan="https://x.go.id", diunggah_oleh=world.operator_kominfo
    )
    assessment.status_mandiri = Assessment.SelfStatus.RETURNED  # would otherwise be editable
    assessment.save()
    set_levels(period.assessments.get(opd=world.bappeda), 2)
    period, missing, appeals = scores.finalise_period(world.admin_sulbar, period.pk)
    assert period.is_final and not missing and not appeals
    before = list(Score.objects.values_list("pk", "level_mandiri", "level_evaluator", "version"))
    changes = ChangeLog.objects.count()

    client.force_login(world.operator_kominfo)
    self_url = reverse("self_assessment_save", args=["76", "DISKOMINFO", score.pk]) + "?tahun=2024"
    assert (
        client.post(self_url, {"version": score.version, "level": "1"}, **HTMX).status_code == 422
    )
    add = reverse("evidence_add", args=["76", score.pk])
    pdf = SimpleUploadedFile("a.pdf", b"%PDF-1.4 x")
    assert client.post(add, {"jenis": "file", "berkas": pdf}, **HTMX).status_code == 422
    remove = reverse("evidence_remove", args=["76", evidence.pk])
    assert client.post(remove, **HTMX).status_code == 422
    page = client.get(reverse("self_assessment", args=["76", "DISKOMINFO"]) + "?tahun=2024")
    assert 'data-testid="save"' not in page.content.decode()

    client.force_login(world.kepala_kominfo)
    client.post(reverse("self_assessment_submit", args=["76", "DISKOMINFO"]) + "?tahun=2024")

    client.force_login(world.evaluator_sulbar)
    review_url = reverse("review_save", args=["76", "DISKOMINFO", score.pk]) + "?tahun=2024"
    assert (
        client.post(review_url, {"version": score.version, "level": "1"}, **HTMX).status_code == 422
    )
    client.post(admin_url("period_action"), {"action": "stage"})
    page = client.get(reverse("review", args=["76", "DISKOMINFO"]) + "?tahun=2024").content.decode()
    assert 'data-testid="save"' not in page and "data-keyboard-scoring" not in page

    with pytest.raises(scores.ScoreError):
        scores.return_self_assessment(world.evaluator_sulbar, assessment.pk, "x")
    with pytest.raises(scores.ScoreError):
        evidence_service.add_link(world.operator_kominfo, score, "https://y.go.id")

    assert (
        list(Score.objects.values_list("pk", "level_mandiri", "level_evaluator", "version"))
        == before
    )
    assert ChangeLog.objects.count() == changes
    assessment.refresh_from_db()
    period.refresh_from_db()
    assert assessment.status_mandiri == Assessment.SelfStatus.RETURNED
    assert (
        period.tahap == "dokumen"
        and Evidence.objects.filter(dihapus_pada__isnull=True).count() == 1
    )


def test_reopen_requires_a_reason_and_is_logged(client, world, period):
    set_levels(period.assessments.get(opd=world.bappeda), 2)
    scores.finalise_period(world.admin_sulbar, period.pk)
    client.force_login(world.admin_sulbar)
    client.post(admin_url("period_action"), {"action": "reopen", "alasan": "   "})
    period.refresh_from_db()
    assert period.is_final
    # Only the administrator reopens.
    client.force_login(world.evaluator_sulbar)
    client.post(admin_url("period_action"), {"action": "reopen", "alasan": "salah"})
    period.refresh_from_db()
    assert period.is_final
    client.force_login(world.admin_sulbar)
    client.post(admin_url("period_action"), {"action": "reopen", "alasan": "Salah input Bappeda"})
    period.refresh_from_db()
    assert period.status == Period.Status.EVALUATION
    entry = ChangeLog.objects.filter(period=period, field="status").order_by("-id").first()
    assert (entry.old_value, entry.new_value, entry.reason, entry.user) == (
        "final",
        "evaluasi",
        "Salah input Bappeda",
        world.admin_sulbar,
    )
    # Another pemda's administrator: 404.
    client.force_login(world.admin_polman)
    assert client.get(admin_url()).status_code == 404
