"""`manage.py seed_demo`: the Sulawesi Barat demo data.

Seeding is heavy, so the module seeds once (twice, to check that the second run changes
nothing) inside a transaction that stays open for the module's tests and is rolled back
after them; each test runs in its own savepoint within it. Passwords are hashed with a
fast hasher, set for the seeding and for the login checks alike (a module fixture runs
outside the function-scoped settings of conftest).
"""

from decimal import Decimal
from io import StringIO
from types import SimpleNamespace

import pytest
from django.contrib.auth import authenticate, get_user_model
from django.core.management import call_command
from django.db import transaction
from django.db.models import Avg, Count, Q
from django.test import override_settings

from evaluations.models import (
    Assessment,
    ChangeLog,
    Crosswalk,
    FigureStatus,
    ItemScore,
    OfficialIndex,
    Period,
    Score,
    Zone,
)
from evaluations.services.demo import PASSWORD_ENV, TARGET_INDEX
from opd.models import OPD, Membership, Pemda
from opd.roles import Role

pytestmark = pytest.mark.django_db

User = get_user_model()
TOLERANCE = Decimal("0.05")
FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def _snapshot():
    """Everything the demo writes, by natural keys, including the timestamps that a
    needless write or recompute would change."""
    counts = {
        model.__name__: model.objects.count()
        for model in (Pemda, OPD, Period, Assessment, Score, User, Membership)
    }
    figures = sorted(
        Assessment.objects.values_list(
            "pemda__kode",
            "opd__kode",
            "period__tahun",
            "indeks",
            "zona",
            "peringkat",
            "predikat",
            "status_nilai",
            "computed_at",
        )
    )
    scores = sorted(
        Score.objects.values_list(
            "assessment__pemda__kode",
            "assessment__opd__kode",
            "assessment__period__tahun",
            "indicator__nomor",
            "level_mandiri",
            "level_evaluator",
            "penjelasan",
            "catatan_evaluator",
            "version",
            "updated_at",
        ),
        key=lambda row: row[:4],
    )
    users = sorted(
        User.objects.values_list(
            "username", "password", "first_name", "last_name", "is_staff", "is_superuser"
        )
    )
    return SimpleNamespace(counts=counts, figures=figures, scores=scores, users=users)


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    with (
        django_db_blocker.unblock(),
        pytest.MonkeyPatch.context() as patch,
        override_settings(PASSWORD_HASHERS=FAST_HASHERS),
    ):
        patch.delenv(PASSWORD_ENV, raising=False)
        with transaction.atomic():
            call_command("seed_demo", stdout=StringIO())
            first = _snapshot()
            output = StringIO()
            call_command("seed_demo", stdout=output)
            second = _snapshot()
            yield SimpleNamespace(first=first, second=second, output=output.getvalue())
            transaction.set_rollback(True)


def _average(pemda_kode, year):
    return Assessment.objects.filter(
        pemda__kode=pemda_kode, period__tahun=year, period__triwulan__isnull=True
    ).aggregate(average=Avg("indeks"))["average"]


def test_second_run_changes_nothing(seeded):
    first, second = seeded.first, seeded.second
    assert first.counts == second.counts
    assert first.figures == second.figures
    assert first.scores == second.scores
    assert first.users == second.users

    counts = second.counts
    assert counts["Pemda"] == 7
    assert counts["Period"] == 7 * 8  # 2019–2026
    # 25 indicators on the OPD template until 2025, 20 on the 2026 instruments.
    assert counts["Score"] == (
        Assessment.objects.filter(period__tahun__lte=2025).count() * 25
        + Assessment.objects.filter(period__tahun=2026).count() * 20
    )
    assert OPD.objects.filter(pemda__kode="76").count() in range(30, 46)
    for kabupaten in Pemda.objects.filter(parent__kode="76"):
        assert OPD.objects.filter(pemda=kabupaten).count() in range(15, 26)
    # Every assessment of a final year has figures; in the year under evaluation only
    # the fully validated ones do, the others have none at all.
    for row in second.figures:
        has_figures = row[7] != FigureStatus.IN_PROGRESS
        assert has_figures == (row[3] is not None) == bool(row[4]) == (row[5] is not None), row
        if row[2] < 2026:
            assert row[7] == FigureStatus.FINAL, row
    assert "diubah 0" in seeded.output


def test_averages_follow_the_published_values_with_all_zones(seeded):
    assert abs(_average("76", 2023) - Decimal("2.89")) <= TOLERANCE
    assert abs(_average("76", 2024) - Decimal("3.70")) <= TOLERANCE
    assert abs(_average("76.02", 2024) - Decimal("3.88")) <= TOLERANCE
    for kode, series in TARGET_INDEX.items():
        for year, target in series.items():
            assert abs(_average(kode, year) - Decimal(str(target))) <= TOLERANCE, (kode, year)

    zones_2024 = set(
        Assessment.objects.filter(pemda__kode="76", period__tahun=2024).values_list(
            "zona", flat=True
        )
    )
    assert zones_2024 == {Zone.MERAH, Zone.KUNING, Zone.HIJAU}


