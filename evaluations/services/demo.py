"""Demo data: Provinsi Sulawesi Barat and its six kabupaten, evaluated 2019–2025.

`seed_demo()` creates (or brings back to the demo state) the pemdas, their OPDs, one
yearly period per pemda and year on the shipped 25-indicator OPD template, the levels of
every indicator, the stored figures and a handful of demo logins.

Everything is derived from the constants below and from `random.Random` generators
seeded with stable strings such as "76.02:DINKES:2024" (never `hash()`), so two runs, on
SQLite or PostgreSQL, give the same rows; a second run changes nothing. Rows are found
by their natural keys (pemda kode, OPD kode, pemda + year, indicator, username) and only
fields that differ from the demo values are written.

How the levels are made. Each OPD has a persistent strength (its place in its pemda),
a small trend of its own over the years and a yearly wobble; each indicator adds a fixed
bias (management is usually the weakest domain) and noise. The evaluator's level is
that value plus one shift per pemda and year, rounded and kept within 1–5; the shift is
found by bisection so that the mean OPD index of the pemda-year lands on TARGET_INDEX.
The self-assessed level is usually the evaluator's or one above it. In the year under
evaluation only the fully reviewed OPDs have figures (the figure rule), so the mean is
fitted on them.

The official national indices published for Sulawesi Barat and Polewali Mandar (SPBE.md)
are recorded through services.official, as an administrator would.

The figures are stored with `recompute_period` for every period in which something was
written (or an assessment is marked stale), so a second run leaves even their
`computed_at` untouched.
"""

import math
import os
import random
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from statistics import NormalDist

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Avg, F
from django.utils import timezone

from opd.models import OPD, Membership, Pemda
from opd.roles import Role
from opd.services.team_demo import seed_teams

from ..models import (
    Assessment,
    Indicator,
    IndicatorItem,
    Instrument,
    ItemScore,
    Period,
    Score,
)
from .periods import ensure_assessments, open_period
from .recompute import recompute_period
from .scoring import LEVEL_MAX, LEVEL_MIN, item_value

INSTRUMENT_KODE = "opd-25-template"
YEARS = tuple(range(2019, 2027))
# The last year is still under evaluation: some levels are only self-assessed.
YEAR_UNDER_EVALUATION = 2026
# From 2026 PermenPANRB 8/2026 (Indeks Pemerintah Digital): the province evaluates its OPDs
# on an instrument of its own derived from it (decimal values, two indicators assessed
# through items), the kabupaten/kota on the shipped one; a crosswalk declares which
# aspects of the OPD template feed which new aspects, so trends run across the change.
FIRST_2026 = 2026
NATIONAL_2026 = "permenpanrb-8-2026"
PROVINCE_2026 = "sulbar-pemdi-opd-2026"
PROVINCE_2026_NAME = "Instrumen Pemerintah Digital OPD Provinsi Sulawesi Barat 2026"
# The zones of 2026 follow the 8/2026 bands: yellow from Baik (2,50), green from Sangat
# Baik (3,50).
ZONES_2026 = {"zona_hijau_dari": Decimal("3.50"), "zona_kuning_dari": Decimal("2.50")}
ITEMS_2026 = {
    "I1": (
        "Kebijakan internal tata kelola pemerintah digital OPD ditetapkan",
        "Peran dan tanggung jawab pengelola pemerintah digital OPD ditetapkan",
        "Reviu pelaksanaan tata kelola pemerintah digital OPD dilakukan berkala",
    ),
    "I13": (
        "Aplikasi OPD terdaftar dalam katalog aplikasi pemda",
        "Aplikasi OPD memakai aplikasi umum dan pusat data pemda",
    ),
}
# Template aspect → 2026 aspect (numbers); None: feeds no aspect.
CROSSWALK_2026 = {1: 1, 2: 1, 3: 5, 4: 2, 5: 3, 6: 6, 7: 7}
# Share of OPDs whose external values (Satu Data, SJIG, EPSS, SDI) are entered.
EXTERNAL_ENTERED = 0.6
DEFAULT_PASSWORD = "demo-spbe-2025"
PASSWORD_ENV = "SPBE_DEMO_PASSWORD"

PROVINCE_KODE = "76"

# Mean OPD index per pemda and year the levels are fitted to. Published values (SPBE.md)
# where they exist: Provinsi Sulawesi Barat 2023 2.89 and 2024 3.70; Kabupaten Polewali
# Mandar 2020–2025. Every other value is invented: plausible, mostly rising series
# around the national trend (2019 2.18 … 2024 3.12).
TARGET_INDEX = {
    "76": {2019: 2.05, 2020: 2.22, 2021: 2.41, 2022: 2.63, 2023: 2.89, 2024: 3.70, 2025: 3.78},
    "76.01": {2019: 2.02, 2020: 2.18, 2021: 2.33, 2022: 2.51, 2023: 2.74, 2024: 3.06, 2025: 3.22},
    "76.02": {2019: 2.96, 2020: 3.30, 2021: 2.71, 2022: 3.58, 2023: 3.85, 2024: 3.88, 2025: 4.00},
    "76.03": {2019: 1.86, 2020: 1.98, 2021: 2.12, 2022: 2.29, 2023: 2.47, 2024: 2.70, 2025: 2.86},
    "76.04": {2019: 2.14, 2020: 2.33, 2021: 2.49, 2022: 2.72, 2023: 2.98, 2024: 3.27, 2025: 3.45},
    "76.05": {2019: 1.95, 2020: 2.09, 2021: 2.26, 2022: 2.44, 2023: 2.66, 2024: 2.93, 2025: 3.08},
    "76.06": {2019: 1.78, 2020: 1.92, 2021: 2.07, 2022: 2.25, 2023: 2.41, 2024: 2.63, 2025: 2.80},
}
# 2026, on the new instrument (invented: a stricter instrument, lower than 2025 at first).
for _kode, _value in {
    "76": 3.05,
    "76.01": 2.60,
    "76.02": 3.35,
    "76.03": 2.25,
    "76.04": 2.80,
    "76.05": 2.50,
    "76.06": 2.30,
}.items():
    TARGET_INDEX[_kode][2026] = _value

