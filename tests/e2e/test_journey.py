"""The whole journey of one evaluation year in a real browser (issue 7, part 4).

Provinsi Sulawesi Barat opens 2025 for self-assessment. Through the pages only (clicks
and keys, no service calls for the users' steps):

1. operator.kominfo fills all 25 indicators and uploads a PDF as evidence;
2. kepala.kominfo submits the self-assessment;
3. admin.sulbar closes self-assessment and starts the evaluation;
4. evaluator.sulbar reviews all 25 indicators from the keyboard and ends document
   review (the appeal window opens);
5. kepala.kominfo appeals one indicator with an argument and the level asked for;
6. evaluator.sulbar accepts the appeal with the new level;
7. admin.sulbar finalises the period; a real Celery worker (a subprocess on the suite's
   Redis and test database, as in tests/evaluations/test_tasks_worker.py) recomputes the
   period, as it recomputes each assessment after every save and makes the PDF;
8. sekprov.sulbar sees Diskominfo's zone and rank on the zone dashboard;
9. kepala.kominfo sees the final scorecard, asks for the PDF report, waits for the
   status partial to offer it and downloads it (made inside the request; the polling of
   a queued report is the last test's subject).

The other OPD of the province (Bappeda) was scored beforehand: 3 on every indicator.
"""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from playwright.sync_api import expect

from evaluations.models import Appeal, Assessment, Evidence, Job, Period
from spbe_dashboard.celery import app
from tests.evaluations.test_tasks_worker import database_url, use_broker, wait_for
from tests.factories import make_period, set_levels

ROOT = Path(__file__).resolve().parents[2]

YEAR = 2025
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def worker(live_server, settings, tmp_path):
    """A real worker (solo pool) on the suite's broker (REDIS_URL) and the test database,
    sharing MEDIA_ROOT with the live server (the PDF it writes is downloaded there)."""
    broker = django_settings.CELERY_BROKER_URL
    if not broker.startswith("redis"):
        pytest.skip("needs Redis (REDIS_URL) for the worker")
    settings.MEDIA_ROOT = tmp_path / "media"
    eager = app.conf.task_always_eager
    app.conf.task_always_eager = False
    use_broker(broker)
    log_path = tmp_path / "worker.log"
    env = {
        **os.environ,
        "DATABASE_URL": database_url(),
        "REDIS_URL": broker,
        "CELERY_TASK_ALWAYS_EAGER": "0",
        "MEDIA_ROOT": str(settings.MEDIA_ROOT),
        "SECRET_KEY": os.environ.get("SECRET_KEY") or "worker-test",
        "CONN_MAX_AGE": "0",
    }
    command = [str(Path(sys.executable).with_name("celery")), "-A", "spbe_dashboard", "worker"]
    options = ["--pool=solo", "--purge", "--without-gossip", "--without-mingle", "-l", "INFO"]
    with open(log_path, "w") as log:
        process = subprocess.Popen(
            command + options, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT
        )
    try:
        if not wait_for(lambda: "ready." in log_path.read_text(), timeout=60):
            pytest.fail("worker did not start:\n" + log_path.read_text())
        yield log_path
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        use_broker(django_settings.CELERY_BROKER_URL)
        app.conf.task_always_eager = eager


