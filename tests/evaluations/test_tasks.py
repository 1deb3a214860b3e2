"""Recompute tasks run in-process (eager), their job records, the sweep, the command,
the beat schedule and the jobs page. The real-worker tests are in test_tasks_worker.py."""

from decimal import Decimal
from io import StringIO
from unittest import mock

import pytest
from django.core.management import CommandError, call_command
from django.template.loader import render_to_string
from django.urls import reverse
from django_celery_beat.models import PeriodicTask
from kombu.exceptions import OperationalError as BrokerError

from evaluations import jobs
from evaluations.models import Assessment, Job, PemdaSummary
from evaluations.queueing import request_period_recompute
from evaluations.services.recompute import recompute_period
from evaluations.services.scoring import ZONE_GREEN, ZONE_YELLOW
from evaluations.tasks import (
    recompute_all_task,
    recompute_assessment_task,
    recompute_period_task,
    sweep_stale_task,
)
from tests.factories import make_period, set_levels

pytestmark = pytest.mark.django_db


@pytest.fixture
def periods(world):
    """A period for Sulawesi Barat (2 OPDs) and Polewali Mandar (1 OPD), levels filled,
    figures not yet computed (every assessment stale)."""
    sulbar = make_period(world.sulbar, 2024)
    polman = make_period(world.polman, 2024)
    set_levels(sulbar.assessments.get(opd=world.kominfo), 4)
    set_levels(sulbar.assessments.get(opd=world.bappeda), 3)
    set_levels(polman.assessments.get(), 2)
    world.p_sulbar, world.p_polman = sulbar, polman
    return world


def test_period_task_recomputes_and_records_a_done_job(periods):
    recompute_period_task.delay(periods.p_sulbar.pk)
    assert not Assessment.objects.filter(period=periods.p_sulbar, is_stale=True).exists()
    assert Assessment.objects.filter(period=periods.p_polman, is_stale=True).count() == 1
    job = Job.objects.get(kind=Job.Kind.RECOMPUTE_PERIOD)
    assert (job.state, job.progress, job.period, job.pemda) == (
        Job.State.DONE,
        100,
        periods.p_sulbar,
        periods.sulbar,
    )
    assert job.started_at <= job.finished_at
    assert job.detail == "2 asesmen dihitung ulang" and job.task_id


def test_running_a_task_twice_gives_the_same_figures(periods):
    recompute_period_task.delay(periods.p_sulbar.pk)
    first = list(
        Assessment.objects.filter(period=periods.p_sulbar).values_list(
            "indeks", "zona", "peringkat"
        )
    )
    recompute_period_task.delay(periods.p_sulbar.pk)
    assert (
        list(
            Assessment.objects.filter(period=periods.p_sulbar).values_list(
                "indeks", "zona", "peringkat"
            )
        )
        == first
    )


def test_recompute_all_task_covers_every_period_with_progress(periods):
    recompute_all_task.delay()
    assert not Assessment.objects.filter(is_stale=True).exists()
    job = Job.objects.get(kind=Job.Kind.RECOMPUTE_ALL)
    assert (job.state, job.progress, job.pemda) == (Job.State.DONE, 100, None)
    assert job.detail == "2 periode, 3 asesmen dihitung ulang"
    # The kabupaten is ranked in its province once its summary exists.
    assert PemdaSummary.objects.get(period=periods.p_polman).peringkat_provinsi == 1


def test_a_message_of_the_old_per_assessment_task_still_recomputes(periods):
    """Messages queued before recomputes were coalesced per period (a deploy with work
    in the queue) are still handled: the assessment's period is brought up to date."""
    assessment = periods.p_polman.assessments.get()
    recompute_assessment_task.delay(assessment.pk)
    assessment.refresh_from_db()
    assert (assessment.zona, assessment.is_stale) == ("merah", False)
    assert recompute_assessment_task.delay(10**9).get() is None