# The official national index (KemenPANRB) of the demo pemdas where it was published
# (SPBE.md): (year, index, predikat, national rank, ranked among).
OFFICIAL_SOURCE = "Hasil Evaluasi SPBE KemenPANRB {year} (nilai publikasi, data demo)"
OFFICIAL_INDEX = {
    "76": ((2023, "2.89", "Baik", None, None), (2024, "3.70", "Sangat Baik", 18, 38)),
    "76.02": (
        (2020, "3.30", "Baik", None, None),
        (2021, "2.71", "Baik", None, None),
        (2022, "3.58", "Sangat Baik", None, None),
        (2023, "3.85", "Sangat Baik", None, None),
        (2024, "3.88", "Sangat Baik", None, None),
        (2025, "4.00", "Sangat Baik", None, None),
    ),
}

# Spread of the OPDs around their pemda's mean (standard deviation of the strengths),
# the extra pull of the lead OPDs towards the top, each OPD's own yearly trend, the
# yearly wobble and the noise per indicator.
STRENGTH_SD = 0.8
LEAD_PULL = 0.35
TREND_SD = 0.10
TREND_CENTRE_YEAR = 2022
YEAR_SD = 0.18
INDICATOR_SD = 0.55

# Fixed bias per indicator number of the OPD template: policies and administrative
# services come first, management of data, security, assets and competences lags.
INDICATOR_BIAS = {
    **dict.fromkeys((1, 2, 3, 4), 0.20),
    **dict.fromkeys((5, 6, 7, 8), -0.10),
    **dict.fromkeys((9, 10, 11, 12), 0.0),
    **dict.fromkeys((13, 14), 0.10),
    **dict.fromkeys((15, 16, 17, 18, 19), -0.45),
    **dict.fromkeys((20, 21, 22, 23), 0.15),
    **dict.fromkeys((24, 25), 0.0),
}

# The same for the 20 indicators of 8/2026: data and security lag, services lead.
INDICATOR_BIAS_2026 = {
    **dict.fromkeys((1, 2, 3, 4), 0.15),
    **dict.fromkeys((5, 6, 7, 8), -0.30),
    **dict.fromkeys((9, 10, 11, 12), -0.40),
    **dict.fromkeys((13, 14), 0.10),
    **dict.fromkeys((15, 16, 17, 18), -0.05),
    **dict.fromkeys((19, 20), 0.25),
}

# Self-assessment compared with the evaluator: (cumulative probability, difference).
SELF_DELTAS = ((0.52, 0), (0.86, 1), (0.93, 2), (1.0, -1))
# Review state of an assessment in the year under evaluation (cumulative probability).
FULLY_REVIEWED, PARTLY_REVIEWED = 0.5, 0.85


# --- Pemdas and OPDs -------------------------------------------------------------------


@dataclass(frozen=True)
class OPDSpec:
    kode: str
    nama: str
    singkatan: str
    jenis: str
    lead: bool = False  # one of the OPDs that carry the indicators, usually stronger
    aktif_dari: int = YEARS[0]
    aktif_sampai: int | None = None


@dataclass(frozen=True)
class KabupatenSpec:
    kode: str
    nama: str
    rsud: tuple  # (nama, singkatan)
    extras: tuple  # kodes from KABUPATEN_OPTIONAL
    kecamatan: tuple  # names


K = OPD.Kind

PROVINCE = (PROVINCE_KODE, "Provinsi Sulawesi Barat")

# The restructuring: the Badan Pengelolaan Keuangan dan Aset Daerah (2019–2021) was
# merged into the Badan Pendapatan, Pengelolaan Keuangan dan Aset Daerah from 2022.
PROVINCE_OPDS = (
    OPDSpec("SETDA", "Sekretariat Daerah", "Setda", K.SEKRETARIAT),
    OPDSpec("SETWAN", "Sekretariat Dewan Perwakilan Rakyat Daerah", "Setwan DPRD", K.SEKRETARIAT),
    OPDSpec("BIRO-PEMOTDA", "Biro Pemerintahan dan Otonomi Daerah", "Biro Pemotda", K.BIRO),
    OPDSpec("BIRO-HUKUM", "Biro Hukum", "Biro Hukum", K.BIRO, lead=True),
    OPDSpec("BIRO-KESRA", "Biro Kesejahteraan Rakyat", "Biro Kesra", K.BIRO),
    OPDSpec("BIRO-EKBANG", "Biro Perekonomian dan Administrasi Pembangunan", "Biro Ekbang", K.BIRO),
    OPDSpec("BIRO-PBJ", "Biro Pengadaan Barang dan Jasa", "Biro PBJ", K.BIRO, lead=True),
    OPDSpec("BIRO-ORGANISASI", "Biro Organisasi", "Biro Organisasi", K.BIRO, lead=True),
    OPDSpec("BIRO-UMUM", "Biro Umum", "Biro Umum", K.BIRO),
    OPDSpec("BIRO-ADPIM", "Biro Administrasi Pimpinan", "Biro Adpim", K.BIRO),
    OPDSpec("INSPEKTORAT", "Inspektorat", "Inspektorat", K.INSPEKTORAT, lead=True),
    OPDSpec("BAPPEDA", "Badan Perencanaan Pembangunan Daerah", "Bappeda", K.BADAN, lead=True),
    OPDSpec(
        "BPKAD",
        "Badan Pengelolaan Keuangan dan Aset Daerah",
        "BPKAD",
        K.BADAN,
        aktif_sampai=2021,
    ),
    OPDSpec(
        "BPKPD",
        "Badan Pendapatan, Pengelolaan Keuangan dan Aset Daerah",
        "BPKPD",
        K.BADAN,
        lead=True,
        aktif_dari=2022,
    ),
    OPDSpec("BKD", "Badan Kepegawaian Daerah", "BKD", K.BADAN, lead=True),
    OPDSpec("BPSDM", "Badan Pengembangan Sumber Daya Manusia", "BPSDM", K.BADAN, lead=True),
    OPDSpec("KESBANGPOL", "Badan Kesatuan Bangsa dan Politik", "Kesbangpol", K.BADAN),
    OPDSpec("BPBD", "Badan Penanggulangan Bencana Daerah", "BPBD", K.BADAN),
    OPDSpec("BADAN-PENGHUBUNG", "Badan Penghubung Daerah", "Badan Penghubung", K.BADAN),
    OPDSpec("DISDIKBUD", "Dinas Pendidikan dan Kebudayaan", "Disdikbud", K.DINAS),
    OPDSpec("DINKES", "Dinas Kesehatan", "Dinkes", K.DINAS),
    OPDSpec("DPUPR", "Dinas Pekerjaan Umum dan Penataan Ruang", "Dinas PUPR", K.DINAS),
    OPDSpec("DISPERKIM", "Dinas Perumahan dan Kawasan Permukiman", "Disperkim", K.DINAS),
    OPDSpec("DINSOS", "Dinas Sosial", "Dinsos", K.DINAS),
    OPDSpec("DISNAKERTRANS", "Dinas Tenaga Kerja dan Transmigrasi", "Disnakertrans", K.DINAS),
    OPDSpec(
        "DP3AP2KB",
        "Dinas Pemberdayaan Perempuan, Perlindungan Anak, Pengendalian Penduduk "
        "dan Keluarga Berencana",
        "DP3AP2KB",
        K.DINAS,
    ),
    OPDSpec("DISKETAPANG", "Dinas Ketahanan Pangan", "Dinas Ketapang", K.DINAS),
    OPDSpec("DLHK", "Dinas Lingkungan Hidup dan Kehutanan", "DLHK", K.DINAS),
    OPDSpec(
        "DPMD-DUKCAPIL",
        "Dinas Pemberdayaan Masyarakat, Desa, Kependudukan dan Pencatatan Sipil",
        "DPMD Dukcapil",
        K.DINAS,
    ),
    OPDSpec("DISHUB", "Dinas Perhubungan", "Dishub", K.DINAS),
    OPDSpec(
        "DISKOMINFO",
        "Dinas Komunikasi, Informatika, Statistik dan Persandian",
        "Diskominfo",
        K.DINAS,
        lead=True,
    ),
    OPDSpec("DISKOP-UKM", "Dinas Koperasi dan Usaha Kecil dan Menengah", "Diskop UKM", K.DINAS),
    OPDSpec(
        "DPMPTSP",
        "Dinas Penanaman Modal dan Pelayanan Terpadu Satu Pintu",
        "DPMPTSP",
        K.DINAS,
        lead=True,
    ),
    OPDSpec("DISPORA", "Dinas Kepemudaan dan Olahraga", "Dispora", K.DINAS),
    OPDSpec("DISPUSIP", "Dinas Perpustakaan dan Kearsipan", "Dispusip", K.DINAS, lead=True),
    OPDSpec("DKP", "Dinas Kelautan dan Perikanan", "DKP", K.DINAS),
    OPDSpec("DISTANAK", "Dinas Pertanian dan Peternakan", "Distanak", K.DINAS),
    OPDSpec("DISPERINDAG", "Dinas Perindustrian dan Perdagangan", "Disperindag", K.DINAS),
    OPDSpec("DESDM", "Dinas Energi dan Sumber Daya Mineral", "Dinas ESDM", K.DINAS),
    OPDSpec("DISPAR", "Dinas Pariwisata", "Dispar", K.DINAS),
    OPDSpec("DISBUN", "Dinas Perkebunan", "Disbun", K.DINAS),
    OPDSpec("SATPOLPP", "Satuan Polisi Pamong Praja", "Satpol PP", K.SATUAN),
    OPDSpec(
        "RSUD",
        "Rumah Sakit Umum Daerah Provinsi Sulawesi Barat",
        "RSUD Provinsi",
        K.RSUD,
        lead=True,
    ),
)

