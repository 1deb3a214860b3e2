"""Importing levels from CSV/XLSX: every row valid or nothing written, clear row errors,
tenancy, the command and the two-step browser page."""

import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.utils import translation
from openpyxl import Workbook

from evaluations.models import Assessment, ChangeLog, Period, Score, StageReview
from evaluations.services import imports
from tests.factories import make_period

pytestmark = pytest.mark.django_db

HEADER = "kode_pemda,kode_opd,tahun,nomor_indikator,level_mandiri,level_evaluator,catatan"


def csv_bytes(*rows, header=HEADER):
    return ("\n".join([header, *rows]) + "\n").encode()


def xlsx_bytes(rows, header=HEADER):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(header.split(","))
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def snapshot():
    """Everything an import could write."""
    return (
        ChangeLog.objects.count(),
        StageReview.objects.count(),
        list(
            Score.objects.order_by("pk").values_list(
                "pk", "level_mandiri", "level_evaluator", "catatan_evaluator", "version"
            )
        ),
    )


def errors_by_row(result):
    found = {}
    for error in result.errors:
        found.setdefault(error.row, set()).add(error.column)
    return found


@pytest.fixture
def periods(world):
    return {
        "sulbar": make_period(world.sulbar, 2024),
        "sulbar_final": make_period(world.sulbar, 2023, status=Period.Status.FINAL),
        "polman": make_period(world.polman, 2024),
    }


def test_one_bad_row_writes_nothing(world, periods):
    before = snapshot()
    content = csv_bytes(
        "76,DISKOMINFO,2024,1,,4,ok",
        "76,DISKOMINFO,2024,2,,4,",
        "76,BAPPEDA,2024,3,,6,too high",
        "76,BAPPEDA,2024,4,,2,",
    )
    result, summary = imports.import_file(world.evaluator_sulbar, content, "nilai.csv")
    assert summary is None and not result.is_valid
    assert errors_by_row(result) == {4: {"level_evaluator"}}
    assert snapshot() == before
    # apply() itself refuses an invalid batch.
    with pytest.raises(imports.InvalidImport):
        imports.apply(world.evaluator_sulbar, result)
    assert snapshot() == before


def test_each_row_error_has_its_row_and_column(world, periods):
    content = csv_bytes(
        "99,DISKOMINFO,2024,1,,3,",  # 2 unknown pemda
        "76.02,DINKES,2024,1,,3,",  # 3 a kabupaten the province evaluator may not write
        "76,NOPE,2024,1,,3,",  # 4 unknown OPD
        "76,DISKOMINFO,2019,1,,3,",  # 5 no period that year
        "76,DISKOMINFO,2024,26,,3,",  # 6 indicator outside the instrument
        "76,DISKOMINFO,2024,1,abc,,",  # 7 not a number
        "76,DISKOMINFO,2024,2,,0,",  # 8 below 1
        "76,DISKOMINFO,2024,3,6,,",  # 9 above 5
        "76,DISKOMINFO,2024,4,,3.5,",  # 10 not whole
        "76,DISKOMINFO,2023,1,,3,",  # 11 final period
        "76,DISKOMINFO,2024,5,,3,",  # 12 fine
        "76,DISKOMINFO,2024,5,,4,",  # 13 duplicate of 12
        "76,,x,,,,",  # 14 missing OPD and indicator, bad year
        "73.06,NOPE,2024,1,,3,",  # 15 another province: refused before any OPD lookup
        ",,,,,,",  # blank: skipped
        "76,BAPPEDA,2024,1,,3,",  # 17 fine (row numbers follow the file)
        "76,BAPPEDA,2024,2,3,,",  # 18 a self-assessed level from the evaluators' import
    )
    result = imports.validate(world.evaluator_sulbar, content, "nilai.csv")
    assert errors_by_row(result) == {
        2: {"kode_pemda"},
        3: {"kode_pemda"},
        4: {"kode_opd"},
        5: {"tahun"},
        6: {"nomor_indikator"},
        7: {"level_mandiri"},
        8: {"level_evaluator"},
        9: {"level_mandiri"},
        10: {"level_evaluator"},
        11: {"tahun"},
        13: {"nomor_indikator"},
        14: {"kode_opd", "nomor_indikator", "tahun"},
        15: {"kode_pemda"},
        18: {"level_mandiri"},
    }
    assert [row.number for row in result.rows][-1] == 18
    messages = {e.row: e.message for e in result.errors}
    # Which pemda codes and OPDs exist elsewhere is not revealed: an unknown pemda, one
    # the user may not write and one of another province read the same.
    assert messages[2] == messages[3] == messages[15]
    with translation.override("en"):
        english = imports.validate(world.evaluator_sulbar, content, "nilai.csv")
        text = {e.row: e.message for e in english.errors}
    assert "Unknown regional government code, or not one whose scores you change" in text[2]
    assert "Unknown OPD" in text[4]
    assert "no evaluation period" in text[5]
    assert "Indicator 26 is not in this period's instrument (1–25)" in text[6]
    assert "whole number from 1 to 5" in text[7]
    assert "final" in text[11]
    assert "Duplicate of row 12" in text[13]
    assert "Self-assessed levels come from the OPD" in text[18]


