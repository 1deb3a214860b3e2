"""The OPD's self-assessment page: saving one indicator through htmx, refusals that
change nothing, submission by the head of the OPD and return by an evaluator."""

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from evaluations.models import Assessment, ChangeLog, Period, Score
from tests.factories import make_period

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def period(world):
    return make_period(world.sulbar, 2024, status=Period.Status.SELF_ASSESSMENT)


@pytest.fixture
def assessment(world, period):
    return period.assessments.get(opd=world.kominfo)


def page_url(opd, period):
    return reverse("self_assessment", args=[opd.pemda.kode, opd.kode]) + f"?tahun={period.tahun}"


def save_url(score, period):
    a = score.assessment
    return (
        reverse("self_assessment_save", args=[a.pemda.kode, a.opd.kode, score.pk])
        + f"?tahun={period.tahun}"
    )


def first_score(assessment, nomor=1):
    return assessment.scores.get(indicator__nomor=nomor)


def test_page_shows_every_indicator_with_its_five_criteria(client, world, period, assessment):
    client.force_login(world.operator_kominfo)
    response = client.get(page_url(world.kominfo, period))
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count('data-testid="self-form"') == 25
    assert html.count('name="level"') == 125
    assert 'data-testid="opd-figures"' in html
    assert "htmx.min.js" in html and "<script>" not in html


def test_operator_saves_one_indicator_and_the_figures_follow(
    client, world, period, assessment, django_capture_on_commit_callbacks
):
    client.force_login(world.operator_kominfo)
    score = first_score(assessment)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            save_url(score, period),
            {"version": score.version, "level": "4", "penjelasan": " SOP ada "},
            **HTMX,
        )
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-testid="saved"' in html and 'hx-swap-oob="true"' in html
    score.refresh_from_db()
    assert (score.level_mandiri, score.penjelasan, score.version) == (4, "SOP ada", 2)
    assessment.refresh_from_db()
    # One of 25 filled: in progress, no index counting the blanks as zero (once "Indeks
    # 0,13 · Kurang · Merah"), the progress instead.
    assert assessment.is_in_progress and assessment.indeks is None and not assessment.is_stale
    assert (assessment.terisi, assessment.jumlah_indikator) == (1, 25)
    page = client.get(page_url(world.kominfo, period)).content.decode()
    figures = page[page.index('data-testid="opd-figures"') :]
    figures = figures[: figures.index("</div>")]
    assert 'data-testid="opd-index"' not in figures
    assert "Merah" not in figures and "Kurang" not in figures
    assert "1 dari 25 indikator dinilai mandiri" in figures
    assert 'data-status="proses"' in figures
    logged = set(
        ChangeLog.objects.filter(score=score).values_list("field", "old_value", "new_value")
    )
    assert logged == {("level_mandiri", "", "4"), ("penjelasan", "", "SOP ada")}


@pytest.mark.parametrize(
    "data",
    [
        {"level": "0"},
        {"level": "6"},
        {"level": "abc"},
        {"level": ""},
        {},
    ],
)
def test_bad_levels_and_empty_forms_are_refused_and_change_nothing(
    client, world, period, assessment, data
):
    client.force_login(world.operator_kominfo)
    score = first_score(assessment)
    if data:
        data = {**data, "version": score.version, "penjelasan": "x"}
    with translation.override("en"):
        response = client.post(save_url(score, period), data, HTTP_ACCEPT_LANGUAGE="en", **HTMX)
    assert response.status_code == 422
    assert 'data-testid="score-error"' in response.content.decode()
    score.refresh_from_db()
    assert (score.level_mandiri, score.penjelasan, score.version) == (None, "", 1)
    assert not ChangeLog.objects.exists()


def test_level_error_message_is_clear(client, world, period, assessment):
    client.force_login(world.operator_kominfo)
    client.cookies["django_language"] = "en"
    score = first_score(assessment)
    response = client.post(save_url(score, period), {"version": 1, "level": "6"}, **HTMX)
    assert "The level must be a whole number from 1 to 5." in response.content.decode()


def test_stale_version_is_refused_and_shows_the_other_value(client, world, period, assessment):
    score = first_score(assessment)
    client.force_login(world.kepala_kominfo)
    assert (
        client.post(save_url(score, period), {"version": 1, "level": "3"}, **HTMX).status_code
        == 200
    )
    client.force_login(world.operator_kominfo)
    response = client.post(save_url(score, period), {"version": 1, "level": "5"}, **HTMX)
    assert response.status_code == 409
    html = response.content.decode()
    assert 'data-testid="score-conflict"' in html
    assert 'data-testid="conflict-level">3<' in html
    # The form now carries the current version, so a deliberate second save goes through.
    assert 'name="version" value="2"' in html
    score.refresh_from_db()
    assert (score.level_mandiri, score.version) == (3, 2)