# Every kabupaten has these ...
KABUPATEN_CORE = (
    OPDSpec("SETDA", "Sekretariat Daerah", "Setda", K.SEKRETARIAT),
    OPDSpec("SETWAN", "Sekretariat Dewan Perwakilan Rakyat Daerah", "Setwan DPRD", K.SEKRETARIAT),
    OPDSpec("INSPEKTORAT", "Inspektorat", "Inspektorat", K.INSPEKTORAT, lead=True),
    OPDSpec("BAPPEDA", "Badan Perencanaan Pembangunan Daerah", "Bappeda", K.BADAN, lead=True),
    OPDSpec(
        "BKPSDM",
        "Badan Kepegawaian dan Pengembangan Sumber Daya Manusia",
        "BKPSDM",
        K.BADAN,
        lead=True,
    ),
    OPDSpec("BPKAD", "Badan Pengelolaan Keuangan dan Aset Daerah", "BPKAD", K.BADAN, lead=True),
    OPDSpec("DINKES", "Dinas Kesehatan", "Dinkes", K.DINAS),
    OPDSpec("DISDIKBUD", "Dinas Pendidikan dan Kebudayaan", "Disdikbud", K.DINAS),
    OPDSpec("DISKOMINFO", "Dinas Komunikasi dan Informatika", "Diskominfo", K.DINAS, lead=True),
    OPDSpec(
        "DPMPTSP",
        "Dinas Penanaman Modal dan Pelayanan Terpadu Satu Pintu",
        "DPMPTSP",
        K.DINAS,
        lead=True,
    ),
    OPDSpec("DISDUKCAPIL", "Dinas Kependudukan dan Pencatatan Sipil", "Disdukcapil", K.DINAS),
    OPDSpec("DINSOS", "Dinas Sosial", "Dinsos", K.DINAS),
    OPDSpec("DPUPR", "Dinas Pekerjaan Umum dan Penataan Ruang", "Dinas PUPR", K.DINAS),
    OPDSpec("SATPOLPP", "Satuan Polisi Pamong Praja", "Satpol PP", K.SATUAN),
)

# ... and some of these.
KABUPATEN_OPTIONAL = {
    spec.kode: spec
    for spec in (
        OPDSpec("BAPENDA", "Badan Pendapatan Daerah", "Bapenda", K.BADAN),
        OPDSpec("BPBD", "Badan Penanggulangan Bencana Daerah", "BPBD", K.BADAN),
        OPDSpec("KESBANGPOL", "Badan Kesatuan Bangsa dan Politik", "Kesbangpol", K.BADAN),
        OPDSpec("DISHUB", "Dinas Perhubungan", "Dishub", K.DINAS),
        OPDSpec("DLH", "Dinas Lingkungan Hidup", "DLH", K.DINAS),
        OPDSpec("DISTAN", "Dinas Pertanian", "Distan", K.DINAS),
        OPDSpec("DPMD", "Dinas Pemberdayaan Masyarakat dan Desa", "DPMD", K.DINAS),
        OPDSpec("DP3A", "Dinas Pemberdayaan Perempuan dan Perlindungan Anak", "DP3A", K.DINAS),
        OPDSpec("DKP", "Dinas Kelautan dan Perikanan", "DKP", K.DINAS),
        OPDSpec("DISPUSIP", "Dinas Perpustakaan dan Kearsipan", "Dispusip", K.DINAS),
    )
}

