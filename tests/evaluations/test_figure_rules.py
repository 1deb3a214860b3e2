"""Figures a Sekprov can trust (issue "Figures a Sekprov can trust"): what a figure is at
every moment of the year, the default period of every page, final means final through
every path, provisional review kept inside the evaluation team, official indices, and no
"being updated" notice that stays forever."""

import re
from decimal import Decimal
from unittest import mock

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from kombu.exceptions import OperationalError as BrokerError

from evaluations.models import (
    Assessment,
    ChangeLog,
    FigureStatus,
    Indicator,
    OfficialIndex,
    Period,
    Score,
)
from evaluations.services import imports, official, scores, thresholds
from evaluations.services.periods import open_next_period, open_period
from evaluations.services.recompute import recompute_period
from evaluations.tasks import sweep_stale_task
from tests.factories import OPDFactory, make_period, opd_template, set_levels
from tests.html import text, texts, visible

pytestmark = pytest.mark.django_db

D = Decimal


shown = text


@pytest.fixture
def year(world):
    """Sulbar: 2024 final (Diskominfo 4, Bappeda 2) and 2025 under evaluation (Diskominfo
    validated at 3, Bappeda only self-assessed at 5)."""
    final = make_period(world.sulbar, 2024, status=Period.Status.FINAL)
    set_levels(final.assessments.get(opd=world.kominfo), 4)
    set_levels(final.assessments.get(opd=world.bappeda), 2)
    running = make_period(world.sulbar, 2025)
    set_levels(running.assessments.get(opd=world.kominfo), 3)
    set_levels(running.assessments.get(opd=world.kominfo), 4, evaluator=False)
    set_levels(running.assessments.get(opd=world.bappeda), 5, evaluator=False)
    for period in (final, running):
        recompute_period(period.pk)
    return final, running


# --- 1. What a figure is ---------------------------------------------------------------


def test_self_assessed_levels_alone_are_never_ranked(world, year):
    _final, running = year
    kominfo = running.assessments.get(opd=world.kominfo)
    bappeda = running.assessments.get(opd=world.bappeda)
    assert (kominfo.status_nilai, kominfo.indeks, kominfo.peringkat) == (
        FigureStatus.PROVISIONAL,
        D("3.000000"),
        1,
    )
    # Bappeda claims 5,00 on its own levels: no rank "1 of 2", no zone, only its claim.
    assert (bappeda.status_nilai, bappeda.indeks, bappeda.peringkat, bappeda.zona) == (
        FigureStatus.IN_PROGRESS,
        None,
        None,
        "",
    )
    assert bappeda.indeks_mandiri == D("5.000000")


def test_dashboard_says_which_figures_it_is_built_from(client, world, year):
    client.force_login(world.sekprov)
    page = client.get(reverse("dashboard", args=["76"]) + "?tahun=2025").content.decode()
    basis = shown(page, "headline-basis")
    assert "nilai sementara 1 dari 2 OPD" in basis and "belum diperingkat" in basis
    assert shown(page, "dashboard-assessed") == "1"
    assert shown(page, "dashboard-zone-merah") == "0"  # Bappeda is counted nowhere
    listed = shown(page, "in-progress-list")
    assert "Bappeda" in listed and "0/25" in listed, listed
    table = page[page.index('data-testid="ranking-table"') :]
    rows = re.findall(r"<tr[^>]*>(.*?)</tr>", table[: table.index("</table>")], re.S)[1:]
    # Ranked OPDs first, then the ones without figures (no rank, no index).
    assert "Dinas Komunikasi" in rows[0] and "Badan Perencanaan" in rows[1]
    assert "Dalam proses · 0/25" in rows[1] and "5,00" not in rows[1]


# --- 2. The default period -------------------------------------------------------------


def test_opening_the_next_period_leaves_every_role_on_the_running_one(
    client, world, year, django_capture_on_commit_callbacks
):
    _final, running = year
    with django_capture_on_commit_callbacks(execute=True):
        opened = open_next_period(world.admin_sulbar, running.pk)
    assert (opened.tahun, opened.status) == (2026, Period.Status.SELF_ASSESSMENT)
    # Nothing left stale by the opening: the recompute ran when it committed.
    assert not Assessment.objects.filter(period=opened, is_stale=True).exists()
    assert ChangeLog.objects.filter(period=opened, field="status").exists()

    pages = {
        world.sekprov: ["/", reverse("dashboard", args=["76"]), reverse("opd_list", args=["76"])],
        world.evaluator_sulbar: [reverse("review_queue", args=["76"])],
        world.kepala_kominfo: [reverse("scorecard", args=["76", "DISKOMINFO"])],
    }
    for user, urls in pages.items():
        client.force_login(user)
        for url in urls:
            page = client.get(url).content.decode()
            assert "None" not in visible(page), url
            assert "2025" in page, url
    client.force_login(world.sekprov)
    home = client.get("/").content.decode()
    assert "Evaluasi SPBE 2025" in shown(home, "home-period")
    assert "2026" in shown(home, "running-period")
    # The self-assessment page of the OPD is on the new period it works on.
    client.force_login(world.operator_kominfo)
    page = client.get(reverse("self_assessment", args=["76", "DISKOMINFO"]))
    assert page.context["period"] == opened


