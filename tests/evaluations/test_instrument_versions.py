"""Instrument versions in the app, values of the 2026 instrument through the pages, the
external values, the what-if page and command, and trends across an instrument change."""

import json
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from evaluations.models import (
    Assessment,
    ChangeLog,
    Indicator,
    Instrument,
    ItemScore,
    Period,
    Score,
)
from evaluations.services import crosswalks, imports
from evaluations.services import instrument_versions as versions
from evaluations.services.periods import open_period
from evaluations.services.recompute import recompute_period
from evaluations.services.reports import instrument_changes
from evaluations.services.scores import ScoreError
from tests.factories import make_period, opd_template, set_levels
from tests.html import text, texts

pytestmark = pytest.mark.django_db
D = Decimal
HTMX = {"HTTP_HX_REQUEST": "true"}


def national_2026():
    return Instrument.objects.get(kode="permenpanrb-8-2026")


def structure_form(instrument, **changes):
    """The structure page's fields as they stand, with `changes` (field: value)."""
    data = {}
    for aspect in instrument.aspects.all():
        data[f"aspek-{aspect.pk}-nama"] = aspect.nama
        data[f"aspek-{aspect.pk}-bobot"] = str(aspect.bobot).replace(".", ",")
    for indicator in instrument.indicators.all():
        data[f"indikator-{indicator.pk}-bobot"] = str(indicator.bobot).replace(".", ",")
    data.update(changes)
    return data


def test_a_pemda_admin_clones_edits_publishes_and_a_period_uses_it(client, world):
    client.force_login(world.admin_sulbar)
    response = client.post(
        reverse("instrument_action", args=["permenpanrb-8-2026"]),
        {"action": "clone", "nama": "Instrumen OPD Sulbar 2026"},
    )
    draft = Instrument.objects.get(nama="Instrumen OPD Sulbar 2026")
    assert response["Location"] == reverse("instrument_detail", args=[draft.kode])
    assert (draft.pemda, draft.status, draft.dasar.kode) == (
        world.sulbar,
        Instrument.Status.DRAFT,
        "permenpanrb-8-2026",
    )
    assert draft.indicators.count() == 20 and draft.nilai_desimal
    assert draft.indicators.get(kode="I5").sumber_eksternal  # the externals come along
    # A draft is no period's instrument.
    with pytest.raises(Exception, match="draf"):
        open_period(world.sulbar, 2026, draft)

    i1 = draft.indicators.get(kode="I1")
    url = reverse("instrument_structure", args=[draft.kode])
    # I1 5 → 4 (the sum is 99): refused with the reasons, nothing saved, what was typed kept.
    page = client.post(url, structure_form(draft, **{f"indikator-{i1.pk}-bobot": "4"}))
    error = text(page.content.decode(), "form-error")
    assert "99" in error and "Aspek 1" in error
    assert 'value="4"' in page.content.decode()
    i1.refresh_from_db()
    assert i1.bobot == D("5")
    # Fixed together with I2 (6): the aspect still weighs 10, the whole 100.
    i2 = draft.indicators.get(kode="I2")
    fixed = structure_form(
        draft, **{f"indikator-{i1.pk}-bobot": "4", f"indikator-{i2.pk}-bobot": "6"}
    )
    assert client.post(url, fixed).status_code == 302
    i1.refresh_from_db()
    assert i1.bobot == D("4")

    # Items for I1, edited on its page.
    client.post(
        reverse("instrument_indicator", args=[draft.kode, i1.nomor]),
        {
            "kode": "I1",
            "nama": i1.nama,
            "skala": "proses",
            "panduan_bukti": "",
            "sumber_eksternal": "",
            **{f"level-{n}-nama": c.nama for n, c in enumerate(i1.criteria.all(), start=1)},
            "butir-1-nama": "Kebijakan ditetapkan",
            "butir-1-bobot": "",
            "butir-2-nama": "Reviu berkala",
            "butir-2-bobot": "2",
        },
    )
    assert list(i1.items.values_list("nama", "bobot")) == [
        ("Kebijakan ditetapkan", None),
        ("Reviu berkala", D("2")),
    ]
    client.post(reverse("instrument_action", args=[draft.kode]), {"action": "publish"})
    draft.refresh_from_db()
    assert draft.is_published
    period = open_period(world.sulbar, 2026, draft, status=Period.Status.EVALUATION)
    # Published and used: frozen.
    with pytest.raises(ScoreError):
        versions.set_bands(world.admin_sulbar, draft.pk, [("Baik", D("2.5"))])
    with pytest.raises(ScoreError):
        versions.unpublish(world.admin_sulbar, draft.pk)
    assert period.assessments.get(opd=world.kominfo).scores.count() == 20