KABUPATEN = (
    KabupatenSpec(
        "76.01",
        "Kabupaten Majene",
        ("Rumah Sakit Umum Daerah Kabupaten Majene", "RSUD Majene"),
        ("BPBD", "DLH", "DISTAN", "DKP", "DISPUSIP"),
        ("Banggae", "Banggae Timur"),
    ),
    KabupatenSpec(
        "76.02",
        "Kabupaten Polewali Mandar",
        ("Rumah Sakit Umum Daerah Hj. Andi Depu", "RSUD Hj. Andi Depu"),
        ("BAPENDA", "BPBD", "DLH", "DISTAN", "DPMD", "DP3A"),
        ("Polewali", "Wonomulyo", "Campalagian"),
    ),
    KabupatenSpec(
        "76.03",
        "Kabupaten Mamasa",
        ("Rumah Sakit Umum Daerah Kondosapata", "RSUD Kondosapata"),
        ("BPBD", "DISTAN"),
        ("Mamasa",),
    ),
    KabupatenSpec(
        "76.04",
        "Kabupaten Mamuju",
        ("Rumah Sakit Umum Daerah Kabupaten Mamuju", "RSUD Mamuju"),
        ("BAPENDA", "BPBD", "DISHUB", "DLH", "DKP"),
        ("Mamuju", "Simboro"),
    ),
    KabupatenSpec(
        "76.05",
        "Kabupaten Pasangkayu",
        ("Rumah Sakit Umum Daerah Kabupaten Pasangkayu", "RSUD Pasangkayu"),
        ("BPBD", "DLH", "KESBANGPOL"),
        ("Pasangkayu",),
    ),
    KabupatenSpec(
        "76.06",
        "Kabupaten Mamuju Tengah",
        ("Rumah Sakit Umum Daerah Kabupaten Mamuju Tengah", "RSUD Mamuju Tengah"),
        ("DISTAN",),
        ("Topoyo",),
    ),
)


def kabupaten_opds(kabupaten):
    """The OPDs of one kabupaten: the core, its extras, its RSUD and some kecamatan."""
    rsud_nama, rsud_singkatan = kabupaten.rsud
    kecamatan = tuple(
        OPDSpec(
            "KEC-" + name.upper().replace(" ", "-"),
            f"Kecamatan {name}",
            f"Kec. {name}",
            K.KECAMATAN,
        )
        for name in kabupaten.kecamatan
    )
    return (
        KABUPATEN_CORE
        + tuple(KABUPATEN_OPTIONAL[kode] for kode in kabupaten.extras)
        + (OPDSpec("RSUD", rsud_nama, rsud_singkatan, K.RSUD, lead=True),)
        + kecamatan
    )


def opd_specs():
    """pemda kode → the pemda's OPDs."""
    specs = {PROVINCE[0]: PROVINCE_OPDS}
    for kabupaten in KABUPATEN:
        specs[kabupaten.kode] = kabupaten_opds(kabupaten)
    return specs


# --- Users -----------------------------------------------------------------------------


@dataclass(frozen=True)
class DemoUser:
    username: str
    first_name: str
    last_name: str
    role: str | None = None
    pemda: str | None = None
    opd: str | None = None
    is_staff: bool = False
    is_superuser: bool = False


DEMO_USERS = (
    DemoUser("superadmin", "Rahmat", "Hidayat", is_staff=True, is_superuser=True),
    DemoUser("admin.sulbar", "Muhammad", "Ridwan", Role.ADMIN_KOMINFO, "76", is_staff=True),
    DemoUser("evaluator.sulbar", "Nurhayati", "Syamsuddin", Role.EVALUATOR, "76"),
    DemoUser("sekprov.sulbar", "Hasanuddin", "Rahman", Role.PIMPINAN, "76"),
    DemoUser("kepala.kominfo", "Sitti", "Marwah", Role.KEPALA_OPD, "76", "DISKOMINFO"),
    DemoUser("operator.kominfo", "Fadli", "Ramadhan", Role.OPERATOR_OPD, "76", "DISKOMINFO"),
    DemoUser("evaluator.polman", "Nurul", "Hikmah", Role.EVALUATOR, "76.02"),
    DemoUser("bupati.polman", "Andi", "Syahrir", Role.PIMPINAN, "76.02"),
    DemoUser("admin.polman", "Ahmad", "Mappaturung", Role.ADMIN_KOMINFO, "76.02"),
)


DEMO_MAIL_DOMAIN = "contoh.go.id"


def demo_password():
    return os.environ.get(PASSWORD_ENV) or DEFAULT_PASSWORD


# --- Texts -----------------------------------------------------------------------------

EXPLANATIONS = {
    "proses": (
        "{name} masih dilaksanakan secara ad hoc; dokumen pendukung belum lengkap.",
        "{name} sudah dilaksanakan dan dikelola oleh penanggung jawab yang ditunjuk; "
        "bukti dukung berupa dokumen awal.",
        "{name} sudah dibakukan dan diterapkan di seluruh bidang; SOP dan bukti "
        "pelaksanaan terlampir.",
        "{name} sudah terpadu dengan proses lain dan diukur melalui reviu berkala; "
        "laporan reviu terlampir.",
        "{name} ditingkatkan berkelanjutan berdasarkan hasil reviu; laporan evaluasi "
        "dan tindak lanjut terlampir.",
    ),
    "layanan": (
        "Layanan {name} baru menyediakan informasi satu arah melalui laman OPD.",
        "Layanan {name} sudah interaktif: pengguna dapat bertanya dan mengajukan "
        "permohonan secara elektronik.",
        "Layanan {name} dapat diselesaikan sebagai transaksi elektronik dari awal sampai akhir.",
        "Layanan {name} sudah terintegrasi dan berbagi data dengan layanan OPD lain.",
        "Layanan {name} terintegrasi penuh dan terus ditingkatkan berdasarkan umpan "
        "balik pengguna.",
    ),
}