@pytest.mark.parametrize(
    ("content", "filename", "row"),
    [
        (b"", "kosong.csv", 0),
        (HEADER.encode() + b"\n", "header-only.csv", 0),
        (b"76,DISKOMINFO,2024,1,,3,\n", "no-header.csv", 1),
        (csv_bytes("76,DISKOMINFO,2024,1,,3", header=HEADER.rsplit(",", 1)[0]), "x.csv", 1),
        (b"PK\x03\x04 broken workbook", "nilai.xlsx", 0),
        (b"\x00\x01\x02binary", "nilai.csv", 0),
        (b"not a workbook", "nilai.xlsx", 0),
    ],
)
def test_file_level_errors(world, periods, content, filename, row):
    result = imports.validate(world.evaluator_sulbar, content, filename)
    assert not result.is_valid and not result.rows
    assert [e.row for e in result.file_errors] == [row]


def test_valid_csv_applies_through_the_score_service(
    world, periods, django_capture_on_commit_callbacks
):
    kominfo = Assessment.objects.get(period=periods["sulbar"], opd=world.kominfo)
    kominfo.scores.update(level_mandiri=3)  # what the OPD filled
    rows = [f"76,DISKOMINFO,2024,{n},3,4,catatan {n}" for n in range(1, 26)]
    rows.append("76,BAPPEDA,2024,1,,,ignored without an evaluator level")
    logs = ChangeLog.objects.count()
    with django_capture_on_commit_callbacks(execute=True):
        result, summary = imports.import_file(world.evaluator_sulbar, csv_bytes(*rows), "a.csv")
    assert result.is_valid, result.errors
    assert summary.rows == 26 and summary.scores_changed == 25
    kominfo.refresh_from_db()
    assert kominfo.indeks_bulat == Decimal("4.00") and not kominfo.is_stale
    score = kominfo.scores.get(indicator__nomor=7)
    assert (score.level_mandiri, score.level_evaluator, score.catatan_evaluator) == (
        3,
        4,
        "catatan 7",
    )
    assert score.version == 2 and score.updated_by == world.evaluator_sulbar
    review = StageReview.objects.get(score=score)
    assert (review.tahap, review.level, review.dinilai_oleh) == (
        "dokumen",
        4,
        world.evaluator_sulbar,
    )
    bappeda = periods["sulbar"].assessments.get(opd=world.bappeda).scores.get(indicator__nomor=1)
    assert (bappeda.level_mandiri, bappeda.level_evaluator) == (None, None)
    # 25 scores × 2 fields (level, note); the self-assessed levels are untouched.
    assert ChangeLog.objects.count() - logs == 50
    assert set(ChangeLog.objects.values_list("field", flat=True)) == {
        "level_evaluator",
        "catatan_evaluator",
    }


def test_the_evaluators_import_never_changes_a_self_assessed_level(world, periods):
    # The OPD's head submitted 3; an evaluator's file says 1: refused, nothing written.
    kominfo = periods["sulbar"].assessments.get(opd=world.kominfo)
    kominfo.scores.update(level_mandiri=3)
    Assessment.objects.filter(pk=kominfo.pk).update(status_mandiri="diajukan")
    before = snapshot()
    result, summary = imports.import_file(
        world.evaluator_sulbar, csv_bytes("76,DISKOMINFO,2024,1,1,,"), "x.csv"
    )
    assert summary is None and errors_by_row(result) == {2: {"level_mandiri"}}
    # Not even the administrator, on the OPD's behalf, after submission.
    result, summary = imports.import_file(
        world.admin_sulbar, csv_bytes("76,DISKOMINFO,2024,1,1,,"), "x.csv", mode=imports.SELF
    )
    assert summary is None and errors_by_row(result) == {2: {"level_mandiri"}}
    assert snapshot() == before
    assert Assessment.objects.get(pk=kominfo.pk).status_mandiri == "diajukan"