@pytest.mark.worker
def test_one_evaluation_year_from_self_assessment_to_pdf(page, live_server, login, world, worker):
    period = make_period(world.sulbar, YEAR, status=Period.Status.SELF_ASSESSMENT)
    bappeda = period.assessments.get(opd=world.bappeda)
    set_levels(bappeda, 3, evaluator=False)
    set_levels(bappeda, 3)
    kominfo = period.assessments.get(opd=world.kominfo)
    base = live_server.url
    query = f"?tahun={YEAR}"

    def sign_in_as(username):
        page.context.clear_cookies()
        login(username)

    # 1. The operator fills every indicator (level 3) and uploads a PDF for the first.
    sign_in_as("operator.kominfo")
    page.goto(f"{base}/pemda/76/opd/DISKOMINFO/mandiri/{query}")
    expect(page.locator(".indicator")).to_have_count(25)
    for i in range(25):
        card = page.locator(".indicator").nth(i)
        card.get_by_test_id("level-3").check()
        card.get_by_test_id("save").click()
        expect(page.locator(".indicator").nth(i).get_by_test_id("saved")).to_be_visible()
    expect(page.get_by_test_id("progress")).to_have_attribute("data-filled", "25")

    first = page.locator(".indicator").first
    first.get_by_test_id("evidence-file").set_input_files(
        files=[{"name": "SK Tim SPBE.pdf", "mimeType": "application/pdf", "buffer": PDF}]
    )
    first.locator("form:has([data-testid=evidence-file]) button[type=submit]").click()
    expect(page.locator(".indicator").first.get_by_test_id("evidence-notice")).to_be_visible()
    expect(page.locator(".indicator").first).to_contain_text("SK Tim SPBE.pdf")
    evidence = Evidence.objects.get(score__assessment=kominfo)
    assert evidence.tipe_konten == "application/pdf" and evidence.diunggah_oleh.username == (
        "operator.kominfo"
    )

    # 2. The head of the OPD submits.
    sign_in_as("kepala.kominfo")
    page.goto(f"{base}/pemda/76/opd/DISKOMINFO/mandiri/{query}")
    page.get_by_test_id("submit-self").click()
    page.get_by_test_id("submit-confirm").click()  # the checklist, then confirm
    expect(page.get_by_test_id("self-status")).to_have_attribute("data-status", "diajukan")

    # 3. The Kominfo administrator starts the evaluation.
    sign_in_as("admin.sulbar")
    page.goto(f"{base}/pemda/76/periode/{query}")
    page.get_by_test_id("start-evaluation").click()
    expect(page.get_by_test_id("not-submitted")).to_have_attribute("data-count", "1")
    page.get_by_test_id("confirm").click()
    expect(page.get_by_test_id("period-status")).to_have_attribute("data-status", "evaluasi")

    # 4. The evaluator reviews every indicator from the keyboard (4, Enter), then ends
    # document review.
    sign_in_as("evaluator.sulbar")
    page.goto(f"{base}/pemda/76/evaluasi/{query}")
    page.get_by_role("link", name="Dinas Komunikasi dan Informatika").click()
    expect(page.locator("[data-indicator]")).to_have_count(25)
    # The keys go to the highlighted indicator once the page's script has focused it.
    expect(page.locator("[data-indicator]").first).to_be_focused()
    for i in range(25):
        page.keyboard.press("4")
        page.keyboard.press("Enter")
        expect(page.locator("[data-indicator]").nth(i)).to_have_attribute("data-saved", "1")
    expect(page.get_by_test_id("progress")).to_have_attribute("data-validated", "25")
    # The worker recomputes the assessment after each save; the page shows the result.
    assert wait_for(lambda: not Assessment.objects.get(pk=kominfo.pk).is_stale, timeout=60)
    page.reload()
    expect(page.get_by_test_id("opd-index")).to_have_text("4,00")

    page.goto(f"{base}/pemda/76/periode/{query}")
    page.get_by_test_id("next-stage").click()
    expect(page.get_by_test_id("appeal-until")).to_contain_text("sanggahan sampai")
    page.get_by_test_id("confirm").click()
    expect(page.get_by_test_id("period-stage")).to_have_attribute("data-stage", "interviu")

    # 5. The OPD contests indicator 1: it asks for level 5, with its argument.
    sign_in_as("kepala.kominfo")
    page.goto(f"{base}/pemda/76/opd/DISKOMINFO/sanggahan/{query}")
    row = page.locator("#indikator-1")
    expect(row).to_contain_text("4")
    row.locator("summary").click()
    row.locator("textarea[name=argumen]").fill(
        "Kebijakan internal sudah ditetapkan dan dievaluasi berkala: lihat SK Tim SPBE."
    )
    row.locator("select[name=level]").select_option("5")
    row.locator("form button[type=submit]").click()
    expect(page.locator("#indikator-1")).to_contain_text("Kebijakan internal sudah ditetapkan")
    appeal = Appeal.objects.get(score__assessment=kominfo)
    assert appeal.status == Appeal.State.OPEN and appeal.level_diminta == 5

    # 6. The evaluator accepts it with level 5.
    sign_in_as("evaluator.sulbar")
    page.goto(f"{base}/pemda/76/sanggahan/{query}")
    decide = page.locator(f"form[action*='/sanggahan/{appeal.pk}/putuskan/']").first
    decide.locator("select[name=level]").select_option("5")
    decide.locator("input[name=alasan]").fill("SK dan laporan evaluasi kebijakan lengkap.")
    decide.locator("button[type=submit]").click()
    expect(page.locator(".alert-success, .alert-info").first).to_be_visible()
    appeal.refresh_from_db()
    assert appeal.status == Appeal.State.ACCEPTED and appeal.level_baru == 5

    # 7. The administrator finalises; the recompute of the period follows.
    sign_in_as("admin.sulbar")
    page.goto(f"{base}/pemda/76/periode/{query}")
    expect(page.get_by_test_id("ready")).to_be_visible()
    page.get_by_test_id("finalise").click()
    page.get_by_test_id("confirm").click()
    expect(page.get_by_test_id("period-status")).to_have_attribute("data-status", "final")
    # Finalising marked every assessment of the period outdated in its own transaction
    # (earlier steps' recompute jobs are done already): wait until none is.
    outdated = Assessment.objects.filter(period=period, is_stale=True)
    assert wait_for(lambda: not outdated.exists(), timeout=60), worker.read_text()[-3000:]
    assert Job.objects.filter(kind=Job.Kind.RECOMPUTE_PERIOD, period=period, state=Job.State.DONE)
    kominfo.refresh_from_db()
    bappeda.refresh_from_db()
    assert not kominfo.is_stale and kominfo.zona == "hijau" and kominfo.peringkat == 1
    assert kominfo.indeks > 4 and bappeda.peringkat == 2 and bappeda.zona == "kuning"
    index = f"{kominfo.indeks_bulat:.2f}".replace(".", ",")

    # 8. The regional secretary sees Diskominfo first, in the green zone.
    sign_in_as("sekprov.sulbar")
    page.goto(f"{base}/pemda/76/dasbor/{query}")
    page.wait_for_function("document.documentElement.dataset.chartsReady === 'yes'")
    row = page.get_by_test_id("ranking-table").locator("tbody tr", has_text="Dinas Komunikasi")
    expect(row.locator(".zona-hijau")).to_have_text("Hijau")
    expect(row.locator("td").first).to_have_text("1")
    expect(row).to_contain_text(index)

    # 9. The head of the OPD opens the final scorecard and downloads its PDF.
    sign_in_as("kepala.kominfo")
    page.goto(f"{base}/pemda/76/opd/DISKOMINFO/rapor/{query}")
    expect(page.get_by_test_id("scorecard-index")).to_have_text(index)
    expect(page.get_by_test_id("scorecard-zone")).to_have_attribute("data-zone", "hijau")
    expect(page.get_by_test_id("scorecard-rank")).to_have_text(re.compile(r"1\s+dari\s+2"))
    # The PDF is made inside the request (Celery eager), which keeps the journey short;
    # the polling of a report still queued is the next test's subject.
    app.conf.task_always_eager = True
    page.get_by_test_id("report-scorecard").click()
    download_link = page.get_by_test_id("report-download")
    expect(download_link).to_be_visible(timeout=60_000)
    with page.expect_download() as info:
        download_link.click()
    content = open(info.value.path(), "rb").read()  # noqa: SIM115
    assert content.startswith(b"%PDF")
    job = Job.objects.get(kind=Job.Kind.REPORT, period=period)
    assert job.detail == "scorecard:DISKOMINFO" and job.requested_by.username == "kepala.kominfo"
    assert Assessment.objects.get(pk=kominfo.pk).period.status == Period.Status.FINAL