NOTES_LOWERED = (
    "Bukti dukung belum menunjukkan penerapan di seluruh bidang; level disesuaikan.",
    "Dokumen yang diunggah masih berupa draf dan belum ditetapkan Kepala OPD.",
    "Belum ada laporan reviu berkala sebagai syarat level yang diajukan.",
    "Bukti dukung tahun berjalan belum dilampirkan.",
    "Tangkapan layar belum menunjukkan layanan yang berjalan; level disesuaikan.",
)
NOTES_AGREED = (
    "Sesuai bukti dukung.",
    "Sesuai; lengkapi notulen rapat Tim Pengelola SPBE untuk tahun berikutnya.",
    "Sesuai hasil interviu dengan Tim Pengelola SPBE OPD.",
)
# Share of lowered and of agreed levels that get an evaluator's note (raised ones always).
NOTE_SHARE_LOWERED, NOTE_SHARE_AGREED = 0.5, 0.06
NOTE_RAISED = "Bukti dukung menunjukkan penerapan di atas penilaian mandiri; level dinaikkan."


def _pick(options, value):
    """One of `options` for a draw in [0, 1)."""
    return options[min(int(value * len(options)), len(options) - 1)]


def _note(evaluator_level, self_level, value):
    """The evaluator's note, if any: most lowered levels get one, few agreed ones do."""
    if self_level > evaluator_level:
        return (
            _pick(NOTES_LOWERED, value / NOTE_SHARE_LOWERED) if value < NOTE_SHARE_LOWERED else ""
        )
    if self_level < evaluator_level:
        return NOTE_RAISED
    return _pick(NOTES_AGREED, value / NOTE_SHARE_AGREED) if value < NOTE_SHARE_AGREED else ""


# --- Levels ----------------------------------------------------------------------------


@dataclass(frozen=True)
class IndicatorInfo:
    id: int
    nomor: int
    nama: str
    weight: float  # share of the index, 0..1
    skala: str
    decimal: bool = False  # the instrument has decimal values
    external: bool = False  # scored from another index
    items: tuple = ()  # (item id, weight or None)
    bias: float = 0.0


@dataclass
class Draws:
    """The random draws of one assessment, made before any level is known so that the
    fitted shift of the pemda-year changes the levels but never the draws."""

    bases: list  # per indicator: OPD target + indicator bias + noise
    self_deltas: list
    reviewed: list
    note_draws: list
    external_entered: bool = True  # the other indices' values are entered


def _clamp(level):
    return max(LEVEL_MIN, min(LEVEL_MAX, level))


def strengths(pemda_kode, specs):
    """Persistent strength of each OPD in its pemda: evenly spread normal quantiles,
    the highest more often given to the lead OPDs."""
    quantiles = sorted(
        (NormalDist(0, STRENGTH_SD).inv_cdf((k + 0.5) / len(specs)) for k in range(len(specs))),
        reverse=True,
    )
    order = sorted(
        specs,
        key=lambda spec: (
            random.Random(f"{pemda_kode}:{spec.kode}:kekuatan").random()
            - (LEAD_PULL if spec.lead else 0)
        ),
    )
    return {spec.kode: value for spec, value in zip(order, quantiles, strict=True)}


def draw(pemda_kode, opd_kode, year, strength, indicators, under_evaluation):
    """Draw everything random about one OPD in one year. In the year under evaluation
    about half the OPDs are fully reviewed, a third partly and the rest not yet."""
    trend = random.Random(f"{pemda_kode}:{opd_kode}:tren").gauss(0, TREND_SD)
    rng = random.Random(f"{pemda_kode}:{opd_kode}:{year}")
    target = strength + trend * (year - TREND_CENTRE_YEAR) + rng.gauss(0, YEAR_SD)
    review_state = rng.random()
    coverage = rng.uniform(0.3, 0.8)
    draws = Draws([], [], [], [], external_entered=rng.random() < EXTERNAL_ENTERED)
    for indicator in indicators:
        noise = rng.gauss(0, INDICATOR_SD)
        draws.bases.append(target + indicator.bias + noise)
        delta_draw = rng.random()
        draws.self_deltas.append(next(d for p, d in SELF_DELTAS if delta_draw < p))
        review_draw = rng.random()
        if not under_evaluation or review_state < FULLY_REVIEWED:
            draws.reviewed.append(True)
        elif review_state < PARTLY_REVIEWED:
            draws.reviewed.append(review_draw < coverage)
        else:
            draws.reviewed.append(False)
        draws.note_draws.append(rng.random())
    return draws


def _value(base, shift, indicator):
    """The evaluator's value of one indicator for a base and shift: a whole level, or a
    decimal value (two decimals) on instruments with decimal values."""
    if indicator.decimal:
        return min(5.0, max(1.0, round(base + shift, 2)))
    return float(_clamp(math.floor(base + shift + 0.5)))


def _own(value, delta, indicator):
    """The self-assessed value: the evaluator's, or above it (half a level on decimals)."""
    if indicator.decimal:
        return min(5.0, max(1.0, round(value + delta * 0.5, 2)))
    return float(_clamp(int(value) + delta))


def _item_levels(value, count):
    """Whole item levels whose mean is as near `value` as `count` items allow."""
    total = round(value * count)
    low = total // count
    return [_clamp(low + (1 if n < total - low * count else 0)) for n in range(count)]


def _counted(base, shift, delta, reviewed, entered, indicator):
    """What the indicator counts in the stored figures (as `score_values` stores it)."""
    if indicator.external:
        return _value(base, shift, indicator) if entered else 1.0
    value = _value(base, shift, indicator)
    if indicator.items:
        levels = _item_levels(value, len(indicator.items))
        value = sum(levels) / len(levels)
    return value if reviewed else _own(value, delta, indicator)


def mean_index(all_draws, indicators, shift):
    """Mean index of a pemda-year for a shift, by what the stored figures count."""
    if not all_draws:
        return 0.0
    total = 0.0
    for draws in all_draws:
        for indicator, base, delta, reviewed in zip(
            indicators, draws.bases, draws.self_deltas, draws.reviewed, strict=True
        ):
            total += indicator.weight * _counted(
                base, shift, delta, reviewed, draws.external_entered, indicator
            )
    return total / len(all_draws)


def fit_shift(all_draws, indicators, target):
    """The shift whose mean index is closest to `target` (the mean rises with it)."""
    low, high = -6.0, 6.0
    for _ in range(36):
        middle = (low + high) / 2
        if mean_index(all_draws, indicators, middle) < target:
            low = middle
        else:
            high = middle
    return min((low, high), key=lambda s: abs(mean_index(all_draws, indicators, s) - target))