def test_instrument_pages_are_tenant_scoped_and_shipped_ones_read_only(client, world):
    draft = versions.clone(world.admin_sulbar, opd_template().pk, "Versi Sulbar")
    detail = reverse("instrument_detail", args=[draft.kode])
    for user in (world.admin_polman, world.admin_sulsel, world.operator_kominfo):
        client.force_login(user)
        assert client.get(detail).status_code == 404
        assert client.get(reverse("instrument_structure", args=[draft.kode])).status_code == 404
    client.force_login(world.evaluator_sulbar)  # reads, does not edit
    assert client.get(detail).status_code == 200
    assert client.get(reverse("instrument_structure", args=[draft.kode])).status_code == 404
    client.force_login(world.admin_sulbar)
    shipped = reverse("instrument_structure", args=["permenpanrb-8-2026"])
    assert client.get(shipped).status_code == 404  # the superuser's
    listing = client.get(reverse("instrument_list")).content.decode()
    assert "Versi Sulbar" in listing and "PermenPANRB No. 8 Tahun 2026" in listing
    client.force_login(world.admin_polman)
    assert "Versi Sulbar" not in client.get(reverse("instrument_list")).content.decode()


def test_publishing_is_refused_while_the_weights_do_not_add_up(world):
    draft = versions.clone(world.admin_sulbar, national_2026().pk, "Draf")
    aspect = draft.aspects.get(nomor=1)
    versions.add_indicator(world.admin_sulbar, aspect.pk, "Indikator tambahan", D("2"))
    with pytest.raises(ScoreError, match="102"):
        versions.publish(world.admin_sulbar, draft.pk)
    draft.refresh_from_db()
    assert not draft.is_published


@pytest.fixture
def year_2026(world):
    """Sulbar 2026 under evaluation on the province's own version of 8/2026, with three
    items on I1 (the middle one weighing 2) and document review ended."""
    draft = versions.clone(world.admin_sulbar, national_2026().pk, "OPD 2026")
    i1 = draft.indicators.get(kode="I1")
    versions.save_items(
        world.admin_sulbar, i1.pk, [("A", None, "", ""), ("B", D("2"), "", ""), ("C", None, "", "")]
    )
    versions.publish(world.admin_sulbar, draft.pk)
    period = make_period(world.sulbar, 2026, instrument=Instrument.objects.get(pk=draft.pk))
    return period