def test_the_administrator_imports_self_levels_on_the_opds_behalf_recorded_as_such(world, periods):
    periods["sulbar"].status = Period.Status.SELF_ASSESSMENT
    periods["sulbar"].save()
    content = csv_bytes("76,DISKOMINFO,2024,1,3,,", "76,DISKOMINFO,2024,2,4,,")
    # An evaluator may not; nor may the file carry evaluator levels in this mode.
    refused = imports.validate(world.evaluator_sulbar, content, "m.csv", mode=imports.SELF)
    assert refused.file_errors
    mixed = imports.validate(
        world.admin_sulbar, csv_bytes("76,DISKOMINFO,2024,1,3,4,"), "m.csv", mode=imports.SELF
    )
    assert errors_by_row(mixed) == {2: {"level_evaluator"}}
    result, summary = imports.import_file(world.admin_sulbar, content, "m.csv", mode=imports.SELF)
    assert result.is_valid and summary.scores_changed == 2
    logs = ChangeLog.objects.filter(field="level_mandiri")
    assert logs.count() == 2
    assert {log.user for log in logs} == {world.admin_sulbar}
    assert all("atas nama OPD" in log.reason for log in logs)


@pytest.mark.parametrize("username", ["admin_sulsel", "evaluator_polman", "evaluator_sulbar"])
def test_other_pemda_cannot_import(world, periods, username):
    """Sulsel and Polewali Mandar staff cannot write Sulbar; the province's evaluator
    cannot write its kabupaten."""
    user = getattr(world, username)
    target = "76.02" if username == "evaluator_sulbar" else "76"
    opd = "DINKES" if target == "76.02" else "DISKOMINFO"
    before = snapshot()
    result, summary = imports.import_file(user, csv_bytes(f"{target},{opd},2024,1,,3,"), "c.csv")
    assert summary is None and errors_by_row(result) == {2: {"kode_pemda"}}
    assert snapshot() == before


def test_opd_roles_and_leadership_cannot_import(world, periods):
    for user in (world.operator_kominfo, world.sekprov):
        result = imports.validate(user, csv_bytes("76,DISKOMINFO,2024,1,,3,"), "d.csv")
        assert not result.is_valid and result.file_errors


def test_evaluator_levels_need_the_evaluation_stage(world, periods):
    periods["sulbar"].status = Period.Status.SELF_ASSESSMENT
    periods["sulbar"].save()
    result = imports.validate(world.admin_sulbar, csv_bytes("76,DISKOMINFO,2024,1,,4,"), "e.csv")
    assert errors_by_row(result) == {2: {"level_evaluator"}}


def test_semicolon_csv_and_float_cells_are_read(world, periods):
    content = HEADER.replace(",", ";").encode() + b"\n76;DISKOMINFO;2024;1;;4;x\n"
    assert imports.validate(world.evaluator_sulbar, content, "f.csv").is_valid
    result = imports.validate(
        world.evaluator_polman,
        xlsx_bytes([[76.02, "DINKES", 2024.0, 1.0, None, 3.0, None]]),
        "g.xlsx",
    )
    assert result.is_valid, result.errors