@dataclass(frozen=True)
class ScoreValue:
    """The demo values of one score: what `_write_scores` stores."""

    level_mandiri: object
    penjelasan: str
    level_evaluator: object
    catatan_evaluator: str
    items: tuple = ()  # (item id, self level, evaluator level or None)
    external: bool = False  # an entered external value (its source fields are set)

    @property
    def fields(self):
        return (self.level_mandiri, self.penjelasan, self.level_evaluator, self.catatan_evaluator)


def _stored(value):
    return None if value is None else Decimal(str(value)).quantize(Decimal("0.0001"))


def score_values(draws, shift, indicators):
    """indicator id → ScoreValue."""
    values = {}
    for i, indicator in enumerate(indicators):
        base, delta, reviewed = draws.bases[i], draws.self_deltas[i], draws.reviewed[i]
        evaluator = _value(base, shift, indicator)
        own = _own(evaluator, delta, indicator)
        level = max(1, min(5, round(own)))
        explanation = EXPLANATIONS[indicator.skala][level - 1].format(name=indicator.nama)
        if indicator.external:
            entered = _stored(evaluator) if draws.external_entered else None
            values[indicator.id] = ScoreValue(
                entered, "", entered, "", external=entered is not None
            )
            continue
        items = ()
        if indicator.items:
            own_levels = _item_levels(own, len(indicator.items))
            evaluator_levels = _item_levels(evaluator, len(indicator.items))
            items = tuple(
                (item_id, own_level, evaluator_level if reviewed else None)
                for (item_id, _w), own_level, evaluator_level in zip(
                    indicator.items, own_levels, evaluator_levels, strict=True
                )
            )
            own = float(
                item_value((lv, w) for (_i, w), lv in zip(indicator.items, own_levels, strict=True))
            )
            evaluator = float(
                item_value(
                    (lv, w) for (_i, w), lv in zip(indicator.items, evaluator_levels, strict=True)
                )
            )
        note = _note(round(evaluator), round(own), draws.note_draws[i])
        values[indicator.id] = ScoreValue(
            _stored(own),
            explanation,
            _stored(evaluator) if reviewed else None,
            note if reviewed else "",
            items=items,
        )
    return values


# --- Writing ---------------------------------------------------------------------------

SCORE_FIELDS = ("level_mandiri", "penjelasan", "level_evaluator", "catatan_evaluator")
# What the entered external values record (the demo's source scores are not real ones).
EXTERNAL_SCORE = "demo"
EXTERNAL_DATE = date(2026, 10, 15)
UPDATE_BATCH = 500


@dataclass
class Tally:
    total: int = 0
    created: int = 0
    changed: int = 0


@dataclass
class Summary:
    pemda: Tally = field(default_factory=Tally)
    opd: Tally = field(default_factory=Tally)
    periods: Tally = field(default_factory=Tally)
    assessments: Tally = field(default_factory=Tally)
    scores: Tally = field(default_factory=Tally)
    users: Tally = field(default_factory=Tally)
    recomputed: int = 0
    averages: dict = field(default_factory=dict)  # (pemda kode, year) → mean index
    teams: object = None  # opd.services.team_demo.TeamTally


def _sync(obj, values):
    """Set the fields of `obj` that differ from `values`; returns their names (the
    caller saves them)."""
    changed = [name for name, value in values.items() if getattr(obj, name) != value]
    for name in changed:
        setattr(obj, name, values[name])
    return changed


def _upsert(model, lookup, values, tally):
    obj = model.objects.filter(**lookup).first()
    if obj is None:
        obj = model.objects.create(**lookup, **values)
        tally.created += 1
    else:
        changed = _sync(obj, values)
        if changed:
            obj.save(update_fields=changed)
            tally.changed += 1
    tally.total += 1
    return obj


def _seed_pemdas(summary):
    province = _upsert(
        Pemda,
        {"kode": PROVINCE[0]},
        {"nama": PROVINCE[1], "jenis": Pemda.Kind.PROVINSI, "parent": None},
        summary.pemda,
    )
    pemdas = {province.kode: province}
    for kabupaten in KABUPATEN:
        pemdas[kabupaten.kode] = _upsert(
            Pemda,
            {"kode": kabupaten.kode},
            {"nama": kabupaten.nama, "jenis": Pemda.Kind.KABUPATEN, "parent": province},
            summary.pemda,
        )
    return pemdas


def _seed_opds(pemdas, specs, summary):
    existing = {
        (opd.pemda_id, opd.kode): opd for opd in OPD.objects.filter(pemda__in=pemdas.values())
    }
    new, changed = [], []
    for pemda_kode, pemda_specs in specs.items():
        pemda = pemdas[pemda_kode]
        for spec in pemda_specs:
            values = {
                "nama": spec.nama,
                "singkatan": spec.singkatan,
                "jenis": spec.jenis,
                "aktif_dari": spec.aktif_dari,
                "aktif_sampai": spec.aktif_sampai,
            }
            opd = existing.get((pemda.id, spec.kode))
            if opd is None:
                new.append(OPD(pemda=pemda, kode=spec.kode, **values))
            elif _sync(opd, values):
                changed.append(opd)
    OPD.objects.bulk_create(new)
    OPD.objects.bulk_update(changed, ["nama", "singkatan", "jenis", "aktif_dari", "aktif_sampai"])
    summary.opd.created, summary.opd.changed = len(new), len(changed)
    summary.opd.total = sum(len(pemda_specs) for pemda_specs in specs.values())
    return {(opd.pemda_id, opd.kode): opd for opd in OPD.objects.filter(pemda__in=pemdas.values())}


def _seed_instruments(pemdas):
    """The instruments of the demo years: the OPD template until 2025; from 2026 the
    province's own version of 8/2026 (two indicators assessed through items) and, for
    the kabupaten/kota, the shipped one; the crosswalks from the template to both.
    Made through services.instrument_versions and services.crosswalks, as an
    administrator would. Returns {pemda kode: {year: instrument}}."""
    from . import crosswalks, instrument_versions

    template = Instrument.objects.get(kode=INSTRUMENT_KODE)
    national = Instrument.objects.get(kode=NATIONAL_2026)
    own = Instrument.objects.filter(kode=PROVINCE_2026).first()
    if own is None:
        own = instrument_versions.clone(
            None, national.pk, PROVINCE_2026_NAME, pemda=pemdas[PROVINCE_KODE]
        )
        own.kode = PROVINCE_2026
        own.save(update_fields=["kode"])
        for code, names in ITEMS_2026.items():
            indicator = own.indicators.get(kode=code)
            instrument_versions.save_items(None, indicator.pk, [(n, None, "", "") for n in names])
        own = instrument_versions.publish(None, own.pk)
    for later in (own, national):
        if not crosswalks.links_of(None, template, later):
            old = {a.nomor: a.pk for a in template.aspects.all()}
            new = {a.nomor: a.pk for a in later.aspects.all()}
            crosswalks.declare(
                None,
                template.pk,
                later.pk,
                {old[a]: new.get(b) for a, b in CROSSWALK_2026.items()},
                "Crosswalk demo: aspek templat OPD 2019–2025 ke aspek PermenPANRB 8/2026.",
            )
    return {
        kode: {
            year: (own if kode == PROVINCE_KODE else national) if year >= FIRST_2026 else template
            for year in YEARS
        }
        for kode in pemdas
    }