def test_the_evaluator_scores_items_and_decimals_and_the_figures_follow(
    client, world, year_2026, django_capture_on_commit_callbacks
):
    period = year_2026
    kominfo = period.assessments.get(opd=world.kominfo)
    # Every indicator but I1 at 3.00 (the externals entered at 3 too): I1 decides.
    for score in kominfo.scores.select_related("indicator").exclude(indicator__kode="I1"):
        score.level_evaluator = D("3")
        score.save()
    i1 = kominfo.scores.get(indicator__kode="I1")
    items = list(i1.indicator.items.order_by("nomor"))
    client.force_login(world.evaluator_sulbar)
    url = reverse("review_save", args=["76", "DISKOMINFO", i1.pk]) + "?tahun=2026"
    data = {"version": i1.version, "catatan": "", **{f"item-{it.pk}": "4" for it in items}}
    data[f"item-{items[2].pk}"] = "2"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, data, **HTMX)
    assert response.status_code == 200, response.content
    # (4×1 + 4×2 + 2×1) / 4 = 3.5
    i1.refresh_from_db()
    assert i1.level_evaluator == D("3.5")
    assert ItemScore.objects.filter(score=i1, level_evaluator__isnull=False).count() == 3
    assert "3,50" in text(response.content.decode(), "item-value")
    kominfo.refresh_from_db()
    # Index = 3 + (3.5 − 3) × 5 / 100 = 3.025.
    assert kominfo.indeks == D("3.025000") and kominfo.status_nilai == "sementara"
    # A decimal value typed with a comma; a third decimal is refused and changes nothing.
    i2 = kominfo.scores.get(indicator__kode="I2")
    url2 = reverse("review_save", args=["76", "DISKOMINFO", i2.pk]) + "?tahun=2026"
    refused = client.post(url2, {"version": i2.version, "level": "3,255"}, **HTMX)
    assert refused.status_code == 422 and "dua desimal" in refused.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url2, {"version": i2.version, "level": "4,26"}, **HTMX)
    i2.refresh_from_db()
    assert i2.level_evaluator == D("4.26")
    # The history reads in words, with the decimal comma.
    entry = ChangeLog.objects.filter(score=i2, field="level_evaluator").first()
    assert entry.new_value == "4.26"
    page = client.get(reverse("review", args=["76", "DISKOMINFO"]) + "?tahun=2026")
    assert "Tata Kelola Pemerintah Digital" in page.content.decode()
    assert texts(page.content.decode(), "item-value")[0].endswith("3,50")


def test_an_external_value_is_entered_recorded_and_counts(
    client, world, year_2026, django_capture_on_commit_callbacks
):
    period = year_2026
    kominfo = period.assessments.get(opd=world.kominfo)
    for score in kominfo.scores.select_related("indicator"):
        if not score.indicator.is_external and score.indicator.kode != "I1":
            score.level_evaluator = D("2")
            score.save()
    for row in kominfo.scores.get(indicator__kode="I1").item_scores.all():
        row.delete()
    i1 = kominfo.scores.get(indicator__kode="I1")
    i1.level_evaluator = D("2")
    i1.save()
    recompute_period(period.pk)
    kominfo.refresh_from_db()
    # I5, I6, I7, I18 wait (1.00 each): 2 − (5+3+3+3)/100 = 1.86.
    assert (kominfo.indeks, kominfo.menunggu_eksternal) == (D("1.860000"), 4)
    page = client.get(reverse("scorecard", args=["76", "DISKOMINFO"]) + "?tahun=2026")
    assert page.status_code == 302  # not logged in
    client.force_login(world.sekprov)
    scorecard = client.get(reverse("scorecard", args=["76", "DISKOMINFO"]) + "?tahun=2026")
    assert len(texts(scorecard.content.decode(), "external-waiting")) == 4

    i5 = kominfo.scores.get(indicator__kode="I5")
    url = reverse("external_value", args=["76", "DISKOMINFO", i5.pk]) + "?tahun=2026"
    client.force_login(world.operator_kominfo)
    assert client.post(url, {"nilai": "3", "tanggal": "2026-10-01"}).status_code == 404
    client.force_login(world.evaluator_sulbar)
    bad = client.post(url, {"nilai": "6", "skor": "75", "tanggal": "2026-10-01"}, **HTMX)
    assert bad.status_code == 422
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url, {"nilai": "3,00", "skor": "75,2", "tanggal": "2026-10-01"}, **HTMX
        )
    assert response.status_code == 200
    i5.refresh_from_db()
    assert (i5.level_evaluator, i5.level_mandiri, i5.eksternal_skor, i5.eksternal_oleh) == (
        D("3"),
        D("3"),
        "75,2",
        world.evaluator_sulbar,
    )
    assert str(i5.eksternal_tanggal) == "2026-10-01"
    kominfo.refresh_from_db()
    # + (3 − 1) × 5 / 100 = + 0.10
    assert (kominfo.indeks, kominfo.menunggu_eksternal) == (D("1.960000"), 3)
    log = ChangeLog.objects.get(score=i5, field="level_evaluator")
    assert "Skor Satu Data Indonesia" in log.reason and log.user == world.evaluator_sulbar
    # The import refuses external indicators (they are entered with their source).
    content = (",".join(imports.HEADER) + "\n76,DISKOMINFO,2026,I6,,3,\n").encode()
    result = imports.validate(world.evaluator_sulbar, content, "x.csv")
    assert "dinilai dari SJIG (BIG)" in result.errors[0].message


