"""Sanggahan: the OPD contests within the window, the evaluator accepts or rejects,
unanswered appeals block finalisation, tenants are kept apart, a final period refuses."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone, translation

from evaluations.models import Appeal, Assessment, ChangeLog, Evidence, Period, Stage, StageReview
from evaluations.services import appeals, scores
from evaluations.services.recompute import recompute_period
from tests.factories import Role, make_period, make_user, set_levels

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def period(world):
    """Sulbar 2024 under evaluation, every indicator of every OPD at 3 from the
    evaluators; document review ended a day ago (3-day window)."""
    period = make_period(world.sulbar, 2024)
    for assessment in period.assessments.all():
        set_levels(assessment, 3)
    recompute_period(period.id)
    period.tahap = Stage.INTERVIU
    period.sanggahan_dibuka = timezone.now() - timedelta(days=1)
    period.save()
    return period


def score_of(period, opd, nomor):
    return period.assessments.get(opd=opd).scores.get(indicator__nomor=nomor)


def opd_url(opd):
    return reverse("appeal_opd", args=[opd.pemda.kode, opd.kode]) + "?tahun=2024"


def list_url(pemda, **query):
    from urllib.parse import urlencode

    return reverse("appeal_list", args=[pemda.kode]) + "?" + urlencode({"tahun": 2024, **query})


def decide_url(appeal):
    return reverse("appeal_decide", args=["76", appeal.pk]) + "?tahun=2024"


def test_appeal_accepted_changes_the_level_with_history(
    client, world, period, django_capture_on_commit_callbacks
):
    score = score_of(period, world.kominfo, 5)
    client.force_login(world.operator_kominfo)
    page = client.get(opd_url(world.kominfo))
    assert page.status_code == 200 and page.context["window"] == "open"
    pdf = SimpleUploadedFile("SK Tim.pdf", b"%PDF-1.4\n% bukti\n", content_type="application/pdf")
    response = client.post(
        opd_url(world.kominfo),
        {
            "score": score.pk,
            "argumen": "Dokumen arsitektur sudah ditetapkan.",
            "level": "4",
            "tautan": "https://kominfo.sulbarprov.go.id/arsitektur",
            "berkas": pdf,
        },
    )
    assert response.status_code == 302
    appeal = Appeal.objects.get(score=score)
    assert (appeal.status, appeal.level_diminta, appeal.diajukan_oleh) == (
        "diajukan",
        4,
        world.operator_kominfo,
    )
    assert sorted(Evidence.objects.filter(appeal=appeal).values_list("jenis", flat=True)) == [
        "file",
        "link",
    ]
    # One open appeal per indicator.
    with pytest.raises(scores.ScoreError):
        appeals.file_appeal(world.kepala_kominfo, score.pk, "lagi")

    client.force_login(world.evaluator_sulbar)
    listing = client.get(list_url(world.sulbar, status="open"))
    assert [a.pk for a in listing.context["appeals"]] == [appeal.pk]
    assert listing.context["may_decide"]
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            decide_url(appeal), {"decision": "accept", "level": "4", "alasan": "Terbukti."}
        )
    assert response.status_code == 302
    appeal.refresh_from_db()
    score.refresh_from_db()
    assert (appeal.status, appeal.level_baru, appeal.diputus_oleh) == (
        "diterima",
        4,
        world.evaluator_sulbar,
    )
    assert score.level_evaluator == 4
    review = StageReview.objects.get(score=score, tahap=Stage.INTERVIU)
    assert (review.level, review.dinilai_oleh) == (4, world.evaluator_sulbar)
    history = list(
        ChangeLog.objects.filter(score=score)
        .order_by("id")
        .values_list("field", "old_value", "new_value")
    )
    assert ("sanggahan", "", "diajukan") in history
    assert ("level_evaluator", "3", "4") in history
    assert ("sanggahan", "diajukan", "diterima") in history
    assert [f for f, _o, _n in history].count("bukti") == 2
    # Indicator 5 weighs 2.5%: 3 + 2.5% = 3.025 → 3.03.
    kominfo = Assessment.objects.get(pk=score.assessment_id)
    assert kominfo.indeks_bulat == Decimal("3.03")
    # Decided: neither decision can be taken again, and a new appeal may be filed.
    with pytest.raises(scores.ScoreError):
        appeals.reject_appeal(world.evaluator_sulbar, appeal.pk, "tidak")
    appeals.file_appeal(world.kepala_kominfo, score.pk, "Minta level 5", level=5)


def test_reject_needs_a_reason(client, world, period):
    score = score_of(period, world.kominfo, 2)
    appeal = appeals.file_appeal(world.kepala_kominfo, score.pk, "Sudah ada.")
    client.force_login(world.evaluator_sulbar)
    client.post(decide_url(appeal), {"decision": "reject", "alasan": "  "})
    appeal.refresh_from_db()
    assert appeal.status == "diajukan"
    with pytest.raises(scores.ScoreError):
        appeals.reject_appeal(world.evaluator_sulbar, appeal.pk, "")
    with pytest.raises(scores.ScoreError):  # accept needs a valid level
        appeals.accept_appeal(world.evaluator_sulbar, appeal.pk, "6")
    client.post(decide_url(appeal), {"decision": "reject", "alasan": "Bukti tidak relevan."})
    appeal.refresh_from_db()
    score.refresh_from_db()
    assert (appeal.status, appeal.alasan, score.level_evaluator) == (
        "ditolak",
        "Bukti tidak relevan.",
        3,
    )
    assert ChangeLog.objects.filter(
        score=score, field="sanggahan", new_value="ditolak", reason="Bukti tidak relevan."
    ).exists()


def test_filing_rules(world, period):
    score = score_of(period, world.kominfo, 1)
    with translation.override("en"):
        with pytest.raises(scores.ScoreError, match="Explain"):
            appeals.file_appeal(world.operator_kominfo, score.pk, "   ")
        with pytest.raises(scores.ScoreError, match="1 to 5"):
            appeals.file_appeal(world.operator_kominfo, score.pk, "x", level="0")
        with pytest.raises(scores.ScoreError, match="Only the OPD"):
            appeals.file_appeal(world.admin_sulbar, score.pk, "x")
    # Evidence refused (a program renamed .pdf): the whole appeal is refused.
    program = SimpleUploadedFile("bukti.pdf", b"MZ\x90\x00program")
    with pytest.raises(scores.ScoreError):
        appeals.file_appeal(world.operator_kominfo, score.pk, "x", files=[program])
    # Before document review ends: no appeals.
    period.sanggahan_dibuka = None
    period.save()
    with pytest.raises(scores.ScoreError):
        appeals.file_appeal(world.operator_kominfo, score.pk, "x")
    assert not Appeal.objects.exists()


def test_no_new_appeal_after_the_window(client, world, period):
    period.sanggahan_dibuka = timezone.now() - timedelta(days=3, minutes=1)
    period.save()
    score = score_of(period, world.kominfo, 1)
    with pytest.raises(scores.ScoreError):
        appeals.file_appeal(world.operator_kominfo, score.pk, "Terlambat")
    client.force_login(world.operator_kominfo)
    page = client.get(opd_url(world.kominfo))
    assert page.context["window"] == "closed" and not page.context["can_file"]
    response = client.post(opd_url(world.kominfo), {"score": score.pk, "argumen": "Terlambat"})
    assert response.status_code == 400
    assert not Appeal.objects.exists()


def test_other_tenants_and_other_opds_get_404(client, world, period):
    kominfo_score = score_of(period, world.kominfo, 1)
    operator_bappeda = make_user(Role.OPERATOR_OPD, world.sulbar, world.bappeda)
    client.force_login(operator_bappeda)
    assert client.get(opd_url(world.kominfo)).status_code == 404
    response = client.post(opd_url(world.kominfo), {"score": kominfo_score.pk, "argumen": "x"})
    assert response.status_code == 404
    # Its own page cannot carry another OPD's score either.
    response = client.post(opd_url(world.bappeda), {"score": kominfo_score.pk, "argumen": "x"})
    assert response.status_code == 404
    assert client.get(opd_url(world.bappeda)).status_code == 200

    appeal = appeals.file_appeal(world.operator_kominfo, kominfo_score.pk, "Sudah ada.")
    for user in (world.kepala_polman_dinkes, world.admin_sulsel, world.evaluator_gowa):
        client.force_login(user)
        assert client.get(opd_url(world.kominfo)).status_code == 404
        assert client.get(list_url(world.sulbar)).status_code == 404
        assert (
            client.post(decide_url(appeal), {"decision": "reject", "alasan": "x"}).status_code
            == 404
        )
    # A kabupaten evaluator cannot decide the province's appeals, nor a province's
    # evaluator those of its kabupaten (it sees them read-only).
    with pytest.raises(Appeal.DoesNotExist):
        appeals.reject_appeal(world.evaluator_polman, appeal.pk, "x")
    client.logout()
    for url in (opd_url(world.kominfo), list_url(world.sulbar)):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    appeal.refresh_from_db()
    assert appeal.status == "diajukan"


def test_province_evaluator_sees_kabupaten_appeals_read_only(client, world):
    polman = make_period(world.polman, 2024)
    set_levels(polman.assessments.get(opd=world.polman_dinkes), 2)
    polman.sanggahan_dibuka = timezone.now()
    polman.save()
    score = score_of(polman, world.polman_dinkes, 3)
    appeal = appeals.file_appeal(world.kepala_polman_dinkes, score.pk, "Minta naik.")
    client.force_login(world.evaluator_sulbar)
    page = client.get(list_url(world.polman))
    assert [a.pk for a in page.context["appeals"]] == [appeal.pk]
    assert not page.context["may_decide"]
    with pytest.raises(Appeal.DoesNotExist):
        appeals.accept_appeal(world.evaluator_sulbar, appeal.pk, 3)
    appeals.accept_appeal(world.evaluator_polman, appeal.pk, 3)


def test_open_appeals_block_finalisation_and_are_listed(client, world, period):
    appeal = appeals.file_appeal(
        world.operator_kominfo, score_of(period, world.kominfo, 9).pk, "Aplikasi sudah ada."
    )
    period.sanggahan_dibuka = timezone.now() - timedelta(days=5)
    period.save()
    _missing, open_appeals = scores.finalisation_problems(period)
    assert open_appeals == [appeal]
    result, missing, still_open = scores.finalise_period(world.admin_sulbar, period.pk)
    assert still_open == [appeal] and not missing
    period.refresh_from_db()
    assert period.status == Period.Status.EVALUATION

    client.force_login(world.evaluator_sulbar)
    page = client.get(list_url(world.sulbar, status="open", opd="DISKOMINFO"))
    assert page.context["overdue"] and 'data-testid="appeals-overdue"' in page.content.decode()
    assert client.get(list_url(world.sulbar, status="decided")).context["appeals"] == []
    assert client.get(list_url(world.sulbar, opd="BAPPEDA")).context["appeals"] == []
    assert client.get(list_url(world.sulbar, opd="NOPE")).status_code == 404

    # Answered after the window, the period can be finalised.
    appeals.reject_appeal(world.evaluator_sulbar, appeal.pk, "Belum terintegrasi.")
    _result, missing, still_open = scores.finalise_period(world.admin_sulbar, period.pk)
    assert not missing and not still_open
    period.refresh_from_db()
    assert period.is_final


def test_final_period_refuses_everything(client, world, period):
    score = score_of(period, world.kominfo, 1)
    appeal = appeals.file_appeal(world.operator_kominfo, score.pk, "Sudah ada.")
    Period.objects.filter(pk=period.pk).update(status=Period.Status.FINAL)
    with pytest.raises(scores.ScoreError):
        appeals.file_appeal(world.operator_kominfo, score_of(period, world.kominfo, 2).pk, "x")
    with pytest.raises(scores.ScoreError):
        appeals.accept_appeal(world.evaluator_sulbar, appeal.pk, 4)
    with pytest.raises(scores.ScoreError):
        appeals.reject_appeal(world.evaluator_sulbar, appeal.pk, "x")
    client.force_login(world.evaluator_sulbar)
    client.post(decide_url(appeal), {"decision": "accept", "level": "4"})
    appeal.refresh_from_db()
    score.refresh_from_db()
    assert appeal.status == "diajukan" and score.level_evaluator == 3
    assert not client.get(list_url(world.sulbar)).context["may_decide"]