def test_command_exits_non_zero_and_writes_nothing_on_errors(world, periods, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_bytes(csv_bytes("76,DISKOMINFO,2024,1,,4,", "76,DISKOMINFO,2024,99,,4,"))
    before = snapshot()
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import_scores", str(bad), user="evaluator.sulbar", stderr=err)
    assert "row 3 [nomor_indikator]" in err.getvalue()
    assert snapshot() == before
    with pytest.raises(CommandError):
        call_command("import_scores", str(bad), user="nobody")


def test_command_dry_run_then_apply(world, periods, tmp_path, django_capture_on_commit_callbacks):
    good = tmp_path / "good.csv"
    good.write_bytes(csv_bytes("76,DISKOMINFO,2024,1,,4,baik"))
    before = snapshot()
    out = io.StringIO()
    call_command("import_scores", str(good), user="evaluator.sulbar", dry_run=True, stdout=out)
    assert "1 rows are valid" in out.getvalue() and snapshot() == before
    with django_capture_on_commit_callbacks(execute=True):
        call_command("import_scores", str(good), user="evaluator.sulbar", stdout=out)
    score = Score.objects.get(
        assessment__period=periods["sulbar"], assessment__opd=world.kominfo, indicator__nomor=1
    )
    assert (score.level_mandiri, score.level_evaluator, score.catatan_evaluator) == (
        None,
        4,
        "baik",
    )
    # Without --user: any pemda, but evaluator levels need a user to be recorded for.
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import_scores", str(good), stderr=err)
    assert "row 2 [level_evaluator]" in err.getvalue()


# --- The browser ------------------------------------------------------------------------


URL = "/impor/"


def upload(client, content, name="nilai.csv"):
    return client.post(URL, {"berkas": SimpleUploadedFile(name, content)})


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def test_page_access(client, world, media):
    assert client.get(URL).status_code == 302
    client.force_login(world.operator_kominfo)
    assert client.get(URL).status_code == 404
    client.force_login(world.evaluator_sulbar)
    assert client.get(URL).status_code == 200


def test_browser_preview_then_confirm(
    client, world, periods, media, django_capture_on_commit_callbacks
):
    client.force_login(world.evaluator_sulbar)
    before = snapshot()
    response = upload(client, csv_bytes("76,DISKOMINFO,2024,1,,4,", "76,DISKOMINFO,2024,1,x,,"))
    page = response.content.decode()
    assert response.status_code == 200 and response.context["token"] is None
    assert 'data-row="3"' in page and 'data-column="level_mandiri"' in page
    assert 'name="token"' not in page and snapshot() == before

    response = upload(client, csv_bytes("76,DISKOMINFO,2024,1,,4,baik", "76,BAPPEDA,2024,2,,2,"))
    token = response.context["token"]
    assert token and 'name="token"' in response.content.decode() and snapshot() == before
    assert (media / "imports" / f"{token}.upload").exists()

    # Another user's session cannot confirm it.
    other = client.__class__()
    other.force_login(world.admin_sulbar)
    other.post(URL, {"token": token})
    assert snapshot() == before

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(URL, {"token": token})
    assert response.status_code == 302
    assert Score.objects.filter(level_evaluator=4, catatan_evaluator="baik").count() == 1
    assert not (media / "imports" / f"{token}.upload").exists()
    # A second confirm of the same token does nothing.
    logs = ChangeLog.objects.count()
    client.post(URL, {"token": token})
    assert ChangeLog.objects.count() == logs


def test_confirm_revalidates(client, world, periods, media):
    client.force_login(world.evaluator_sulbar)
    token = upload(client, csv_bytes("76,DISKOMINFO,2024,1,,4,")).context["token"]
    periods["sulbar"].status = Period.Status.FINAL
    periods["sulbar"].save()
    before = snapshot()
    response = client.post(URL, {"token": token})
    assert response.status_code == 200 and not response.context["result"].is_valid
    assert snapshot() == before


def test_template_round_trip(client, world, periods, media):
    kominfo = periods["sulbar"].assessments.get(opd=world.kominfo)
    kominfo.scores.filter(indicator__nomor=3).update(level_evaluator=2, catatan_evaluator="a, b")
    client.force_login(world.evaluator_sulbar)
    assert 2024 in client.get(URL).context["years"]
    header_only = client.get(URL, {"templat": 1}).content.decode("utf-8-sig")
    assert header_only.strip() == HEADER
    content = client.get(URL, {"templat": 1, "tahun": 2024}).content
    lines = content.decode("utf-8-sig").strip().splitlines()
    assert len(lines) == 1 + 2 * 25 and '76,DISKOMINFO,2024,3,,2,"a, b"' in lines
    before = snapshot()
    result, summary = imports.import_file(world.evaluator_sulbar, content, "templat.csv")
    assert result.is_valid and summary.rows == 50 and summary.scores_changed == 0
    assert snapshot() == before  # nothing written, not even a stage review