def test_the_import_reads_decimal_values_with_a_comma_or_a_point(world, year_2026):
    period = year_2026
    content = (
        ",".join(imports.HEADER) + '\n76,DISKOMINFO,2026,I2,,"1,26",\n76,BAPPEDA,2026,2,,1.17,\n'
    ).encode()
    result, summary = imports.import_file(world.evaluator_sulbar, content, "d.csv")
    assert result.is_valid, result.errors
    values = dict(
        Score.objects.filter(assessment__period=period, indicator__kode="I2").values_list(
            "assessment__opd__kode", "level_evaluator"
        )
    )
    assert values == {"DISKOMINFO": D("1.26"), "BAPPEDA": D("1.17")}
    items = (",".join(imports.HEADER) + "\n76,DISKOMINFO,2026,I1,,3,\n").encode()
    assert "butir" in imports.validate(world.evaluator_sulbar, items, "i.csv").errors[0].message


def test_the_what_if_page_projects_without_saving(client, world):
    period = make_period(world.sulbar, 2025, sanggahan_dibuka=timezone.now())
    set_levels(period.assessments.get(opd=world.kominfo), 2)  # 2,00: red
    set_levels(period.assessments.get(opd=world.bappeda), 3)
    recompute_period(period.pk)
    kominfo = period.assessments.get(opd=world.kominfo)
    before = list(Score.objects.values_list("level_evaluator", flat=True))
    url = reverse("simulation", args=["76", "DISKOMINFO"]) + "?tahun=2025"
    client.force_login(world.kepala_kominfo)
    page = client.get(url).content.decode()
    assert text(page, "sim-index") == "2,00" and "rank 2 of 2" not in page
    assert text(page, "sim-rank") == "peringkat 2 dari 2"
    # Everything at 4: 4,00, Sangat Baik, green, first.
    values = {f"nilai-{s.indicator_id}": "4" for s in kominfo.scores.all()}
    result = client.post(url, values, **HTMX).content.decode()
    assert text(result, "sim-index") == "4,00"
    assert "Sangat Baik" in text(result, "sim-predikat")
    assert text(result, "sim-rank") == "peringkat 1 dari 2"
    assert "saat ini 2,00" in text(result, "sim-now")
    # Bad input is named, nothing saved.
    bad = client.post(url, {**values, next(iter(values)): "7"}, **HTMX).content.decode()
    assert text(bad, "sim-errors") and 'data-testid="sim-index"' not in bad
    assert list(Score.objects.values_list("level_evaluator", flat=True)) == before
    # Another OPD's head: 404.
    client.force_login(world.kepala_polman_dinkes)
    assert client.get(url).status_code == 404


@pytest.mark.parametrize("code", ["opd-25-template", "permenpanrb-59-2020", "permenpanrb-8-2026"])
def test_simulate_index_works_on_every_shipped_instrument(tmp_path, code, db):
    instrument = Instrument.objects.get(kode=code)
    path = tmp_path / "nilai.csv"
    rows = ["nomor_indikator,nilai"] + [
        f"{i.nomor},3" for i in instrument.indicators.all() if not i.is_external
    ]
    path.write_text("\n".join(rows) + "\n")
    out, err = StringIO(), StringIO()
    call_command("simulate_index", str(path), instrument=code, stdout=out, stderr=err)
    result = json.loads(out.getvalue().strip().splitlines()[-1])
    if code == "permenpanrb-8-2026":
        # The 4 externals (weights 5+3+3+3) count 1.00: 3 − 2 × 14 / 100 = 2.72.
        assert result["indeks_bulat"] == "2.72" and result["predikat"] == "Baik"
        assert "I5: waiting for" in err.getvalue()
        # Aspect 3: I5, I6, I7 wait (1.00), I8 at 3: (5 + 3 + 3 + 12) / 15 = 1.53.
        assert len(result["aspek"]) == 7 and result["aspek"]["3"] == "1.53"
    else:
        assert result == {
            "indeks": "3",
            "indeks_bulat": "3.00",
            "predikat": "Baik",
            "aspek": {str(a.nomor): "3.00" for a in instrument.aspects.all()},
        }


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("nomor,nilai\n1,3\n", "header"),
        ("nomor_indikator,nilai\n99,3\n", "not in"),
        ("nomor_indikator,nilai\n1,3\n1,4\n", "twice"),
        ("nomor_indikator,nilai\n1,6\n", "not a value"),
        ("nomor_indikator,nilai\n1,2.555\n", "not a value"),
    ],
)
def test_simulate_index_refuses_bad_files(tmp_path, content, message, db):
    path = tmp_path / "x.csv"
    path.write_text(content)
    with pytest.raises(CommandError, match=message):
        call_command("simulate_index", str(path), instrument="permenpanrb-8-2026")
    with pytest.raises(CommandError, match="Unknown instrument"):
        call_command("simulate_index", str(path), instrument="nope")