def test_an_opened_period_never_becomes_the_default_of_a_figures_page(client, world):
    # Only a fresh period, nothing evaluated: no figures page pretends it has results.
    open_period(world.sulbar, 2026, opd_template())
    client.force_login(world.sekprov)
    home = client.get("/").content.decode()
    assert 'data-testid="average-index"' not in home
    assert "2026" in shown(home, "running-period")
    dashboard = client.get(reverse("dashboard", args=["76"]))
    assert dashboard.status_code == 200 and dashboard.context["period"] is None


def test_the_home_comparison_is_like_with_like(client, world, year):
    _final, running = year
    client.force_login(world.sekprov)
    page = client.get("/").content.decode()
    # 2025: only Diskominfo has figures (3,00); in 2024 it had 4,00. Not 3,00 against the
    # 2024 average of two OPDs (3,00).
    assert shown(page, "comparison").startswith("-1,00")
    assert "1 OPD yang sama (4,00 → 3,00)" in shown(page, "comparison")


def test_a_stale_flag_is_cleared_by_the_sweep_when_the_broker_is_down(
    world, django_capture_on_commit_callbacks
):
    with (
        mock.patch(
            "evaluations.tasks.recompute_period_task.apply_async", side_effect=BrokerError("x")
        ),
        django_capture_on_commit_callbacks(execute=True),
    ):
        period = open_period(world.sulbar, 2026, opd_template())
    assert Assessment.objects.filter(period=period, is_stale=True).count() == 2
    sweep_stale_task.delay()
    assert not Assessment.objects.filter(is_stale=True).exists()
    assert period.summary.opd_count == 2


# --- 3. Final means final --------------------------------------------------------------


def test_a_final_period_refuses_every_change_through_the_services(world, year):
    final, _running = year
    score = Score.objects.filter(assessment__period=final).first()
    attempts = [
        lambda: thresholds.change_thresholds(world.admin_sulbar, final.pk, D("4"), D("3"), "x"),
        lambda: scores.save_review(world.evaluator_sulbar, score.pk, score.version, 1, ""),
        lambda: scores.save_self_assessment(world.operator_kominfo, score.pk, None, 1, ""),
        lambda: scores.start_evaluation(world.admin_sulbar, final.pk),
        lambda: scores.advance_stage(world.evaluator_sulbar, final.pk),
        lambda: scores.finalise_period(world.admin_sulbar, final.pk),
        lambda: scores.return_self_assessment(world.evaluator_sulbar, score.assessment_id, "x"),
    ]
    before = (
        list(Score.objects.values_list("level_mandiri", "level_evaluator")),
        Period.objects.filter(pk=final.pk).values_list("status", "zona_hijau_dari").get(),
    )
    for attempt in attempts:
        with pytest.raises(scores.ScoreError):
            attempt()
    assert before == (
        list(Score.objects.values_list("level_mandiri", "level_evaluator")),
        Period.objects.filter(pk=final.pk).values_list("status", "zona_hijau_dari").get(),
    )


def test_a_final_period_refuses_changes_in_the_django_admin(client, world, year):
    final, _running = year
    score = Score.objects.filter(assessment__period=final).first()
    kominfo = final.assessments.get(opd=world.kominfo)
    frozen = Indicator.objects.filter(instrument=final.instrument).first()
    change = {
        "admin:evaluations_period_change": (final.pk, {"status": "evaluasi", "zona_hijau_dari": 4}),
        "admin:evaluations_score_change": (score.pk, {"level_evaluator": 1, "version": 1}),
        "admin:evaluations_assessment_change": (kominfo.pk, {"status_mandiri": "draf"}),
        "admin:evaluations_indicator_change": (frozen.pk, {"bobot": "1"}),
    }
    for user in (world.admin_sulbar, world.superadmin):
        client.force_login(user)
        for name, (pk, data) in change.items():
            assert client.post(reverse(name, args=[pk]), data).status_code == 403, (user, name)
        assert client.post(reverse("admin:evaluations_score_add"), {}).status_code == 403
        assert client.post(reverse("admin:evaluations_officialindex_add"), {}).status_code == 403
    final.refresh_from_db()
    score.refresh_from_db()
    assert (final.status, final.zona_hijau_dari, score.level_evaluator) == (
        Period.Status.FINAL,
        D("3.50"),
        4,
    )