def test_sweep_recomputes_only_the_periods_with_stale_assessments(periods):
    recompute_period(periods.p_sulbar.pk)
    recompute_period(periods.p_polman.pk)
    assert sweep_stale_task.delay().get() == "0 periods"
    assert not Job.objects.exists()  # an idle sweep leaves no record every five minutes

    stale = periods.p_polman.assessments.get()
    set_levels(stale, 4)
    Assessment.objects.filter(pk=stale.pk).update(is_stale=True)
    sweep_stale_task.delay()
    stale.refresh_from_db()
    assert (stale.zona, stale.is_stale) == (ZONE_GREEN, False)
    job = Job.objects.get(kind=Job.Kind.SWEEP_STALE)
    assert job.state == Job.State.DONE and job.detail == "1 periode, 1 asesmen dihitung ulang"


def test_a_failing_task_records_its_error(periods):
    with (
        mock.patch(
            "evaluations.services.recompute.recompute_outdated", side_effect=ValueError("boom")
        ),
        pytest.raises(ValueError),
    ):
        recompute_period_task.delay(periods.p_sulbar.pk)
    job = Job.objects.get()
    assert job.state == Job.State.FAILED and "ValueError: boom" in job.error
    assert job.finished_at is not None


def test_period_recompute_request_queues_on_commit(periods, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        request_period_recompute([periods.p_sulbar.pk])
        assert not Job.objects.exists()  # nothing is sent before the commit
    assert not Assessment.objects.filter(period=periods.p_sulbar, is_stale=True).exists()
    assert Job.objects.get().state == Job.State.DONE


def test_period_recompute_request_with_the_broker_down(periods, django_capture_on_commit_callbacks):
    recompute_period(periods.p_sulbar.pk)
    with (
        mock.patch("evaluations.queueing._send", side_effect=BrokerError("down")),
        django_capture_on_commit_callbacks(execute=True),
    ):
        request_period_recompute([periods.p_sulbar.pk])  # does not raise
    assert Assessment.objects.filter(period=periods.p_sulbar, is_stale=True).count() == 2
    job = Job.objects.get()
    assert job.state == Job.State.FAILED and "Broker unreachable" in job.error


def test_command_sync_recomputes_and_says_so(periods):
    out = StringIO()
    call_command("recompute_zones", "--pemda", "76.02", "--tahun", "2024", "--sync", stdout=out)
    assert "Dihitung ulang: 1 periode, 1 asesmen" in out.getvalue()
    assert not Assessment.objects.filter(period=periods.p_polman, is_stale=True).exists()
    assert Assessment.objects.filter(period=periods.p_sulbar, is_stale=True).count() == 2


def test_command_queues_by_default(periods):
    out = StringIO()
    call_command("recompute_zones", stdout=out)
    assert "Diantrekan: hitung ulang 2 periode (semua pemda semua tahun)" in out.getvalue()
    # Eager in the tests: the queued task already ran.
    assert not Assessment.objects.filter(is_stale=True).exists()


def test_command_refuses_an_unknown_pemda(db):
    with pytest.raises(CommandError, match="tidak ditemukan"):
        call_command("recompute_zones", "--pemda", "99.99", stdout=StringIO())


def test_beat_schedule_is_installed_and_editable(db):
    nightly = PeriodicTask.objects.get(task="evaluations.tasks.recompute_all_task")
    assert (nightly.crontab.hour, nightly.crontab.minute) == ("1", "0")
    assert str(nightly.crontab.timezone) == "Asia/Makassar"
    sweep = PeriodicTask.objects.get(task="evaluations.tasks.sweep_stale_task")
    assert (sweep.interval.every, sweep.interval.period) == (5, "minutes")


# --- The jobs page and the progress include ------------------------------------------


@pytest.fixture
def job_rows(world):
    return {
        "sulbar": Job.objects.create(kind=Job.Kind.RECOMPUTE_PERIOD, pemda=world.sulbar),
        "polman": Job.objects.create(
            kind=Job.Kind.RECOMPUTE_PERIOD, pemda=world.polman, error="Gagal total"
        ),
        "gowa": Job.objects.create(kind=Job.Kind.RECOMPUTE_PERIOD, pemda=world.gowa),
        "all": Job.objects.create(kind=Job.Kind.RECOMPUTE_ALL),
    }


def listed(client, user, url):
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == 200
    return {job.pk for job in response.context["jobs"]}


def test_jobs_page_is_scoped_to_the_tenant(client, world, job_rows):
    j = job_rows
    url = reverse("jobs")
    # A province admin sees its own and its kabupaten's jobs, not the installation's.
    assert listed(client, world.admin_sulbar, url) == {j["sulbar"].pk, j["polman"].pk}
    assert listed(client, world.admin_polman, url) == {j["polman"].pk}
    assert listed(client, world.superadmin, url) == {job.pk for job in j.values()}
    assert listed(client, world.admin_sulbar, reverse("pemda_jobs", args=["76.02"])) == {
        j["polman"].pk
    }
    client.force_login(world.admin_polman)
    response = client.get(url)
    assert b"Gagal total" in response.content


def test_jobs_page_answers_404_to_other_tenants_and_roles(client, world, job_rows):
    client.force_login(world.admin_polman)
    assert client.get(reverse("pemda_jobs", args=["76.01"])).status_code == 404  # Majene
    assert client.get(reverse("pemda_jobs", args=["73"])).status_code == 404
    for user in (world.evaluator_sulbar, world.kepala_kominfo, world.no_role):
        client.force_login(user)
        assert client.get(reverse("jobs")).status_code == 404


def test_jobs_page_sends_anonymous_users_to_log_in(client, db):
    response = client.get(reverse("jobs"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_progress_include_shows_a_running_recompute_then_the_stale_notice(periods):
    period = periods.p_sulbar
    job = jobs.start(Job.Kind.RECOMPUTE_PERIOD, "t-1", period_id=period.pk)
    jobs.progress(job, 1, 4)
    html = render_to_string("evaluations/_job_progress.html", {"period": period})
    assert 'value="25"' in html and f'data-job="{job.pk}"' in html

    jobs.finish(job)
    html = render_to_string("evaluations/_job_progress.html", {"period": period})
    assert "data-job" not in html and "progress-bar" not in html
    assert "2" in html  # two assessments still wait for their figures

    recompute_period(period.pk)
    html = render_to_string("evaluations/_job_progress.html", {"period": period})
    assert html.strip() == ""


def test_jobs_admin_lists_the_records(client, world, job_rows):
    client.force_login(world.admin_sulbar)
    response = client.get(reverse("admin:evaluations_job_changelist"))
    assert response.status_code == 200
    assert response.context["cl"].result_count == 2
    assert client.get(
        reverse("admin:evaluations_job_change", args=[job_rows["gowa"].pk])
    ).status_code in (302, 404)


def test_zone_thresholds_change_recomputes_the_period(periods, django_capture_on_commit_callbacks):
    from evaluations.services.thresholds import change_thresholds

    period = periods.p_sulbar
    recompute_period(period.pk)
    bappeda = period.assessments.get(opd=periods.bappeda)
    assert bappeda.zona == ZONE_YELLOW  # 3.00
    with django_capture_on_commit_callbacks(execute=True):
        change_thresholds(
            periods.admin_sulbar, period.pk, Decimal("3.00"), Decimal("2.60"), "Keputusan Tim"
        )
    bappeda.refresh_from_db()
    assert (bappeda.zona, bappeda.is_stale) == (ZONE_GREEN, False)


def test_a_recompute_that_dies_midway_leaves_the_old_figures(periods):
    """One transaction per period: a failure (or a killed worker) after the assessments
    were written but before the summary leaves the previous figures in place."""
    period = periods.p_sulbar
    recompute_period(period.pk)
    before = list(period.assessments.order_by("pk").values_list("indeks", "zona", "is_stale"))
    set_levels(period.assessments.get(opd=periods.bappeda), 5)
    with (
        mock.patch(
            "evaluations.services.recompute.store_summaries", side_effect=RuntimeError("killed")
        ),
        pytest.raises(RuntimeError),
    ):
        recompute_period(period.pk)
    assert (
        list(period.assessments.order_by("pk").values_list("indeks", "zona", "is_stale")) == before
    )
    recompute_period(period.pk)  # the rerun completes them
    assert period.assessments.get(opd=periods.bappeda).zona == ZONE_GREEN


def test_admins_see_the_jobs_link_in_the_menu(client, world):
    client.force_login(world.admin_polman)
    assert f'href="{reverse("jobs")}"'.encode() in client.get(reverse("home")).content
    client.force_login(world.evaluator_polman)
    assert f'href="{reverse("jobs")}"'.encode() not in client.get(reverse("home")).content