def test_simulate_index_without_every_indicator_says_there_is_no_index(tmp_path, db):
    path = tmp_path / "x.csv"
    path.write_text("nomor_indikator,nilai\n1,3\n")
    out, err = StringIO(), StringIO()
    call_command("simulate_index", str(path), instrument="opd-25-template", stdout=out, stderr=err)
    assert json.loads(out.getvalue().strip())["indeks"] is None
    assert "2: not in the file, not filled" in err.getvalue()
    assert "there is no index" in err.getvalue()


def test_the_trend_across_an_instrument_change_breaks_without_a_crosswalk(client, world):
    old = make_period(world.sulbar, 2025, status=Period.Status.FINAL)
    set_levels(old.assessments.get(opd=world.kominfo), 3)
    set_levels(old.assessments.get(opd=world.bappeda), 3)
    new = make_period(world.sulbar, 2026, instrument=national_2026())
    for assessment in new.assessments.all():
        assessment.scores.update(level_evaluator=D("2.5"))
    for period in (old, new):
        recompute_period(period.pk)
    assert instrument_changes([old.instrument_id, new.instrument_id], world.sekprov) == [
        (1, crosswalks.BREAK)
    ]
    client.force_login(world.sekprov)
    page = client.get(reverse("dashboard", args=["76"]) + "?tahun=2026").content.decode()
    trend = _chart(page, "chart-trend-data")
    lines = [t for t in trend["data"] if t["type"] == "scatter"]
    assert [line["x"] for line in lines] == [["2025"], ["2026"]]  # not joined
    assert "tidak sebanding" in json.dumps(trend["layout"]["annotations"])
    assert "Tidak dibandingkan" in text(page, "comparison")

    template = old.instrument
    crosswalks.declare(
        world.admin_sulbar,
        template.pk,
        new.instrument_id,
        {a.pk: national_2026().aspects.get(nomor=1).pk for a in template.aspects.all()},
    )
    page = client.get(reverse("dashboard", args=["76"]) + "?tahun=2026").content.decode()
    trend = _chart(page, "chart-trend-data")
    lines = [t for t in trend["data"] if t["type"] == "scatter"]
    assert [line["x"] for line in lines] == [["2025", "2026"]]  # joined, with the mark
    assert "crosswalk" in json.dumps(trend["layout"]["annotations"])
    # The scorecard's trend follows the same rule.
    scorecard = client.get(reverse("scorecard", args=["76", "DISKOMINFO"])).content.decode()
    assert [t["x"] for t in _chart(scorecard, "chart-opd-trend-data")["data"]] == [["2025", "2026"]]


def _chart(page, name):
    import re

    match = re.search(rf'<script id="{name}" type="application/json">(.*?)</script>', page, re.S)
    return json.loads(match.group(1))


