"""The shipped instruments as the data migration installs them, and the rules the
database and the models enforce around instruments, periods, assessments and levels."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from evaluations.models import (
    Aspect,
    Assessment,
    Domain,
    Indicator,
    Instrument,
    LevelCriterion,
    Period,
    Score,
)
from evaluations.services.periods import open_period
from tests.factories import OPDFactory, ProvinceFactory, make_period, opd_template

pytestmark = pytest.mark.django_db

D = Decimal

# --- SPBE.md, written out --------------------------------------------------------------

DOMAINS = {
    1: ("Kebijakan Internal SPBE", D("13")),
    2: ("Tata Kelola SPBE", D("25")),
    3: ("Manajemen SPBE", D("16.5")),
    4: ("Layanan SPBE", D("45.5")),
}

# National instrument: aspect → (domain, name, weight, first..last indicator, each).
NATIONAL_ASPECTS = {
    1: (1, "Kebijakan Internal Tata Kelola SPBE", D("13"), range(1, 11), D("1.3")),
    2: (2, "Perencanaan Strategis SPBE", D("10"), range(11, 15), D("2.5")),
    3: (2, "Teknologi Informasi dan Komunikasi", D("10"), range(15, 19), D("2.5")),
    4: (2, "Penyelenggara SPBE", D("5"), range(19, 21), D("2.5")),
    5: (3, "Penerapan Manajemen SPBE", D("12"), range(21, 29), D("1.5")),
    6: (3, "Audit TIK", D("4.5"), range(29, 32), D("1.5")),
    7: (
        4,
        "Layanan Administrasi Pemerintahan Berbasis Elektronik",
        D("27.5"),
        range(32, 42),
        D("2.75"),
    ),
    8: (4, "Layanan Publik Berbasis Elektronik", D("18"), range(42, 48), D("3.0")),
}

# OPD template. SPBE.md's table shortens some names ("Perencanaan Strategis", "Layanan
# Administrasi Pemerintahan", "Layanan Publik"); the installed names carry the national
# wording in full. Within an aspect the indicators share its weight equally.
OPD_ASPECTS = {
    1: (1, "Kebijakan Internal SPBE OPD", D("13"), range(1, 5), D("3.25")),
    2: (2, "Perencanaan Strategis SPBE", D("10"), range(5, 9), D("2.5")),
    3: (2, "Teknologi Informasi dan Komunikasi", D("10"), range(9, 13), D("2.5")),
    4: (2, "Penyelenggara SPBE", D("5"), range(13, 15), D("2.5")),
    5: (3, "Penerapan Manajemen SPBE", D("16.5"), range(15, 20), D("3.3")),
    6: (
        4,
        "Layanan Administrasi Pemerintahan Berbasis Elektronik",
        D("27.5"),
        range(20, 24),
        D("6.875"),
    ),
    7: (4, "Layanan Publik Berbasis Elektronik", D("18"), range(24, 26), D("9")),
}

OPD_INDICATORS = {
    1: "Kebijakan Tim Pengelola SPBE OPD",
    2: "Kebijakan Arsitektur dan Peta Rencana SPBE OPD",
    3: "Kebijakan Manajemen Data OPD",
    4: "Kebijakan Keamanan Informasi OPD",
    5: "Arsitektur SPBE OPD",
    6: "Peta Rencana SPBE OPD",
    7: "Keterpaduan Rencana dan Anggaran SPBE OPD",
    8: "Inovasi Proses Bisnis OPD",
    9: "Pembangunan Aplikasi OPD",
    10: "Pemanfaatan Pusat Data dan Jaringan Intra Pemda",
    11: "Penggunaan Sistem Penghubung Layanan",
    12: "Pemanfaatan Aplikasi Umum",
    13: "Pelaksanaan Tim Pengelola SPBE OPD",
    14: "Kolaborasi Penerapan SPBE",
    15: "Manajemen Data",
    16: "Manajemen Keamanan Informasi",
    17: "Manajemen Aset TIK",
    18: "Manajemen Kompetensi SDM TIK",
    19: "Manajemen Layanan SPBE",
    20: "Naskah Dinas dan Kearsipan Elektronik",
    21: "Perencanaan dan Penganggaran",
    22: "Kepegawaian dan Kinerja Pegawai",
    23: "Pengadaan dan Pengelolaan Barang Milik Daerah",
    24: "Layanan Publik Sektoral OPD",
    25: "Laman OPD dan Keterbukaan Informasi",
}

# National: the first and last indicator of every aspect, and a few in between.
NATIONAL_INDICATORS = {
    1: "Tingkat Kematangan Kebijakan Internal Arsitektur SPBE",
    8: "Tingkat Kematangan Kebijakan Internal Manajemen Keamanan Informasi",
    10: "Tingkat Kematangan Kebijakan Internal Tim Koordinasi SPBE",
    11: "Tingkat Kematangan Arsitektur SPBE",
    13: "Tingkat Kematangan Keterpaduan Rencana dan Anggaran SPBE",
    14: "Tingkat Kematangan Inovasi Proses Bisnis SPBE",
    15: "Tingkat Kematangan Pembangunan Aplikasi SPBE",
    18: "Tingkat Kematangan Penggunaan Sistem Penghubung Layanan",
    19: "Tingkat Kematangan Pelaksanaan Tim Koordinasi SPBE",
    20: "Tingkat Kematangan Kolaborasi Penerapan SPBE",
    21: "Tingkat Kematangan Penerapan Manajemen Risiko SPBE",
    28: "Tingkat Kematangan Penerapan Manajemen Layanan SPBE",
    29: "Tingkat Kematangan Pelaksanaan Audit Infrastruktur SPBE",
    31: "Tingkat Kematangan Pelaksanaan Audit Keamanan SPBE",
    32: "Tingkat Kematangan Layanan Perencanaan",
    38: "Tingkat Kematangan Layanan Pengelolaan Barang Milik Negara/Daerah",
    41: "Tingkat Kematangan Layanan Kinerja Pegawai",
    42: "Tingkat Kematangan Layanan Pengaduan Pelayanan Publik",
    44: "Tingkat Kematangan Layanan Jaringan Dokumentasi dan Informasi Hukum",
    47: "Tingkat Kematangan Layanan Publik Sektor 3",
}

INSTRUMENTS = {
    # code: (indicators, aspects, names checked)
    "opd-25-template": (25, OPD_ASPECTS, OPD_INDICATORS),
    "permenpanrb-59-2020": (47, NATIONAL_ASPECTS, NATIONAL_INDICATORS),
}

LEVEL_NAMES = {
    Indicator.Scale.PROSES: [
        "Rintisan",
        "Terkelola",
        "Terdefinisi",
        "Terpadu dan Terukur",
        "Optimum",
    ],
    Indicator.Scale.LAYANAN: ["Informasi", "Interaksi", "Transaksi", "Kolaborasi", "Optimum"],
}

DEFAULT_BANDS = {
    ("Memuaskan", D("4.20")),
    ("Sangat Baik", D("3.50")),
    ("Baik", D("2.60")),
    ("Cukup", D("1.80")),
    ("Kurang", D("0.00")),
}


# --- the shipped instruments -------------------------------------------------------


@pytest.mark.parametrize("code", INSTRUMENTS)
def test_shipped_instrument_structure(code):
    indicator_count, aspects, _names = INSTRUMENTS[code]
    instrument = Instrument.objects.get(kode=code)
    assert instrument.pemda is None  # a shared template

    assert {d.nomor: (d.nama, d.bobot) for d in instrument.domains.all()} == DOMAINS
    installed_aspects = {
        a.nomor: (a.domain.nomor, a.nama, a.bobot)
        for a in instrument.aspects.select_related("domain")
    }
    assert installed_aspects == {n: spec[:3] for n, spec in aspects.items()}
    assert instrument.indicators.count() == indicator_count

    indicators = instrument.indicators.select_related("aspect")
    for number, (_domain, _name, _weight, numbers, each) in aspects.items():
        own = [i for i in indicators if i.aspect.nomor == number]
        assert [i.nomor for i in own] == list(numbers), number
        assert {i.bobot for i in own} == {each}, number
    assert instrument.weight_problems() == []


@pytest.mark.parametrize("code", INSTRUMENTS)
def test_shipped_indicator_weights_add_up_to_exactly_100(code):
    weights = Indicator.objects.filter(instrument__kode=code).values_list("bobot", flat=True)
    assert sum(weights, D(0)) == D(100)
    domain_weights = Domain.objects.filter(instrument__kode=code).values_list("bobot", flat=True)
    assert sum(domain_weights, D(0)) == D(100)
    aspect_weights = Aspect.objects.filter(instrument__kode=code).values_list("bobot", flat=True)
    assert sum(aspect_weights, D(0)) == D(100)


@pytest.mark.parametrize("code", INSTRUMENTS)
def test_shipped_indicator_names(code):
    _count, _aspects, names = INSTRUMENTS[code]
    installed = dict(Indicator.objects.filter(instrument__kode=code).values_list("nomor", "nama"))
    assert {n: installed[n] for n in names} == names
    if code == "permenpanrb-59-2020":
        assert all(name.startswith("Tingkat Kematangan ") for name in installed.values())


@pytest.mark.parametrize("code", INSTRUMENTS)
def test_shipped_indicators_have_five_levels_and_evidence_guidance(code):
    indicators = Indicator.objects.filter(instrument__kode=code).prefetch_related("criteria")
    for indicator in indicators:
        criteria = list(indicator.criteria.all())
        assert [c.level for c in criteria] == [1, 2, 3, 4, 5], indicator
        assert [c.nama for c in criteria] == LEVEL_NAMES[indicator.skala], indicator
        assert all(c.kriteria.strip() for c in criteria), indicator
        assert indicator.panduan_bukti.strip(), indicator


@pytest.mark.parametrize(
    ("code", "service_numbers"),
    [("opd-25-template", set(range(20, 26))), ("permenpanrb-59-2020", set(range(32, 48)))],
)
def test_service_scale_indicators_are_those_of_the_layanan_domain(code, service_numbers):
    indicators = Indicator.objects.filter(instrument__kode=code)
    service = set(indicators.filter(skala=Indicator.Scale.LAYANAN).values_list("nomor", flat=True))
    layanan_domain = set(
        indicators.filter(aspect__domain__nama="Layanan SPBE").values_list("nomor", flat=True)
    )
    assert service == layanan_domain == service_numbers
    assert not indicators.exclude(skala__in=[Indicator.Scale.LAYANAN, Indicator.Scale.PROSES])


@pytest.mark.parametrize("code", INSTRUMENTS)
def test_shipped_predikat_bands_are_the_default_five(code):
    bands = Instrument.objects.get(kode=code).bands.values_list("nama", "batas_bawah")
    assert set(bands) == DEFAULT_BANDS


# --- periods refuse unusable instruments and thresholds ------------------------------


@pytest.fixture
def pemda():
    province = ProvinceFactory(kode="76", nama="Provinsi Sulawesi Barat")
    OPDFactory(pemda=province, kode="DISKOMINFO")
    return province


def _nothing_created():
    return not Period.objects.exists() and not Assessment.objects.exists()


def test_period_refuses_instrument_whose_weights_do_not_add_up(pemda):
    template = opd_template()
    # An admin edits indicator 25 from 9 to 8.9: the total becomes 99.9.
    Indicator.objects.filter(instrument=template, nomor=25).update(bobot=D("8.9"))

    with pytest.raises(ValidationError) as refused:
        open_period(pemda, 2024, template)
    messages = refused.value.message_dict["instrument"]
    assert any("99.9" in m for m in messages), messages
    assert _nothing_created()

    with pytest.raises(ValidationError) as refused:
        Period(pemda=pemda, tahun=2024, instrument=template).full_clean()
    assert "instrument" in refused.value.message_dict


def test_period_refuses_instrument_without_indicators(pemda):
    empty = Instrument.objects.create(kode="kosong", nama="Kosong", pemda=pemda)
    with pytest.raises(ValidationError) as refused:
        open_period(pemda, 2024, empty)
    assert "instrument" in refused.value.message_dict
    assert _nothing_created()


def test_period_refuses_another_pemdas_instrument(pemda):
    other = ProvinceFactory(kode="73", nama="Provinsi Sulawesi Selatan")
    theirs = Instrument.objects.create(kode="milik-sulsel", nama="Milik Sulsel", pemda=other)
    # Give it usable weights so that only the ownership is wrong.
    domain = Domain.objects.create(instrument=theirs, nomor=1, nama="D", bobot=D(100))
    aspect = Aspect.objects.create(
        instrument=theirs, domain=domain, nomor=1, nama="A", bobot=D(100)
    )
    Indicator.objects.create(
        instrument=theirs, aspect=aspect, nomor=1, nama="I", bobot=D(100), skala="proses"
    )
    assert theirs.weight_problems() == []
    with pytest.raises(ValidationError) as refused:
        open_period(pemda, 2024, theirs)
    assert "instrument" in refused.value.message_dict
    assert _nothing_created()


@pytest.mark.parametrize(("yellow", "green"), [("3.50", "3.50"), ("3.60", "3.50")])
def test_period_refuses_yellow_threshold_not_below_green(pemda, yellow, green):
    with pytest.raises(ValidationError) as refused:
        open_period(
            pemda, 2024, opd_template(), zona_kuning_dari=D(yellow), zona_hijau_dari=D(green)
        )
    assert "zona_kuning_dari" in refused.value.message_dict
    assert _nothing_created()

    # The database refuses it as well.
    with pytest.raises(IntegrityError), transaction.atomic():
        Period.objects.create(
            pemda=pemda,
            tahun=2024,
            instrument=opd_template(),
            zona_kuning_dari=D(yellow),
            zona_hijau_dari=D(green),
        )


def test_period_accepts_custom_thresholds(pemda):
    period = open_period(
        pemda, 2024, opd_template(), zona_kuning_dari=D("2.00"), zona_hijau_dari=D("3.00")
    )
    assert (period.zona_kuning_dari, period.zona_hijau_dari) == (D("2.00"), D("3.00"))
    assert period.assessments.count() == 1


# --- levels, assessments --------------------------------------------------------------


@pytest.fixture
def score(pemda):
    period = make_period(pemda)
    return Score.objects.filter(assessment__period=period).first()


@pytest.mark.parametrize("field", ["level_evaluator", "level_mandiri"])
@pytest.mark.parametrize("level", [0, 6])
def test_database_refuses_levels_outside_1_to_5(score, field, level):
    with pytest.raises(IntegrityError), transaction.atomic():
        Score.objects.filter(pk=score.pk).update(**{field: level})
    score.refresh_from_db()
    assert getattr(score, field) is None


@pytest.mark.parametrize("field", ["level_evaluator", "level_mandiri"])
@pytest.mark.parametrize("level", [1, 5])
def test_database_accepts_levels_1_to_5(score, field, level):
    Score.objects.filter(pk=score.pk).update(**{field: level})
    score.refresh_from_db()
    assert getattr(score, field) == level


@pytest.mark.parametrize("field", ["level_evaluator", "level_mandiri"])
@pytest.mark.parametrize("level", [0, 6])
def test_validation_refuses_levels_outside_1_to_5(score, field, level):
    setattr(score, field, level)
    with pytest.raises(ValidationError) as refused:
        score.full_clean()
    assert field in refused.value.message_dict


@pytest.mark.parametrize("level", [0, 6])
def test_database_refuses_criterion_levels_outside_1_to_5(level):
    criterion = LevelCriterion.objects.filter(indicator__instrument=opd_template()).first()
    with pytest.raises(IntegrityError), transaction.atomic():
        LevelCriterion.objects.filter(pk=criterion.pk).update(level=level)


def test_one_assessment_per_opd_per_period(pemda):
    period = make_period(pemda)
    existing = period.assessments.get()
    with pytest.raises(IntegrityError), transaction.atomic():
        Assessment.objects.create(pemda=pemda, period=period, opd=existing.opd)
    assert period.assessments.count() == 1


def test_open_period_creates_assessments_only_for_opds_active_that_year():
    province = ProvinceFactory(kode="76", nama="Provinsi Sulawesi Barat")
    since_2019 = OPDFactory(pemda=province, kode="A", aktif_dari=2019)
    new_in_2024 = OPDFactory(pemda=province, kode="B", aktif_dari=2024)
    until_2024 = OPDFactory(pemda=province, kode="C", aktif_dari=2019, aktif_sampai=2024)
    OPDFactory(pemda=province, kode="D", aktif_dari=2019, aktif_sampai=2023)  # merged away
    OPDFactory(pemda=province, kode="E", aktif_dari=2025)  # not yet formed
    OPDFactory(pemda=ProvinceFactory(kode="73"), kode="F")  # another pemda

    period = open_period(province, 2024, opd_template())

    assessments = period.assessments.all()
    assert {a.opd for a in assessments} == {since_2019, new_in_2024, until_2024}
    assert all(a.pemda_id == province.pk for a in assessments)
    for assessment in assessments:
        scores = assessment.scores.all()
        assert scores.count() == 25
        assert not scores.exclude(level_mandiri=None).exists()
        assert not scores.exclude(level_evaluator=None).exists()
        assert assessment.is_stale
