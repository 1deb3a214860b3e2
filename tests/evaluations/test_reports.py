"""Report files: the PDF of the zone dashboard and of an OPD scorecard, made by a Celery
task (eager in tests) in Debian's chromium, recorded in a Job and downloaded through a
tenant-checked view; the XLSX of the ranking."""

import io
import shutil
from pathlib import Path

import openpyxl
import pytest
from django.urls import reverse

from evaluations.models import Job, Period
from evaluations.services.recompute import recompute_period
from evaluations.services.reports import chromium_path
from tests.factories import make_period, set_levels

pytestmark = pytest.mark.django_db

needs_chromium = pytest.mark.skipif(
    not Path(chromium_path()).exists() and not shutil.which("chromium"),
    reason="Debian's chromium is not installed",
)


@pytest.fixture
def scored(world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    period = make_period(world.sulbar, 2024, status=Period.Status.FINAL)
    set_levels(period.assessments.get(opd=world.kominfo), 4)
    set_levels(period.assessments.get(opd=world.bappeda), 2)
    recompute_period(period.id)
    return period


def ask_for_report(client, pemda, django_capture_on_commit_callbacks, **data):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("report_create", args=[pemda.kode]),
            {"tahun": "2024", **data},
            HTTP_HX_REQUEST="true",
        )
    return response


def pdf_text(content):
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(content))
    return "\n".join(page.extract_text() for page in reader.pages), len(reader.pages)


@needs_chromium
def test_dashboard_pdf_is_made_recorded_and_downloaded(
    client, world, scored, settings, django_capture_on_commit_callbacks
):
    client.force_login(world.sekprov)
    response = ask_for_report(
        client, world.sulbar, django_capture_on_commit_callbacks, kind="dashboard"
    )
    assert response.status_code == 302
    job = Job.objects.get(kind=Job.Kind.REPORT)
    assert job.state == Job.State.DONE, job.error
    assert job.result_file.startswith("reports/76/") and job.result_file.endswith(".pdf")
    assert job.pemda == world.sulbar and job.period == scored and job.requested_by == world.sekprov

    status = client.get(reverse("report_status", args=["76", job.id])).content.decode()
    download = reverse("report_download", args=["76", job.id])
    assert download in status
    response = client.get(download)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    content = b"".join(response.streaming_content)
    assert content.startswith(b"%PDF")
    text, pages = pdf_text(content)
    assert pages >= 1
    assert "Provinsi Sulawesi Barat" in text
    assert text.index("Dinas Komunikasi dan Informatika") < text.index(
        "Badan Perencanaan Pembangunan Daerah"
    )
    assert "4,00" in text and "2,00" in text

    # Another tenant, or an OPD user, cannot reach the file.
    for other in (world.admin_sulsel, world.bupati_polman, world.kepala_kominfo):
        client.force_login(other)
        assert client.get(download).status_code == 404
        assert client.get(reverse("report_status", args=["76", job.id])).status_code == 404


@needs_chromium
def test_scorecard_pdf_for_the_opd_head(client, world, scored, django_capture_on_commit_callbacks):
    client.force_login(world.kepala_kominfo)
    ask_for_report(
        client, world.sulbar, django_capture_on_commit_callbacks, kind="scorecard", opd="DISKOMINFO"
    )
    job = Job.objects.get(kind=Job.Kind.REPORT)
    assert job.state == Job.State.DONE, job.error
    response = client.get(reverse("report_download", args=["76", job.id]))
    text, _pages = pdf_text(b"".join(response.streaming_content))
    assert "Dinas Komunikasi dan Informatika" in text and "4,00" in text
    assert "Laman OPD dan Keterbukaan Informasi" in text


def test_report_requests_are_tenant_checked(client, world, scored):
    url = reverse("report_create", args=["76"])
    assert client.post(url, {"kind": "dashboard"}).status_code == 302  # to log in
    client.force_login(world.kepala_kominfo)
    assert client.post(url, {"kind": "dashboard", "tahun": "2024"}).status_code == 404
    assert (
        client.post(url, {"kind": "scorecard", "tahun": "2024", "opd": "BAPPEDA"}).status_code
        == 404
    )
    client.force_login(world.bupati_polman)
    assert client.post(url, {"kind": "dashboard", "tahun": "2024"}).status_code == 404
    client.force_login(world.sekprov)
    assert client.post(url, {"kind": "nothing", "tahun": "2024"}).status_code == 404
    assert client.get(url).status_code == 405
    assert not Job.objects.exists()


def test_pending_report_status_polls_until_done(client, world, scored):
    job = Job.objects.create(
        kind=Job.Kind.REPORT,
        pemda=world.sulbar,
        period=scored,
        detail="dashboard",
        requested_by=world.sekprov,
    )
    client.force_login(world.evaluator_sulbar)
    status = client.get(reverse("report_status", args=["76", job.id])).content.decode()
    assert 'data-state="queued"' in status and "hx-get" in status
    assert client.get(reverse("report_download", args=["76", job.id])).status_code == 404


def test_ranking_xlsx_opens_and_holds_the_ranking(client, world, scored):
    client.force_login(world.sekprov)
    response = client.get(reverse("dashboard", args=["76"]) + "?tahun=2024&_export=xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    header = next(i for i, row in enumerate(rows) if row[0] == "Peringkat")
    assert [row[1] for row in rows[header + 1 :]] == ["DISKOMINFO", "BAPPEDA"]
    assert [row[0] for row in rows[header + 1 :]] == [1, 2]


def test_report_request_with_the_broker_down_fails_visibly(
    client, world, scored, django_capture_on_commit_callbacks
):
    from unittest import mock

    from kombu.exceptions import OperationalError

    client.force_login(world.sekprov)
    with mock.patch("evaluations.queueing._send", side_effect=OperationalError("down")):
        response = ask_for_report(
            client, world.sulbar, django_capture_on_commit_callbacks, kind="dashboard"
        )
    assert response.status_code == 302  # no 500
    job = Job.objects.get()
    assert job.state == Job.State.FAILED and "Broker unreachable" in job.error