def demo_schedule(year):
    """The stage dates of a demo year, after the national calendar: self-assessment
    until May, documents until July, interviews in September, visits in October."""
    return {
        "batas_mandiri": date(year, 5, 31),
        "batas_dokumen": date(year, 7, 31),
        "batas_interviu": date(year, 9, 30),
        "batas_visitasi": date(year, 10, 31),
        "batas_final": date(year, 12, 15),
    }


def _seed_periods(pemdas, instruments, summary):
    """The yearly periods with their assessments and schedule; returns them and the ids
    of the periods whose figures must be recomputed."""
    existing = {
        (period.pemda_id, period.tahun): period
        for period in Period.objects.filter(pemda__in=pemdas.values(), triwulan__isnull=True)
    }
    periods, dirty = [], set()
    for pemda in pemdas.values():
        for year in YEARS:
            status = (
                Period.Status.EVALUATION if year == YEAR_UNDER_EVALUATION else Period.Status.FINAL
            )
            zones = ZONES_2026 if year >= FIRST_2026 else {}
            period = existing.get((pemda.id, year))
            schedule = demo_schedule(year)
            if period is None:
                period = open_period(
                    pemda, year, instruments[pemda.kode][year], status=status, **schedule, **zones
                )
                summary.periods.created += 1
                dirty.add(period.id)
            else:
                changed = _sync(period, {"status": status, **schedule})
                if changed:
                    period.save(update_fields=changed)
                    summary.periods.changed += 1
                if "status" in changed:
                    dirty.add(period.id)
                if ensure_assessments(period):
                    dirty.add(period.id)
            periods.append(period)
    summary.periods.total = len(periods)
    return periods, dirty


def _instrument_indicators(instrument_ids):
    by_instrument = defaultdict(list)
    items = defaultdict(list)
    for indicator_id, item_id, weight in (
        IndicatorItem.objects.filter(indicator__instrument_id__in=instrument_ids)
        .order_by("indicator_id", "nomor")
        .values_list("indicator_id", "id", "bobot")
    ):
        items[indicator_id].append((item_id, weight))
    for indicator in (
        Indicator.objects.filter(instrument_id__in=instrument_ids)
        .select_related("instrument")
        .order_by("instrument_id", "nomor")
    ):
        decimal = indicator.instrument.nilai_desimal
        bias = (INDICATOR_BIAS_2026 if decimal else INDICATOR_BIAS).get(indicator.nomor, 0.0)
        by_instrument[indicator.instrument_id].append(
            IndicatorInfo(
                indicator.id,
                indicator.nomor,
                indicator.nama,
                float(indicator.bobot) / 100,
                indicator.skala,
                decimal=decimal,
                external=indicator.is_external,
                items=tuple(items[indicator.id]),
                bias=bias,
            )
        )
    return by_instrument


def _desired_scores(pemdas, specs, opds, periods):
    """assessment id → indicator id → the demo values of that score, for the
    assessments of the demo OPDs."""
    pemda_by_id = {pemda.id: pemda for pemda in pemdas.values()}
    spec_by_opd = {}
    strength_by_opd = {}
    for pemda_kode, pemda_specs in specs.items():
        pemda = pemdas[pemda_kode]
        pemda_strengths = strengths(pemda_kode, pemda_specs)
        for spec in pemda_specs:
            opd = opds[(pemda.id, spec.kode)]
            spec_by_opd[opd.id] = spec
            strength_by_opd[opd.id] = pemda_strengths[spec.kode]

    indicators = _instrument_indicators({period.instrument_id for period in periods})
    assessments = defaultdict(list)
    for assessment_id, period_id, opd_id in (
        Assessment.objects.filter(period__in=periods)
        .order_by("period_id", "opd__kode")
        .values_list("id", "period_id", "opd_id")
    ):
        if opd_id in spec_by_opd:
            assessments[period_id].append((assessment_id, opd_id))

    desired = {}
    for period in periods:
        pemda = pemda_by_id[period.pemda_id]
        period_indicators = indicators[period.instrument_id]
        items = [
            (
                assessment_id,
                draw(
                    pemda.kode,
                    spec_by_opd[opd_id].kode,
                    period.tahun,
                    strength_by_opd[opd_id],
                    period_indicators,
                    period.tahun == YEAR_UNDER_EVALUATION,
                ),
            )
            for assessment_id, opd_id in assessments[period.id]
        ]
        # The stored figures average the OPDs with figures: in the year under evaluation
        # only the fully reviewed ones.
        fitted = [draws for _id, draws in items if all(draws.reviewed)] or [
            draws for _id, draws in items
        ]
        shift = fit_shift(fitted, period_indicators, TARGET_INDEX[pemda.kode][period.tahun])
        for assessment_id, draws in items:
            desired[assessment_id] = score_values(draws, shift, period_indicators)
    return desired


