"""The evaluators' work queue and per-OPD review: levels per stage, the latest counts,
stage moves (ending document review opens the appeal window), tenancy."""

import pytest
from django.urls import reverse

from evaluations.models import ChangeLog, Evidence, Period, Stage, StageReview
from tests.factories import make_period, set_levels

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def period(world):
    period = make_period(world.sulbar, 2024)  # under evaluation, document review
    set_levels(period.assessments.get(opd=world.kominfo), 3, evaluator=False)
    return period


@pytest.fixture
def assessment(world, period):
    return period.assessments.get(opd=world.kominfo)


def queue_url(pemda, year=2024):
    return reverse("review_queue", args=[pemda.kode]) + f"?tahun={year}"


def review_url(opd, year=2024):
    return reverse("review", args=[opd.pemda.kode, opd.kode]) + f"?tahun={year}"


def save_url(score, year=2024):
    a = score.assessment
    return reverse("review_save", args=[a.pemda.kode, a.opd.kode, score.pk]) + f"?tahun={year}"


def action_url(pemda, year=2024):
    return reverse("period_action", args=[pemda.kode]) + f"?tahun={year}"


def test_queue_lists_the_pemdas_opds_with_progress_and_filters(client, world, period, assessment):
    score = assessment.scores.get(indicator__nomor=1)
    client.force_login(world.evaluator_sulbar)
    client.post(save_url(score), {"version": score.version, "level": "4"}, **HTMX)
    response = client.get(queue_url(world.sulbar))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-opd="DISKOMINFO"' in html and 'data-opd="BAPPEDA"' in html
    table = response.context["table"]
    rows = {row.record.opd.kode: row.record for row in table.rows}
    assert (rows["DISKOMINFO"].validated, rows["DISKOMINFO"].total) == (1, 25)
    assert rows["DISKOMINFO"].stage_reviewed == 1 and rows["BAPPEDA"].validated == 0
    filtered = client.get(queue_url(world.sulbar) + "&progres=proses")
    assert [r.record.opd.kode for r in filtered.context["table"].rows] == ["DISKOMINFO"]
    filtered = client.get(queue_url(world.sulbar) + "&q=bappeda")
    assert [r.record.opd.kode for r in filtered.context["table"].rows] == ["BAPPEDA"]


def test_queue_and_review_tenancy(client, world, period, assessment):
    make_period(world.polman, 2024)
    score = assessment.scores.get(indicator__nomor=1)
    # Anonymous: login.
    assert client.get(queue_url(world.sulbar)).status_code == 302
    # Another pemda's evaluator, and OPD users: 404 on every page and POST.
    for user in [world.evaluator_polman, world.evaluator_gowa, world.kepala_kominfo]:
        client.force_login(user)
        assert client.get(queue_url(world.sulbar)).status_code == 404
        assert client.get(review_url(world.kominfo)).status_code == 404
        assert client.post(save_url(score), {"version": 1, "level": "4"}).status_code == 404
    score.refresh_from_db()
    assert score.level_evaluator is None
    # The province's evaluator reads its kabupaten's queue and reviews, read-only.
    client.force_login(world.evaluator_sulbar)
    assert client.get(queue_url(world.polman)).status_code == 200
    polman_score = (
        period.__class__.objects.get(pemda=world.polman)
        .assessments.get(opd=world.polman_dinkes)
        .scores.first()
    )
    page = client.get(review_url(world.polman_dinkes))
    assert page.status_code == 200 and "data-keyboard-scoring" not in page.content.decode()
    assert client.post(save_url(polman_score), {"version": 1, "level": "4"}).status_code == 404
    # ... and the kabupaten's own evaluator scores it.
    client.force_login(world.evaluator_polman)
    response = client.post(save_url(polman_score), {"version": 1, "level": "4"}, **HTMX)
    assert response.status_code == 200


def test_review_levels_per_stage_latest_counts(client, world, period, assessment):
    score = assessment.scores.get(indicator__nomor=1)
    client.force_login(world.evaluator_sulbar)
    page = client.get(review_url(world.kominfo)).content.decode()
    assert page.count("data-indicator") == 25 and "data-keyboard-scoring" in page
    assert "js/review.js" in page

    response = client.post(
        save_url(score), {"version": 1, "level": "2", "catatan": "Kurang"}, **HTMX
    )
    assert response.status_code == 200 and 'data-saved="1"' in response.content.decode()

    # Ending document review opens the appeal window (and is logged).
    client.post(action_url(world.sulbar), {"action": "stage", "tahap": "dokumen"})
    period.refresh_from_db()
    assert period.tahap == Stage.INTERVIU and period.sanggahan_dibuka is not None
    assert ChangeLog.objects.filter(period=period, field="tahap", new_value="interviu").exists()

    response = client.post(save_url(score), {"version": 2, "level": "3"}, **HTMX)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-stage="dokumen"' in html and 'data-stage="interviu"' in html
    score.refresh_from_db()
    assert (score.level_evaluator, score.catatan_evaluator) == (3, "")
    assert dict(StageReview.objects.filter(score=score).values_list("tahap", "level")) == {
        "dokumen": 2,
        "interviu": 3,
    }
    # A stale stage move (someone already moved it) is refused.
    client.post(action_url(world.sulbar), {"action": "stage", "tahap": "dokumen"})
    period.refresh_from_db()
    assert period.tahap == Stage.INTERVIU
    client.post(action_url(world.sulbar), {"action": "stage", "tahap": "interviu"})
    period.refresh_from_db()
    assert period.tahap == Stage.VISITASI


