"""The review in stages (issue 13): what *this* stage has reviewed (on the page and in
the queue), no level carried over from an earlier stage, last year's level beside this
year's, the next OPD, and taking the OPD's level for one indicator or a confirmed
selection through the score services (history kept)."""

import re

import pytest
from django.urls import reverse

from evaluations.models import ChangeLog, Period, Stage, StageReview
from evaluations.services import scores as svc
from evaluations.services.review_progress import count_reviewed, next_opd
from tests.factories import make_period, set_levels

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def period(world):
    period = make_period(world.sulbar, 2024)  # under evaluation, document review
    for assessment in period.assessments.all():
        set_levels(assessment, 3, evaluator=False)
    return period


@pytest.fixture
def assessment(world, period):
    return period.assessments.get(opd=world.kominfo)


def review_url(opd, year=2024):
    return reverse("review", args=[opd.pemda.kode, opd.kode]) + f"?tahun={year}"


def save_url(score, year=2024):
    a = score.assessment
    return reverse("review_save", args=[a.pemda.kode, a.opd.kode, score.pk]) + f"?tahun={year}"


def adopt_url(opd, year=2024):
    return reverse("review_adopt", args=[opd.pemda.kode, opd.kode]) + f"?tahun={year}"


def card(html, nomor):
    """The review partial of indicator `nomor` in a page."""
    start = html.index(f'data-testid="indicator-{nomor}"')
    end = html.find('data-testid="indicator-', start + 10)
    return html[start : end if end > 0 else len(html)]


def review_all(user, assessment, level):
    for score in assessment.scores.all():
        svc.save_review(user, score.pk, None, level, "")


def test_a_new_stage_starts_unreviewed_without_earlier_levels(client, world, period, assessment):
    evaluator = world.evaluator_sulbar
    review_all(evaluator, assessment, 2)
    svc.end_document_review(evaluator, period.pk)
    client.force_login(evaluator)

    html = client.get(review_url(world.kominfo)).content.decode()
    assert 'data-testid="stage-progress" data-reviewed="0" data-total="25"' in html
    assert "ditinjau pada tahap Penilaian interviu: 0/25" in html
    first = card(html, 1)
    assert 'data-reviewed="0"' in first
    # The document review's level is shown beside the buttons, never pre-selected.
    assert re.search(r'data-stage="dokumen"[^>]*>Penilaian dokumen: 2', first)
    assert "checked" not in first.split('data-testid="review-form"')[1].split("</form>")[0]

    score = assessment.scores.get(indicator__nomor=1)
    response = client.post(
        save_url(score), {"version": score.version, "level": "4", "catatan": "Wawancara"}, **HTMX
    )
    assert response.status_code == 200
    part = response.content.decode()
    assert 'data-reviewed="1"' in part and 'id="stage-progress"' in part
    assert 'data-reviewed="1" data-total="25"' in part  # the page's count, out of band
    html = client.get(review_url(world.kominfo)).content.decode()
    form = card(html, 1).split('data-testid="review-form"')[1].split("</form>")[0]
    assert re.search(r'value="4"[^>]*checked', form) and "Wawancara" in form
    assert count_reviewed(assessment, Stage.INTERVIU) == 1

    queue = client.get(reverse("review_queue", args=["76"]) + "?tahun=2024")
    rows = {row.record.opd.kode: row.record for row in queue.context["table"].rows}
    assert (rows["DISKOMINFO"].stage_reviewed, rows["DISKOMINFO"].stage_total) == (1, 25)
    assert rows["BAPPEDA"].stage_reviewed == 0


def test_last_year_level_beside_this_years(client, world, period, assessment):
    earlier = make_period(world.sulbar, 2023, status=Period.Status.FINAL)
    set_levels(earlier.assessments.get(opd=world.kominfo), {1: 5, 2: 1})
    client.force_login(world.evaluator_sulbar)
    html = client.get(review_url(world.kominfo)).content.decode()
    assert re.search(r'data-testid="last-year">Tahun lalu: <strong>5', card(html, 1))
    assert re.search(r'data-testid="last-year">Tahun lalu: <strong>1', card(html, 2))
    assert re.search(r'data-testid="last-year">Tahun lalu: <strong>—', card(html, 3))


def test_next_opd_is_the_next_not_reviewed_in_this_stage(world, period, assessment):
    evaluator = world.evaluator_sulbar
    opds = {a.opd.kode: a for a in period.assessments.select_related("opd")}
    first, second = sorted(opds)  # BAPPEDA, DISKOMINFO
    assert next_opd(evaluator, period, opds[first].opd).kode == second
    # Wraps around; the OPD itself is never its own next.
    assert next_opd(evaluator, period, opds[second].opd).kode == first
    review_all(evaluator, opds[first], 3)
    assert next_opd(evaluator, period, opds[second].opd) is None
    assert next_opd(evaluator, period, opds[first].opd).kode == second
    # Only OPDs the user sees: another pemda's evaluator gets none of these.
    assert next_opd(world.evaluator_gowa, period, opds[first].opd) is None


