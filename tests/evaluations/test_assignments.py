"""Evaluators' assignments (issue 13): the Kominfo administrator shares out the period's
OPDs, each evaluator has "my queue" (and "next OPD" stays in it), every evaluator of the
team may still review every OPD; wrong ids change nothing."""

import pytest
from django.urls import reverse

from evaluations.models import ChangeLog, Period, ReviewAssignment
from evaluations.services import scores as svc
from evaluations.services.assignments import set_assignments
from opd.roles import Role
from tests.factories import make_period, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def period(world):
    return make_period(world.sulbar, 2024)


def page_url(year=2024):
    return reverse("review_assignments", args=["76"]) + f"?tahun={year}"


def queue_url(query=""):
    return reverse("review_queue", args=["76"]) + "?tahun=2024" + query


def test_admin_assigns_and_the_evaluator_gets_my_queue(client, world, period):
    other = make_user(Role.EVALUATOR, world.sulbar, username="evaluator2.sulbar")
    me = world.evaluator_sulbar
    client.force_login(world.admin_sulbar)
    html = client.get(page_url()).content.decode()
    assert f'data-testid="pair-DISKOMINFO-{me.username}"' in html
    assert "evaluator.polman" not in html  # only the pemda's own evaluators

    pairs = [f"{world.kominfo.pk}:{me.pk}", f"{world.bappeda.pk}:{other.pk}"]
    assert client.post(page_url(), {"pair": pairs}).status_code == 302
    assert set(period.assignments.values_list("opd__kode", "evaluator__username")) == {
        ("DISKOMINFO", "evaluator.sulbar"),
        ("BAPPEDA", "evaluator2.sulbar"),
    }
    assert ChangeLog.objects.filter(period=period, field="penugasan").count() == 2
    html = client.get(page_url()).content.decode()
    assert (
        f'value="{world.kominfo.pk}:{me.pk}" id="pair-{world.kominfo.pk}-{me.pk}" checked' in html
    )

    client.force_login(me)
    mine = client.get(queue_url("&antrean=saya"))
    assert [r.record.opd.kode for r in mine.context["table"].rows] == ["DISKOMINFO"]
    everyone = client.get(queue_url())
    assert len(everyone.context["table"].rows) == 2
    assert 'data-testid="mine"' in everyone.content.decode()
    # Everyone of the team still reviews every OPD.
    score = period.assessments.get(opd=world.bappeda).scores.first()
    svc.save_review(me, score.pk, None, 3, "")
    # "Next OPD" stays in the evaluator's own queue: nothing else there.
    review = client.get(reverse("review", args=["76", "DISKOMINFO"]) + "?tahun=2024")
    assert review.context["next_opd"] is None and review.context["in_my_queue"]
    review = client.get(reverse("review", args=["76", "BAPPEDA"]) + "?tahun=2024")
    assert review.context["next_opd"].kode == "DISKOMINFO"

    # Unticking removes (and logs) it.
    client.force_login(world.admin_sulbar)
    client.post(page_url(), {"pair": pairs[1:]})
    assert period.assignments.count() == 1
    assert ChangeLog.objects.filter(period=period, field="penugasan", new_value="").count() == 1


def test_wrong_ids_and_wrong_people_change_nothing(client, world, period):
    make_period(world.polman, 2024)
    set_assignments(world.admin_sulbar, period.pk, {(world.kominfo.pk, world.evaluator_sulbar.pk)})
    client.force_login(world.admin_sulbar)
    # Another pemda's evaluator, another pemda's OPD, garbage: refused as a whole.
    for pairs in (
        [f"{world.kominfo.pk}:{world.evaluator_polman.pk}"],
        [f"{world.polman_dinkes.pk}:{world.evaluator_sulbar.pk}"],
        [f"{world.kominfo.pk}:{world.admin_sulbar.pk}"],
    ):
        response = client.post(page_url(), {"pair": pairs}, follow=True)
        assert response.status_code == 200
        assert ReviewAssignment.objects.count() == 1
    client.post(page_url(), {"pair": ["x:y", "1", ""]})  # ignored: an empty selection
    assert ReviewAssignment.objects.count() == 0
    # Only the administrator of the pemda itself: evaluators, OPD users, the
    # kabupaten's administrator answer 404.
    for user in (world.evaluator_sulbar, world.kepala_kominfo, world.admin_polman):
        client.force_login(user)
        assert client.get(page_url()).status_code == 404
        assert client.post(page_url(), {"pair": []}).status_code == 404
    # The province's administrator does not assign the kabupaten's OPDs.
    client.force_login(world.admin_sulbar)
    polman = reverse("review_assignments", args=[world.polman.kode]) + "?tahun=2024"
    assert client.get(polman).status_code == 404
    # A final period is read-only.
    Period.objects.filter(pk=period.pk).update(status=Period.Status.FINAL)
    client.post(page_url(), {"pair": [f"{world.kominfo.pk}:{world.evaluator_sulbar.pk}"]})
    assert ReviewAssignment.objects.count() == 0
