"""Every change shows in the indicator's history on both pages, with who and old → new."""

import pytest
from django.urls import reverse

from evaluations.models import ChangeLog, Evidence, Period
from tests.factories import make_period

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}


def test_history_rows_for_each_change_on_both_pages(client, world):
    period = make_period(world.sulbar, 2024, status=Period.Status.SELF_ASSESSMENT)
    assessment = period.assessments.get(opd=world.kominfo)
    score = assessment.scores.get(indicator__nomor=2)
    save = reverse("self_assessment_save", args=["76", "DISKOMINFO", score.pk]) + "?tahun=2024"
    client.force_login(world.operator_kominfo)
    client.post(save, {"version": 1, "level": "2", "penjelasan": "awal"}, **HTMX)
    client.post(save, {"version": 2, "level": "3", "penjelasan": "awal"}, **HTMX)
    client.post(
        reverse("evidence_add", args=["76", score.pk]),
        {"jenis": "link", "tautan": "https://x.go.id/sk"},
        **HTMX,
    )
    evidence = Evidence.objects.get()
    response = client.post(reverse("evidence_remove", args=["76", evidence.pk]), **HTMX)
    html = response.content.decode()
    # level 2, explanation, level 2 → 3, evidence added, evidence removed
    assert html.count('data-testid="history-row"') == 5
    assert html.count('data-field="bukti"') == 2
    fields = list(
        ChangeLog.objects.filter(score=score)
        .order_by("id")
        .values_list("field", "old_value", "new_value")
    )
    assert fields == [
        ("level_mandiri", "", "2"),
        ("penjelasan", "", "awal"),
        ("level_mandiri", "2", "3"),
        ("bukti", "", "https://x.go.id/sk"),
        ("bukti", "https://x.go.id/sk", ""),
    ]
    assert set(ChangeLog.objects.filter(score=score).values_list("user", flat=True)) == {
        world.operator_kominfo.pk
    }

    period.status = Period.Status.EVALUATION
    period.save()
    client.force_login(world.evaluator_sulbar)
    review = reverse("review_save", args=["76", "DISKOMINFO", score.pk]) + "?tahun=2024"
    response = client.post(review, {"version": 3, "level": "4", "catatan": "cek"}, **HTMX)
    assert response.content.decode().count('data-testid="history-row"') == 7
    page = client.get(reverse("review", args=["76", "DISKOMINFO"]) + "?tahun=2024").content.decode()
    assert page.count('data-testid="history-row"') == 7
    assert "https://x.go.id/sk" in page


def test_changes_written_without_a_user_show_a_dash(client, world):
    """Rows from commands and imports carry no user; the pages must still render."""
    period = make_period(world.sulbar, 2024, status=Period.Status.SELF_ASSESSMENT)
    score = period.assessments.get(opd=world.kominfo).scores.get(indicator__nomor=1)
    ChangeLog.objects.create(
        pemda=world.sulbar,
        period=period,
        assessment=score.assessment,
        score=score,
        field="level_mandiri",
        old_value="",
        new_value="3",
        user=None,
    )
    score.level_mandiri = 3
    score.save()  # updated_by stays empty, as after seed_demo
    client.force_login(world.kepala_kominfo)
    response = client.get(reverse("self_assessment", args=["76", "DISKOMINFO"]) + "?tahun=2024")
    assert response.status_code == 200
    assert 'data-testid="history-row"' in response.content.decode()
