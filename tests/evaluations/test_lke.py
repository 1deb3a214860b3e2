"""The LKE worksheet (issue 16): one row per indicator with the expected cells, the
evidence sheet with its links, print-ready on every sheet, and the disclosure rule."""

import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from openpyxl import load_workbook

from evaluations.models import Assessment, Period, Stage, StageReview
from evaluations.services import evidence as evidence_service
from evaluations.services.recompute import recompute_period
from tests.factories import make_period, set_levels

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def period(world, settings, tmp_path):
    """Sulbar 2024 under evaluation: Diskominfo self-assessed 3, evaluated 4 at document
    review (with a note on indicator 1), a link and a file as evidence of indicator 1."""
    settings.MEDIA_ROOT = tmp_path / "media"
    period = make_period(world.sulbar, 2024, status=Period.Status.SELF_ASSESSMENT)
    assessment = period.assessments.get(opd=world.kominfo)
    set_levels(assessment, 3, evaluator=False)
    score = assessment.scores.get(indicator__nomor=1)
    evidence_service.add_link(
        world.operator_kominfo, score, "https://sop.example.go.id/sop-1", "SOP TIK"
    )
    evidence_service.add_file(
        world.operator_kominfo, score, SimpleUploadedFile("kebijakan.pdf", PDF), "Perkada"
    )
    Period.objects.filter(pk=period.pk).update(status=Period.Status.EVALUATION)
    set_levels(assessment, 4)
    StageReview.objects.create(
        score=score,
        tahap=Stage.DOKUMEN,
        level=Decimal("4"),
        catatan="Lengkapi SK",
        dinilai_oleh=world.evaluator_sulbar,
    )
    score.catatan_evaluator = "Lengkapi SK"
    score.save(update_fields=["catatan_evaluator"])
    recompute_period(period.id)
    return period


def lke(client, user, query="?tahun=2024"):
    client.force_login(user)
    response = client.get(f"/pemda/76/opd/DISKOMINFO/lke/{query}")
    assert response.status_code == 200, response.content[:300]
    assert response["Content-Disposition"].startswith('attachment; filename="lke-76-DISKOMINFO-')
    return load_workbook(io.BytesIO(response.content))


def table(sheet):
    rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    start = next(i for i, r in enumerate(rows) if r[0] in ("Aspek", "Kode"))
    return rows[start], rows[start + 1 :]


def test_the_worksheet_has_the_expected_cells(client, world, period):
    book = lke(client, world.evaluator_sulbar)
    assert book.sheetnames == ["LKE", "Bukti dukung"]
    header, rows = table(book["LKE"])
    assert header == [
        "Aspek",
        "Kode",
        "Indikator",
        "Bobot (%)",
        "Kriteria tingkat",
        "Nilai penilaian mandiri",
        "Penjelasan",
        "Penilaian dokumen",
        "Penilaian interviu",
        "Penilaian visitasi",
        "Nilai akhir",
        "Catatan dan rekomendasi",
        "Bukti dukung",
    ]
    assert len(rows) == 25
    first = dict(zip(header, rows[0], strict=True))
    assert first["Kode"] == "1" and first["Aspek"].startswith("1. ")
    assert first["Nilai penilaian mandiri"] == 3 and first["Penilaian dokumen"] == 4
    assert first["Penilaian interviu"] is None and first["Nilai akhir"] == 4
    assert first["Catatan dan rekomendasi"] == "Penilaian dokumen: Lengkapi SK"
    assert first["Kriteria tingkat"].count("\n") == 4 and first["Kriteria tingkat"].startswith(
        "1. "
    )
    assert "SOP TIK (https://sop.example.go.id/sop-1)" in first["Bukti dukung"]
    assert sum(Decimal(str(r[3])) for r in rows) == 100

    _header, evidence = table(book["Bukti dukung"])
    links = [row[4] for row in evidence]
    assert links[0] == "https://sop.example.go.id/sop-1"
    assert links[1].startswith("http://testserver/pemda/76/bukti/") and links[1].endswith("/unduh/")


def test_every_sheet_prints_landscape_with_opd_period_and_date(client, world, period):
    book = lke(client, world.evaluator_sulbar)
    today = timezone.localdate().strftime("%d")
    for sheet in book.worksheets:
        assert sheet.page_setup.orientation == "landscape"
        assert sheet.page_setup.fitToWidth == 1 and sheet.sheet_properties.pageSetUpPr.fitToPage
        assert "Dinas Komunikasi dan Informatika" in sheet.oddHeader.center.text
        assert "Periode 2024" in sheet.oddHeader.center.text
        assert today in sheet.oddFooter.left.text and sheet.print_title_rows


def test_an_opd_user_before_review_ends_sees_its_own_self_assessment_only(client, world, period):
    book = lke(client, world.kepala_kominfo)
    header, rows = table(book["LKE"])
    first = dict(zip(header, rows[0], strict=True))
    assert first["Nilai penilaian mandiri"] == 3
    assert (first["Penilaian dokumen"], first["Nilai akhir"], first["Catatan dan rekomendasi"]) == (
        None,
        None,
        None,
    )
    Period.objects.filter(pk=period.pk).update(sanggahan_dibuka=timezone.now())
    header, rows = table(lke(client, world.kepala_kominfo)["LKE"])
    assert dict(zip(header, rows[0], strict=True))["Nilai akhir"] == 4


def test_the_button_is_on_the_scorecard_and_the_opd_page(client, world, period):
    client.force_login(world.sekprov)
    for page in ("rapor/", ""):
        html = client.get(f"/pemda/76/opd/DISKOMINFO/{page}?tahun=2024").content.decode()
        assert 'data-testid="lke-link"' in html and "/opd/DISKOMINFO/lke/?tahun=2024" in html
    assert Assessment.objects.filter(period=period).exists()


def test_2026_items_below_their_indicator_and_external_waiting(client, world):
    from evaluations.models import Instrument, ItemScore
    from evaluations.services import instrument_versions as versions
    from tests.factories import instrument_2026

    draft = versions.clone(world.admin_sulbar, instrument_2026().pk, "OPD 2026")
    i1 = draft.indicators.get(kode="I1")
    versions.save_items(
        world.admin_sulbar, i1.pk, [("Kebijakan", None, "Ada Perkada", ""), ("Reviu", None, "", "")]
    )
    versions.publish(world.admin_sulbar, draft.pk)
    period = make_period(world.sulbar, 2026, instrument=Instrument.objects.get(pk=draft.pk))
    score = period.assessments.get(opd=world.kominfo).scores.get(indicator__kode="I1")
    ItemScore.objects.create(
        score=score, item=score.indicator.items.get(nomor=1), level_mandiri=3, level_evaluator=4
    )
    header, rows = table(lke(client, world.evaluator_sulbar, "?tahun=2026")["LKE"])
    by_code = {row[1]: dict(zip(header, row, strict=True)) for row in rows}
    assert list(by_code)[:4] == ["I1", "I1.1", "I1.2", "I2"]
    item = by_code["I1.1"]
    assert (item["Indikator"], item["Kriteria tingkat"]) == ("· Kebijakan", "Ada Perkada")
    assert (item["Nilai penilaian mandiri"], item["Nilai akhir"]) == (3, 4)
    assert by_code["I5"]["Nilai akhir"] == "menunggu nilai eksternal (dihitung 1.00)"
    assert period.instrument.nilai_desimal