@pytest.fixture
def no_worker(settings, tmp_path):
    """Tasks go to the suite's Redis and nobody consumes them: a report stays queued
    until the test says it is done."""
    broker = django_settings.CELERY_BROKER_URL
    if not broker.startswith("redis"):
        pytest.skip("needs Redis (REDIS_URL)")
    settings.MEDIA_ROOT = tmp_path / "media"
    eager = app.conf.task_always_eager
    app.conf.task_always_eager = False
    use_broker(broker)
    yield settings.MEDIA_ROOT
    use_broker(django_settings.CELERY_BROKER_URL)
    app.conf.task_always_eager = eager


def test_report_status_polls_until_the_report_is_made(page, live_server, login, world, no_worker):
    period = make_period(world.sulbar, YEAR, status=Period.Status.FINAL)
    login("kepala.kominfo")
    page.goto(f"{live_server.url}/pemda/76/opd/DISKOMINFO/rapor/?tahun={YEAR}")
    page.get_by_test_id("report-scorecard").click()
    status = page.get_by_test_id("report-status")
    expect(status).to_have_attribute("data-state", "queued")
    page.wait_for_timeout(3_000)  # one poll (every 2 s) has answered "queued"
    # What the worker does when the PDF is made.
    folder = no_worker / "reports" / "76"
    folder.mkdir(parents=True)
    (folder / "rapor.pdf").write_bytes(PDF)
    Job.objects.filter(kind=Job.Kind.REPORT, period=period).update(
        state=Job.State.DONE, result_file="reports/76/rapor.pdf"
    )
    expect(page.get_by_test_id("report-download")).to_be_visible(timeout=8_000)