@pytest.mark.parametrize("data", [{"level": "0"}, {"level": "6"}, {"level": "abc"}, {}])
def test_bad_review_input_is_refused(client, world, period, assessment, data):
    score = assessment.scores.get(indicator__nomor=1)
    client.force_login(world.evaluator_sulbar)
    if data:
        data = {**data, "version": 1, "catatan": "x"}
    response = client.post(save_url(score), data, **HTMX)
    assert response.status_code == 422
    assert 'data-testid="score-error"' in response.content.decode()
    score.refresh_from_db()
    assert (score.level_evaluator, score.catatan_evaluator, score.version) == (None, "", 1)
    assert not StageReview.objects.exists() and not ChangeLog.objects.exists()


def test_stale_review_is_refused_with_the_other_level(client, world, period, assessment):
    score = assessment.scores.get(indicator__nomor=1)
    client.force_login(world.admin_sulbar)
    client.post(save_url(score), {"version": 1, "level": "4", "catatan": "ok"}, **HTMX)
    client.force_login(world.evaluator_sulbar)
    response = client.post(save_url(score), {"version": 1, "level": "1"}, **HTMX)
    assert response.status_code == 409
    assert 'data-testid="conflict-level">4<' in response.content.decode()
    score.refresh_from_db()
    assert (score.level_evaluator, score.updated_by) == (4, world.admin_sulbar)


def test_review_refused_outside_evaluation(client, world, period, assessment):
    period.status = Period.Status.SELF_ASSESSMENT
    period.save()
    score = assessment.scores.get(indicator__nomor=1)
    client.force_login(world.evaluator_sulbar)
    assert client.post(save_url(score), {"version": 1, "level": "4"}, **HTMX).status_code == 422
    score.refresh_from_db()
    assert score.level_evaluator is None


def test_pages_use_a_fixed_number_of_queries(client, world, period, assessment):
    """The review and self-assessment pages read 25 indicators with their criteria,
    evidence, stage levels and history in a handful of queries, not one per indicator."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for score in assessment.scores.all()[:5]:
        Evidence.objects.create(
            score=score, jenis="link", tautan="https://x.go.id", diunggah_oleh=world.kepala_kominfo
        )
    client.force_login(world.evaluator_sulbar)
    for score in assessment.scores.all()[:5]:
        client.post(save_url(score), {"version": score.version, "level": "3"}, **HTMX)
    with CaptureQueriesContext(connection) as review_queries:
        assert client.get(review_url(world.kominfo)).status_code == 200
    client.force_login(world.kepala_kominfo)
    self_url = reverse("self_assessment", args=["76", "DISKOMINFO"]) + "?tahun=2024"
    with CaptureQueriesContext(connection) as self_queries:
        assert client.get(self_url).status_code == 200
    # The review page also shows the OPD's SPBE team panel (a few queries of its own).
    assert len(review_queries) <= 28, [q["sql"] for q in review_queries]
    assert len(self_queries) <= 20, [q["sql"] for q in self_queries]


def test_opd_sees_evaluator_levels_only_after_document_review(client, world, period, assessment):
    score = assessment.scores.get(indicator__nomor=1)
    client.force_login(world.evaluator_sulbar)
    client.post(save_url(score), {"version": 1, "level": "2", "catatan": "rahasia"}, **HTMX)
    self_url = reverse("self_assessment", args=["76", "DISKOMINFO"]) + "?tahun=2024"
    client.force_login(world.kepala_kominfo)
    page = client.get(self_url).content.decode()
    assert (
        'data-field="level_evaluator"' not in page and 'data-testid="evaluator-level"' not in page
    )
    client.force_login(world.evaluator_sulbar)
    client.post(action_url(world.sulbar), {"action": "stage", "tahap": "dokumen"})
    client.force_login(world.kepala_kominfo)
    page = client.get(self_url).content.decode()
    assert 'data-field="level_evaluator"' in page and 'data-testid="evaluator-level"' in page


def test_team_facts_sit_beside_the_indicators_about_the_team(client, world, period, assessment):
    """Indicators flagged as about the team (1, 13 and 18 of the OPD template, by data)
    carry the OPD's team panel, also after an htmx save; the others do not."""
    client.force_login(world.evaluator_sulbar)
    html = client.get(review_url(world.kominfo)).content.decode()
    assert html.count('data-testid="review-team"') == 3
    for number, expected in [(1, True), (13, True), (18, True), (2, False), (25, False)]:
        start = html.index(f'data-testid="indicator-{number}"')
        end = html.find('data-testid="indicator-', start + 30)
        assert ('data-testid="review-team"' in html[start:end]) is expected, number
    score = assessment.scores.get(indicator__nomor=13)
    saved = client.post(save_url(score), {"version": score.version, "level": "4"}, **HTMX)
    assert saved.status_code == 200
    assert 'data-testid="team-filled"' in saved.content.decode()