def test_no_domains_means_aspects_on_the_pages_and_in_the_export(client, world):
    period = make_period(world.sulbar, 2026, instrument=national_2026())
    for assessment in period.assessments.all():
        assessment.scores.filter(indicator__nilai_bawaan__isnull=True).update(
            level_evaluator=D("2.5")
        )
    recompute_period(period.pk)
    from evaluations.services import exports

    columns, rows = exports.result_table(period)
    assert [c for c in columns if c.startswith("aspek_")] == [f"aspek_{n}" for n in range(1, 8)]
    assert not [c for c in columns if c.startswith("domain_")]
    # Externals wait: 2.5 everywhere else, 1.00 there: 2.5 − 1.5 × 14 / 100 = 2.29.
    assert rows[0]["indeks"] == D("2.29") and rows[0]["indikator_5"] == D("1.00")
    client.force_login(world.sekprov)
    page = client.get(reverse("opd_detail", args=["76", "DISKOMINFO"]) + "?tahun=2026")
    html = page.content.decode()
    assert "Kepuasan Pengguna Layanan Digital Pemerintah" in html and "I20" in html
    assert Assessment.objects.get(period=period, opd=world.kominfo).indeks_domain == {}
    assert Indicator.objects.filter(instrument=period.instrument, kode="I18").exists()


def test_external_values_come_in_from_a_file_all_or_none(
    client, world, year_2026, django_capture_on_commit_callbacks
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from evaluations.services import external_values

    header = ",".join(external_values.HEADER)
    bad = f'{header}\n76,DISKOMINFO,2026,I5,"2,75",81,2026-10-01\n76,DISKOMINFO,2026,I2,3,,2026-10-01\n'
    client.force_login(world.evaluator_sulbar)
    response = client.post(
        reverse("import_scores"),
        {"action": "external", "berkas_eksternal": SimpleUploadedFile("e.csv", bad.encode())},
    )
    assert "Baris 3" in text(response.content.decode(), "external-errors")
    assert not Score.objects.filter(level_evaluator__isnull=False).exists()
    good = (
        f'{header}\n76,DISKOMINFO,2026,I5,"2,75",81,2026-10-01\n76,BAPPEDA,2026,6,3,,01-10-2026\n'
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("import_scores"),
            {"action": "external", "berkas_eksternal": SimpleUploadedFile("e.csv", good.encode())},
        )
    assert response.status_code == 302
    entered = dict(
        Score.objects.filter(level_evaluator__isnull=False).values_list(
            "indicator__kode", "level_evaluator"
        )
    )
    assert entered == {"I5": D("2.75"), "I6": D("3")}
    assert ChangeLog.objects.filter(field="eksternal_skor", new_value="81").exists()
    # Another pemda's evaluator: unknown or not theirs, nothing entered.
    rows, errors = external_values.read(world.evaluator_polman, good.encode(), "e.csv")
    assert errors and all(
        "bukan milik Anda" in e.message or "not yours" in e.message for e in errors
    )


def test_the_opd_fills_items_and_its_value_follows(
    client, world, django_capture_on_commit_callbacks
):
    draft = versions.clone(world.admin_sulbar, national_2026().pk, "Versi butir")
    i13 = draft.indicators.get(kode="I13")
    versions.save_items(world.admin_sulbar, i13.pk, [("A", None, "", ""), ("B", None, "", "")])
    versions.publish(world.admin_sulbar, draft.pk)
    period = make_period(
        world.sulbar,
        2026,
        instrument=Instrument.objects.get(pk=draft.pk),
        status=Period.Status.SELF_ASSESSMENT,
    )
    score = period.assessments.get(opd=world.kominfo).scores.get(indicator__kode="I13")
    a, b = score.indicator.items.order_by("nomor")
    client.force_login(world.operator_kominfo)
    url = reverse("self_assessment_save", args=["76", "DISKOMINFO", score.pk]) + "?tahun=2026"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url, {"version": score.version, f"item-{a.pk}": "3", f"item-{b.pk}": "4"}, **HTMX
        )
    assert response.status_code == 200
    score.refresh_from_db()
    assert score.level_mandiri == D("3.5") and score.level_evaluator is None
    page = client.get(reverse("self_assessment", args=["76", "DISKOMINFO"]) + "?tahun=2026")
    html = page.content.decode()
    assert "3,50" in text(html, "item-value")
    # The external indicators are not the OPD's to fill: shown as waiting, no form.
    assert len(texts(html, "external-waiting")) == 4
    assert 'data-testid="external-form"' not in html