def test_a_final_period_refuses_changes_by_import_and_command(world, year, tmp_path):
    final, _running = year
    row = "76,DISKOMINFO,2024,1,,1,"
    content = (",".join(imports.HEADER) + "\n" + row + "\n").encode()
    result, summary = imports.import_file(world.evaluator_sulbar, content, "x.csv")
    assert summary is None and "final" in result.errors[0].message
    path = tmp_path / "x.csv"
    path.write_bytes(content)
    with pytest.raises(Exception, match="nothing was imported"):
        call_command("import_scores", str(path), user="evaluator.sulbar")
    assert Score.objects.filter(assessment__period=final, level_evaluator=1).count() == 0


def test_threshold_change_shows_the_effect_then_is_recorded_in_words(client, world, year):
    _final, running = year
    world.admin_sulbar.first_name, world.admin_sulbar.last_name = "Muhammad", "Ridwan"
    world.admin_sulbar.save()
    client.force_login(world.admin_sulbar)
    url = reverse("period_thresholds", args=["76"]) + "?tahun=2025"
    # "3,10" with the decimal comma: Diskominfo (3,00, yellow) would fall to red.
    preview = client.post(url, {"hijau": "3,50", "kuning": "3,10"}).content.decode()
    assert "1 OPD pindah dari Kuning ke Merah" in shown(preview, "threshold-effect")
    running.refresh_from_db()
    assert running.zona_kuning_dari == D("2.60")  # nothing saved by the preview
    refused = client.post(url, {"hijau": "3,50", "kuning": "3,10", "confirm": "1"})
    assert "Isi alasan" in refused.content.decode()
    client.post(url, {"hijau": "3,50", "kuning": "3,10", "alasan": "Rapat Tim", "confirm": "1"})
    running.refresh_from_db()
    assert running.zona_kuning_dari == D("3.10")
    history = client.get(reverse("period_admin", args=["76"]) + "?tahun=2025").content.decode()
    entry = shown(history, "period-change")
    assert "Zona kuning mulai: 2,60 → 3,10" in entry
    # The name of the user, never the username; the reason.
    assert "Muhammad Ridwan" in entry and "admin.sulbar" not in entry and "Rapat Tim" in entry


def test_reopening_is_recorded_and_thresholds_may_then_change(client, world, year):
    final, _running = year
    world.admin_sulbar.first_name, world.admin_sulbar.last_name = "Muhammad", "Ridwan"
    world.admin_sulbar.save()
    client.force_login(world.admin_sulbar)
    page = client.get(reverse("period_thresholds", args=["76"]) + "?tahun=2024").content.decode()
    assert 'data-testid="thresholds-final"' in page
    with pytest.raises(scores.ScoreError):
        scores.reopen_period(world.admin_sulbar, final.pk, " ")
    scores.reopen_period(world.admin_sulbar, final.pk, "Koreksi hasil sanggahan")
    thresholds.change_thresholds(world.admin_sulbar, final.pk, D("3.60"), D("2.60"), "Rapat")
    client.force_login(world.admin_sulbar)
    page = client.get(reverse("period_admin", args=["76"]) + "?tahun=2024").content.decode()
    changes = texts(page, "period-change")
    assert any(
        "Muhammad Ridwan" in c
        and "Status periode: Final → Dalam evaluasi" in c
        and "Koreksi hasil sanggahan" in c
        for c in changes
    ), changes
    assert any("Zona hijau mulai: 3,50 → 3,60" in c for c in changes), changes


# --- 4. Provisional review stays inside the evaluation team ----------------------------