def _write_scores(periods, desired, summary):
    """Bring the stored scores (and their item levels) to the desired values, writing
    only those that differ. Returns the ids of the periods that changed.

    `bulk_update` builds a CASE per field and row, far too slow for tens of thousands of
    rows; the changed scores are grouped by their new values instead (a few thousand
    distinct combinations at most), one UPDATE … WHERE id IN (…) per group, so that each
    row is written once, with its version bumped.
    """
    period_of = dict(Assessment.objects.filter(period__in=periods).values_list("id", "period_id"))
    groups = defaultdict(list)  # new values → score ids
    dirty = set()
    wanted_items = {}  # score id → ScoreValue.items
    rows = Score.objects.filter(assessment__period__in=periods).values_list(
        "id", "assessment_id", "indicator_id", *SCORE_FIELDS, "eksternal_tanggal"
    )
    for score_id, assessment_id, indicator_id, *current in rows.iterator(chunk_size=5000):
        summary.scores.total += 1
        wanted = desired.get(assessment_id, {}).get(indicator_id)
        if wanted is None:
            continue
        if wanted.items:
            wanted_items[score_id] = wanted.items
        external_date = EXTERNAL_DATE if wanted.external else None
        if tuple(current) == (*wanted.fields, external_date):
            continue
        groups[(wanted.fields, wanted.external)].append(score_id)
        summary.scores.changed += 1
        dirty.add(period_of[assessment_id])
    now = timezone.now()
    for (values, external), ids in groups.items():
        fields = dict(zip(SCORE_FIELDS, values, strict=True))
        fields.update(
            eksternal_skor=EXTERNAL_SCORE if external else "",
            eksternal_tanggal=EXTERNAL_DATE if external else None,
        )
        for start in range(0, len(ids), UPDATE_BATCH):
            Score.objects.filter(pk__in=ids[start : start + UPDATE_BATCH]).update(
                **fields, version=F("version") + 1, updated_at=now
            )
    dirty |= _write_item_levels(wanted_items, period_of)
    return dirty


def _write_item_levels(wanted_items, period_of):
    """The item levels of the scores of indicators assessed through items."""
    existing = {
        (row.score_id, row.item_id): row
        for row in ItemScore.objects.filter(score_id__in=wanted_items)
    }
    new, changed = [], []
    for score_id, items in wanted_items.items():
        for item_id, own, evaluator in items:
            row = existing.get((score_id, item_id))
            if row is None:
                new.append(
                    ItemScore(
                        score_id=score_id,
                        item_id=item_id,
                        level_mandiri=own,
                        level_evaluator=evaluator,
                    )
                )
            elif (row.level_mandiri, row.level_evaluator) != (own, evaluator):
                row.level_mandiri, row.level_evaluator = own, evaluator
                changed.append(row)
    ItemScore.objects.bulk_create(new)
    ItemScore.objects.bulk_update(changed, ["level_mandiri", "level_evaluator"])
    if not (new or changed):
        return set()
    touched = {row.score_id for row in [*new, *changed]}
    return set(Score.objects.filter(pk__in=touched).values_list("assessment__period_id", flat=True))


def _seed_users(pemdas, opds, password, summary):
    User = get_user_model()
    for demo in DEMO_USERS:
        values = {
            "first_name": demo.first_name,
            "last_name": demo.last_name,
            # An address each, so that `make run` (console e-mail backend) shows the
            # notification e-mails.
            "email": f"{demo.username}@{DEMO_MAIL_DOMAIN}",
            "is_staff": demo.is_staff,
            "is_superuser": demo.is_superuser,
            "is_active": True,
        }
        user = User.objects.filter(username=demo.username).first()
        if user is None:
            user = User(username=demo.username, **values)
            user.set_password(password)
            user.save()
            summary.users.created += 1
        else:
            changed = _sync(user, values)
            # Hashing is slow on purpose: check once, and only re-hash a wrong password.
            if not user.check_password(password):
                user.set_password(password)
                changed.append("password")
            if changed:
                user.save(update_fields=changed)
                summary.users.changed += 1
        summary.users.total += 1
        if demo.role is None:
            continue
        pemda = pemdas[demo.pemda]
        values = {
            "pemda": pemda,
            "role": demo.role,
            "opd": opds[(pemda.id, demo.opd)] if demo.opd else None,
        }
        membership = Membership.objects.filter(user=user).first()
        if membership is None:
            Membership.objects.create(user=user, **values)
        else:
            changed = _sync(membership, values)
            if changed:
                membership.save(update_fields=changed)


def average_indices(periods):
    """(pemda kode, year) → mean stored index of the period's assessments."""
    rows = (
        Assessment.objects.filter(period__in=periods)
        .values("pemda__kode", "period__tahun")
        .annotate(average=Avg("indeks"))
    )
    return {(row["pemda__kode"], row["period__tahun"]): row["average"] for row in rows}


@transaction.atomic
def seed_demo(password=None):
    """Create or refresh the demo data. Running it again changes nothing."""
    summary = Summary()
    specs = opd_specs()
    pemdas = _seed_pemdas(summary)
    instruments = _seed_instruments(pemdas)
    opds = _seed_opds(pemdas, specs, summary)
    assessments_before = Assessment.objects.filter(
        pemda__in=pemdas.values(), period__triwulan__isnull=True, period__tahun__in=YEARS
    ).count()
    periods, dirty = _seed_periods(pemdas, instruments, summary)
    desired = _desired_scores(pemdas, specs, opds, periods)
    dirty |= _write_scores(periods, desired, summary)

    # Assessments still marked stale (new ones, or changed elsewhere) need their figures.
    dirty |= set(
        Assessment.objects.filter(period__in=periods, is_stale=True)
        .order_by()
        .values_list("period_id", flat=True)
        .distinct()
    )
    for period in periods:
        if period.id in dirty:
            recompute_period(period.id)
            summary.recomputed += 1

    _seed_users(pemdas, opds, password or demo_password(), summary)

    summary.assessments.total = Assessment.objects.filter(period__in=periods).count()
    summary.assessments.created = summary.assessments.total - assessments_before
    summary.averages = average_indices(periods)
    summary.teams = _seed_teams(pemdas, specs)
    _seed_official(pemdas)
    # The reminders due today (deadlines, expiring certificates), each once: the demo's
    # bells are not empty.
    from .. import reminders

    reminders.send_due()
    return summary


def _seed_official(pemdas):
    """The published official indices, through the service that keeps their history
    (a second run records nothing)."""
    from decimal import Decimal

    from . import official

    for kode, series in OFFICIAL_INDEX.items():
        for year, index, predikat, rank, among in series:
            official.record(
                None,
                official.Entry(
                    pemda=pemdas[kode],
                    tahun=year,
                    indeks=Decimal(index),
                    predikat=predikat,
                    peringkat=rank,
                    peringkat_dari=among,
                    sumber=OFFICIAL_SOURCE.format(year=year),
                ),
            )


def _seed_teams(pemdas, specs):
    """The SPBE teams of the demo OPDs in the latest year (opd/services/team_demo.py)."""
    opd_kodes = {kode: [spec.kode for spec in pemda_specs] for kode, pemda_specs in specs.items()}
    return seed_teams(pemdas, opd_kodes, YEARS[-1])