def test_submit_locks_then_return_reopens(client, world, period, assessment):
    scores = list(assessment.scores.all())
    Score.objects.filter(pk__in=[s.pk for s in scores]).update(level_mandiri=3)
    score = scores[0]
    submit = reverse("self_assessment_submit", args=["76", "DISKOMINFO"]) + "?tahun=2024"

    # The operator may not submit; only the head does.
    client.force_login(world.operator_kominfo)
    client.post(submit)
    assessment.refresh_from_db()
    assert assessment.status_mandiri == Assessment.SelfStatus.DRAFT

    client.force_login(world.kepala_kominfo)
    assert client.post(submit).status_code == 302
    assessment.refresh_from_db()
    assert assessment.status_mandiri == Assessment.SelfStatus.SUBMITTED
    assert assessment.diajukan_oleh == world.kepala_kominfo

    # After submission the operator cannot change anything; the page hides the controls.
    client.force_login(world.operator_kominfo)
    response = client.post(save_url(score, period), {"version": 1, "level": "5"}, **HTMX)
    assert response.status_code == 422
    score.refresh_from_db()
    assert score.level_mandiri == 3
    assert 'data-testid="save"' not in client.get(page_url(world.kominfo, period)).content.decode()

    # The evaluator returns it with a reason (none → refused); the operator edits again.
    period.status = Period.Status.EVALUATION
    period.save()
    client.force_login(world.evaluator_sulbar)
    back = reverse("self_assessment_return", args=["76", "DISKOMINFO"]) + "?tahun=2024"
    client.post(back, {"alasan": "  "})
    assessment.refresh_from_db()
    assert assessment.status_mandiri == Assessment.SelfStatus.SUBMITTED
    client.post(back, {"alasan": "Bukti indikator 1 kurang"})
    assessment.refresh_from_db()
    assert assessment.status_mandiri == Assessment.SelfStatus.RETURNED
    log = ChangeLog.objects.get(assessment=assessment, new_value="dikembalikan")
    assert log.reason == "Bukti indikator 1 kurang" and log.user == world.evaluator_sulbar

    client.force_login(world.operator_kominfo)
    page = client.get(page_url(world.kominfo, period)).content.decode()
    assert 'data-testid="return-reason"' in page and "Bukti indikator 1 kurang" in page
    response = client.post(save_url(score, period), {"version": 1, "level": "5"}, **HTMX)
    assert response.status_code == 200
    score.refresh_from_db()
    assert score.level_mandiri == 5


def test_tenancy_anonymous_and_other_opds(client, world, period, assessment):
    score = first_score(assessment)
    url = page_url(world.kominfo, period)
    response = client.get(url)
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    assert client.post(save_url(score, period), {"version": 1, "level": "3"}).status_code == 302

    # Another OPD's head, a kabupaten's staff and another province's staff: 404.
    for user in [world.kepala_polman_dinkes, world.evaluator_polman, world.admin_sulsel]:
        client.force_login(user)
        assert client.get(url).status_code == 404
        assert client.post(save_url(score, period), {"version": 1, "level": "3"}).status_code == 404
    # The province's evaluator may read it but not fill it in.
    client.force_login(world.evaluator_sulbar)
    assert client.get(url).status_code == 200
    response = client.post(save_url(score, period), {"version": 1, "level": "3"}, **HTMX)
    assert response.status_code == 422
    score.refresh_from_db()
    assert score.level_mandiri is None


def test_non_htmx_post_redirects_back_with_a_message(client, world, period, assessment):
    client.force_login(world.operator_kominfo)
    score = first_score(assessment)
    response = client.post(save_url(score, period), {"version": 1, "level": "2"})
    assert response.status_code == 302 and f"#score-{score.pk}" in response["Location"]
    score.refresh_from_db()
    assert score.level_mandiri == 2


def test_submit_goes_through_a_checklist_and_a_confirmation(client, world, period, assessment):
    from evaluations.models import Evidence

    scores = list(assessment.scores.order_by("indicator__nomor"))
    Score.objects.filter(pk__in=[s.pk for s in scores]).update(level_mandiri=3, penjelasan="Ada")
    Score.objects.filter(pk=scores[1].pk).update(penjelasan="  ")
    Score.objects.filter(pk=scores[2].pk).update(level_mandiri=None)
    for score in scores[:24]:
        Evidence.objects.create(
            score=score,
            jenis="link",
            tautan="https://x.go.id",
            diunggah_oleh=world.operator_kominfo,
        )
    Evidence.objects.filter(score=scores[0]).update(dihapus_pada=timezone.now())
    submit = reverse("self_assessment_submit", args=["76", "DISKOMINFO"]) + "?tahun=2024"
    client.force_login(world.kepala_kominfo)

    html = client.get(submit).content.decode()
    items = html.split('data-testid="checklist-item"')[1:]
    assert len(items) == 4  # 1 (evidence removed), 2 (no explanation), 3 (no level), 25
    assert 'data-testid="gap-evidence"' in items[0] and "gap-explanation" not in items[0]
    assert 'data-testid="gap-explanation"' in items[1]
    assert 'data-testid="gap-value"' in items[2]
    assert f"#score-{scores[2].pk}" in items[2]
    # A missing level blocks: no confirmation offered, and the service refuses anyway.
    assert 'data-testid="submit-blocked"' in html and "submit-confirm" not in html
    assert client.post(submit).status_code == 302
    assessment.refresh_from_db()
    assert assessment.status_mandiri == Assessment.SelfStatus.DRAFT

    Score.objects.filter(pk=scores[2].pk).update(level_mandiri=2)
    html = client.get(submit).content.decode()
    assert 'data-testid="submit-confirm"' in html  # missing explanation/evidence only warn
    assessment.refresh_from_db()
    assert assessment.status_mandiri == Assessment.SelfStatus.DRAFT  # GET changes nothing
    client.post(submit)
    assessment.refresh_from_db()
    assert assessment.status_mandiri == Assessment.SelfStatus.SUBMITTED
    # The operator sees the checklist but no confirmation.
    client.force_login(world.operator_kominfo)
    assert 'data-testid="submit-not-allowed"' in client.get(submit).content.decode()