def test_an_opd_user_sees_no_evaluator_work_before_document_review_ends(client, world, year):
    _final, running = year
    kominfo = running.assessments.get(opd=world.kominfo)
    kominfo.scores.filter(indicator__nomor=1).update(catatan_evaluator="Catatan rahasia tim")
    client.force_login(world.kepala_kominfo)
    pages = [
        reverse("opd_detail", args=["76", "DISKOMINFO"]) + "?tahun=2025",
        reverse("scorecard", args=["76", "DISKOMINFO"]) + "?tahun=2025",
        reverse("self_assessment", args=["76", "DISKOMINFO"]) + "?tahun=2025",
        reverse("opd_list", args=["76"]) + "?tahun=2025",
        "/",
    ]
    for url in pages:
        page = client.get(url).content.decode()
        assert "Catatan rahasia tim" not in page, url
        assert 'data-testid="opd-index">3,00' not in page, url
        assert 'data-testid="scorecard-index">3,00' not in page, url
        assert "Kuning" not in re.sub(r"<select.*?</select>", "", visible(page), flags=re.S), url
    scorecard = client.get(pages[1]).content.decode()
    assert 'data-testid="review-hidden"' in scorecard
    # Pimpinan and evaluators see the provisional figures, labelled so.
    client.force_login(world.sekprov)
    assert "3,00" in client.get(pages[1]).content.decode()
    # Document review ends: the OPD sees them too.
    Period.objects.filter(pk=running.pk).update(sanggahan_dibuka=timezone.now())
    client.force_login(world.kepala_kominfo)
    page = client.get(pages[1]).content.decode()
    assert 'data-testid="scorecard-index">3,00' in page and "Catatan rahasia tim" in page


# --- 6. The official national index ------------------------------------------------------


def test_a_province_admin_records_official_indices_of_its_kabupaten(client, world, year):
    client.force_login(world.admin_sulbar)
    url = reverse("official_index", args=["76"])
    form = {
        "pemda": world.polman.pk,
        "tahun": 2024,
        "indeks": "3,88",
        "predikat": "Sangat Baik",
        "peringkat": "",
        "peringkat_dari": "",
        "sumber": "Keputusan Menteri PANRB 2024",
    }
    assert client.post(url, form).status_code == 302
    record = OfficialIndex.objects.get(pemda=world.polman, tahun=2024)
    assert (record.indeks, record.updated_by) == (D("3.88"), world.admin_sulbar)
    assert ChangeLog.objects.filter(pemda=world.polman, field="indeks_resmi").count() == 1
    # Another province's kabupaten is not choosable; a kabupaten admin records its own only.
    assert client.post(url, form | {"pemda": world.gowa.pk}).status_code == 200
    assert not OfficialIndex.objects.filter(pemda=world.gowa).exists()
    assert list(official.recordable_pemdas(world.admin_polman)) == [world.polman]
    # An import: all rows or none.
    header = ",".join(official.HEADER)
    bad = f"{header}\n76,2024,3.70,Sangat Baik,18,38,KemenPANRB\n73.06,2024,3.1,,,,X\n"
    response = client.post(url, {"action": "import", "berkas": _upload(bad)})
    assert "Baris 3" in shown(response.content.decode(), "import-errors")
    assert not OfficialIndex.objects.filter(pemda=world.sulbar).exists()
    good = f'{header}\n76,2024,"3,70",Sangat Baik,18,38,KemenPANRB\n'
    assert client.post(url, {"action": "import", "berkas": _upload(good)}).status_code == 302
    assert OfficialIndex.objects.get(pemda=world.sulbar, tahun=2024).peringkat == 18
    # The kabupaten ranking shows it beside the internal figure, and says when missing.
    make_period(world.polman, 2024)
    make_period(world.majene, 2024)
    client.force_login(world.sekprov)
    page = client.get(reverse("kabupaten", args=["76"]) + "?tahun=2024").content.decode()
    assert sorted(texts(page, "official-cell")) == ["3,88 Sangat Baik", "belum dicatat"]


def _upload(text):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("resmi.csv", text.encode())


def test_the_dashboard_shows_the_official_index_or_says_it_is_missing(client, world, year):
    client.force_login(world.sekprov)
    page = client.get(reverse("dashboard", args=["76"]) + "?tahun=2024").content.decode()
    assert "belum dicatat" in shown(page, "official-index")
    official.record(
        world.admin_sulbar,
        official.Entry(world.sulbar, 2024, D("3.70"), "Sangat Baik", 18, 38, "KemenPANRB"),
    )
    page = client.get(reverse("dashboard", args=["76"]) + "?tahun=2024").content.decode()
    text = shown(page, "official-index")
    assert "3,70" in text and "peringkat 18 dari 38" in text


def test_an_opd_added_later_is_listed_as_in_progress_not_ranked(world, year):
    _final, running = year
    OPDFactory(pemda=world.sulbar, kode="BARU", aktif_dari=2025)
    from evaluations.services.periods import ensure_assessments

    ensure_assessments(running)
    recompute_period(running.pk)
    new = running.assessments.get(opd__kode="BARU")
    assert new.peringkat is None and new.status_nilai == FigureStatus.IN_PROGRESS