def test_final_years_and_the_year_under_evaluation(seeded):
    assert set(Period.objects.filter(tahun=2026).values_list("status", flat=True)) == {
        Period.Status.EVALUATION
    }
    assert set(Period.objects.filter(tahun__lte=2025).values_list("status", flat=True)) == {
        Period.Status.FINAL
    }
    assert (
        not Assessment.objects.filter(period__tahun__lte=2025)
        .exclude(status_nilai=FigureStatus.FINAL)
        .exists()
    )

    reviewed = Assessment.objects.filter(period__tahun=2026).annotate(
        validated=Count(
            "scores",
            filter=Q(scores__level_evaluator__isnull=False)
            | Q(scores__indicator__nilai_bawaan__isnull=False),
        )
    )
    assert not reviewed.filter(status_nilai=FigureStatus.FINAL).exists()
    # Exactly the fully validated OPDs have (provisional) figures; an external indicator
    # counts its default while waiting.
    for count, status in reviewed.values_list("validated", "status_nilai"):
        assert (status == FigureStatus.PROVISIONAL) == (count == 20)
    validated = set(reviewed.values_list("validated", flat=True))
    assert 20 in validated  # some OPDs fully reviewed,
    assert 4 in validated  # some only self-assessed (the 4 external indicators count),
    assert validated - {4, 20}  # some partly.
    assert not Score.objects.filter(
        level_mandiri__isnull=True, indicator__nilai_bawaan__isnull=True
    ).exists()
    # Every year has its schedule, shown as deadlines.
    assert Period.objects.filter(batas_mandiri__month=5, batas_final__month=12).count() == 7 * 8

    # The restructured OPD: BPKAD up to 2021, its tasks with BPKPD from 2022.
    def years(kode):
        return sorted(
            Assessment.objects.filter(pemda__kode="76", opd__kode=kode).values_list(
                "period__tahun", flat=True
            )
        )

    assert years("BPKAD") == [2019, 2020, 2021]
    assert years("BPKPD") == [2022, 2023, 2024, 2025, 2026]


def test_2026_runs_on_the_new_instrument_with_items_externals_and_a_crosswalk(seeded):
    own = Period.objects.get(pemda__kode="76", tahun=2026).instrument
    assert own.pemda.kode == "76" and own.dasar.kode == "permenpanrb-8-2026"
    assert own.is_published and own.nilai_desimal
    assert set(
        Period.objects.filter(tahun=2026)
        .exclude(pemda__kode="76")
        .values_list("instrument__kode", flat=True)
    ) == {"permenpanrb-8-2026"}
    # Two indicators assessed through items; their value is the items' mean.
    item_score = ItemScore.objects.filter(score__assessment__period__tahun=2026).first()
    score = item_score.score
    levels = [r.level_mandiri for r in score.item_scores.all()]
    assert score.level_mandiri == (Decimal(sum(levels)) / len(levels)).quantize(Decimal("0.0001"))
    # External values: entered for some OPDs, waiting for others.
    externals = Score.objects.filter(
        assessment__period__tahun=2026, indicator__nilai_bawaan__isnull=False
    )
    assert externals.filter(level_evaluator__isnull=True).exists()
    entered = externals.filter(level_evaluator__isnull=False).first()
    assert entered.eksternal_tanggal is not None and entered.eksternal_skor
    assert Assessment.objects.filter(period__tahun=2026, menunggu_eksternal__gt=0).exists()
    # Decimal values, not only whole levels.
    assert (
        Score.objects.filter(
            assessment__period=Period.objects.get(pemda__kode="76.02", tahun=2026),
            level_evaluator__isnull=False,
        )
        .exclude(level_evaluator__in=[1, 2, 3, 4, 5])
        .exists()
    )
    assert Crosswalk.objects.filter(dari__kode="opd-25-template", ke=own).exists()


DEMO_LOGINS = [
    ("admin.sulbar", Role.ADMIN_KOMINFO, "76", None),
    ("evaluator.sulbar", Role.EVALUATOR, "76", None),
    ("sekprov.sulbar", Role.PIMPINAN, "76", None),
    ("kepala.kominfo", Role.KEPALA_OPD, "76", "DISKOMINFO"),
    ("operator.kominfo", Role.OPERATOR_OPD, "76", "DISKOMINFO"),
    ("evaluator.polman", Role.EVALUATOR, "76.02", None),
    ("bupati.polman", Role.PIMPINAN, "76.02", None),
    ("admin.polman", Role.ADMIN_KOMINFO, "76.02", None),
]


@override_settings(PASSWORD_HASHERS=FAST_HASHERS)
def test_demo_logins(seeded):
    superadmin = authenticate(username="superadmin", password="demo-spbe-2025")
    assert superadmin is not None and superadmin.is_superuser and superadmin.is_staff

    for username, role, pemda_kode, opd_kode in DEMO_LOGINS:
        user = authenticate(username=username, password="demo-spbe-2025")
        assert user is not None, username
        assert user.first_name and user.last_name
        assert user.is_staff == (username == "admin.sulbar")
        assert not user.is_superuser
        membership = Membership.objects.select_related("pemda", "opd").get(user=user)
        assert membership.role == role
        assert membership.pemda.kode == pemda_kode
        assert (membership.opd.kode if membership.opd else None) == opd_kode


def test_the_published_official_indices_are_recorded_with_their_history(seeded):
    official = {
        (o.pemda.kode, o.tahun): (o.indeks, o.predikat, o.peringkat, o.peringkat_dari)
        for o in OfficialIndex.objects.select_related("pemda")
    }
    assert official[("76", 2024)] == (Decimal("3.70"), "Sangat Baik", 18, 38)
    assert official[("76", 2023)][:2] == (Decimal("2.89"), "Baik")
    assert [official[("76.02", y)][0] for y in range(2020, 2026)] == [
        Decimal(v) for v in ("3.30", "2.71", "3.58", "3.85", "3.88", "4.00")
    ]
    assert ("76.01", 2024) not in official  # not published: the pages say so
    # One history row per recorded value, none added by the second run.
    assert ChangeLog.objects.filter(field="indeks_resmi").count() == len(official)