def test_take_the_opds_level_for_one_indicator(client, world, period, assessment):
    score = assessment.scores.get(indicator__nomor=1)
    client.force_login(world.evaluator_sulbar)
    response = client.post(
        save_url(score), {"version": score.version, "ambil": "opd", "level": "1"}, **HTMX
    )
    assert response.status_code == 200 and 'data-reviewed="1"' in response.content.decode()
    score.refresh_from_db()
    assert score.level_evaluator == 3
    assert StageReview.objects.get(score=score, tahap=Stage.DOKUMEN).level == 3
    assert ChangeLog.objects.filter(score=score, field="level_evaluator", new_value="3").exists()
    # Someone else saved meanwhile: refused, nothing taken.
    other = assessment.scores.get(indicator__nomor=2)
    svc.save_review(world.admin_sulbar, other.pk, None, 5, "")
    response = client.post(save_url(other), {"version": 1, "ambil": "opd"}, **HTMX)
    assert response.status_code == 409
    other.refresh_from_db()
    assert other.level_evaluator == 5


def test_take_the_opds_level_for_a_confirmed_selection(client, world, period, assessment):
    scores = list(assessment.scores.order_by("indicator__nomor")[:4])
    scores[3].level_mandiri = None
    scores[3].save(update_fields=["level_mandiri"])
    picked = [s.pk for s in scores]
    client.force_login(world.evaluator_sulbar)

    # The confirmation lists what will be taken (an indicator without an OPD level is left
    # out, ids of another assessment are ignored) and changes nothing yet.
    foreign = period.assessments.get(opd=world.bappeda).scores.first()
    query = "".join(f"&score={pk}" for pk in [*picked, foreign.pk, "x"])
    response = client.get(adopt_url(world.kominfo) + query)
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count('data-testid="adopt-item"') == 3
    assert "untuk 3 indikator" in html
    assert not StageReview.objects.exists()

    response = client.post(adopt_url(world.kominfo), {"score": [*picked, foreign.pk]})
    assert response.status_code == 302
    assert set(StageReview.objects.values_list("score_id", flat=True)) == set(picked[:3])
    assert foreign.reviews.count() == 0
    assert ChangeLog.objects.filter(field="level_evaluator", score_id__in=picked).count() == 3

    # OPD users and another pemda's evaluator: 404, nothing taken.
    for user in [world.kepala_kominfo, world.evaluator_polman]:
        client.force_login(user)
        assert client.post(adopt_url(world.kominfo), {"score": picked}).status_code == 404
    # Outside evaluation nobody takes anything.
    Period.objects.filter(pk=period.pk).update(status=Period.Status.SELF_ASSESSMENT)
    client.force_login(world.evaluator_sulbar)
    assert client.get(adopt_url(world.kominfo) + query).status_code == 404


def test_taking_the_opds_levels_of_an_indicator_with_items(world):
    from evaluations.models import IndicatorItem, ItemScore
    from evaluations.services.adopt_levels import adopt_self_levels

    period = make_period(world.sulbar, 2024, status=Period.Status.SELF_ASSESSMENT)
    assessment = period.assessments.get(opd=world.kominfo)
    score = assessment.scores.select_related("indicator").get(indicator__nomor=1)
    first = IndicatorItem.objects.create(indicator=score.indicator, nomor=1, nama="SK")
    second = IndicatorItem.objects.create(indicator=score.indicator, nomor=2, nama="SOP")
    svc.save_self_items(world.operator_kominfo, score.pk, None, {first.pk: 2, second.pk: 4}, "")
    Period.objects.filter(pk=period.pk).update(status=Period.Status.EVALUATION)

    taken, skipped = adopt_self_levels(world.evaluator_sulbar, assessment, [score.pk])
    assert [s.pk for s in taken] == [score.pk] and skipped == []
    rows = dict(ItemScore.objects.filter(score=score).values_list("item__nomor", "level_evaluator"))
    assert rows == {1: 2, 2: 4}
    score.refresh_from_db()
    assert score.level_evaluator == 3
    assert StageReview.objects.get(score=score, tahap=Stage.DOKUMEN).level == 3


def test_queue_progress_filter_follows_the_current_stage(client, world, period, assessment):
    evaluator = world.evaluator_sulbar
    review_all(evaluator, assessment, 2)
    client.force_login(evaluator)

    def shown(progress):
        response = client.get(
            reverse("review_queue", args=["76"]) + f"?tahun=2024&progres={progress}"
        )
        return [row.record.opd.kode for row in response.context["table"].rows]

    assert shown("selesai") == ["DISKOMINFO"] and shown("belum") == ["BAPPEDA"]
    svc.end_document_review(evaluator, period.pk)
    # A new stage: validated everywhere, but nothing reviewed in the interview yet.
    assert shown("selesai") == [] and shown("belum") == ["BAPPEDA", "DISKOMINFO"]
    score = assessment.scores.first()
    svc.save_review(evaluator, score.pk, None, 3, "")
    assert shown("proses") == ["DISKOMINFO"]
