"""Installing instruments from their CSV description, and reading an instrument's
weights and predikat bands for the scoring rules.

The shipped instruments are installed by data migrations from the CSV files in
`evaluations/data/`: the 25-indicator OPD template and PermenPANRB 59/2020
(`instruments.csv`: domains, aspects, indicators, weights, scales) and PermenPANRB 8/2026
(`instruments-2026.csv`: aspects without domains, indicator codes, the indicators scored
from other national indices). Everything that differs between them (decimal values,
predikat bands, level names) is in `SHIPPED_INSTRUMENTS`, not in code paths. The loader
takes the app registry so that it works with a migration's historical models too (it
sets only the fields those models have).
"""

import csv
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from ..models import Indicator, PredikatBand
from .scoring import DEFAULT_PREDIKAT_BANDS, IndicatorWeight, weight_errors

DATA = Path(__file__).resolve().parent.parent / "data"
SHIPPED_CSV = DATA / "instruments.csv"
CSV_2026 = DATA / "instruments-2026.csv"

# What an external indicator counts until its value is entered (SPBE.md).
EXTERNAL_DEFAULT = Decimal("1.00")

# PermenPANRB 8/2026, table 4 of the annex (lower bound inclusive): Kurang 1.00–<1.50,
# Cukup 1.50–<2.50, Baik 2.50–<3.50, Sangat Baik 3.50–<4.00, Memuaskan 4.00–5.00.
BANDS_2026 = (
    (Decimal("4.00"), "Memuaskan"),
    (Decimal("3.50"), "Sangat Baik"),
    (Decimal("2.50"), "Baik"),
    (Decimal("1.50"), "Cukup"),
    (Decimal("1.00"), "Kurang"),
)

CRITERIA_NOTE = (
    "Kriteria tingkat pada instrumen ini adalah teks templat aplikasi yang disusun dari "
    "definisi umum tingkat kematangan, bukan teks resmi peraturan; admin pemda dapat "
    "menyuntingnya."
)

# Generic level definitions (SPBE.md), the template's own wording.
LEVEL_TEMPLATES = {
    "proses": (
        (
            "Rintisan",
            "{name} dilaksanakan secara ad hoc; belum ada kebijakan, prosedur "
            "atau dokumen yang baku.",
        ),
        (
            "Terkelola",
            "{name} telah dilaksanakan dan dikelola, dengan penanggung jawab dan "
            "dokumen pendukung awal.",
        ),
        (
            "Terdefinisi",
            "{name} telah dibakukan dan diterapkan secara konsisten di seluruh "
            "unit OPD, didukung bukti dukung yang lengkap.",
        ),
        (
            "Terpadu dan Terukur",
            "{name} terpadu dengan proses lain, berkontribusi pada "
            "kinerja OPD, dan diukur melalui reviu berkala.",
        ),
        (
            "Optimum",
            "{name} memenuhi tingkat 4 dan ditingkatkan secara berkelanjutan "
            "berdasarkan hasil reviu dan evaluasi.",
        ),
    ),
    "layanan": (
        ("Informasi", "Layanan {name} menyediakan informasi secara elektronik satu arah."),
        (
            "Interaksi",
            "Layanan {name} memungkinkan interaksi dua arah antara pengguna dan "
            "OPD secara elektronik.",
        ),
        (
            "Transaksi",
            "Layanan {name} dapat diselesaikan sebagai transaksi elektronik dari "
            "awal sampai akhir.",
        ),
        (
            "Kolaborasi",
            "Layanan {name} terintegrasi dan berbagi data dengan layanan atau instansi lain.",
        ),
        (
            "Optimum",
            "Layanan {name} memenuhi tingkat 4 dan terus ditingkatkan sesuai kebutuhan pengguna.",
        ),
    ),
}

# PermenPANRB 8/2026 level names (1–5); the criteria are the template's own wording.
LEVEL_TEMPLATES_2026 = {
    "proses": (
        (
            "Rintisan",
            "{name} dilaksanakan secara ad hoc; belum ada kebijakan, prosedur atau "
            "dokumen yang baku.",
        ),
        (
            "Terkelola",
            "{name} telah dilaksanakan dan dikelola, dengan penanggung jawab dan "
            "dokumen pendukung awal.",
        ),
        (
            "Terstandarisasi",
            "{name} telah distandarkan dan diterapkan secara konsisten, didukung bukti "
            "dukung yang lengkap.",
        ),
        (
            "Terintegrasi dan Terukur",
            "{name} terintegrasi dengan proses lain dan diukur melalui reviu berkala.",
        ),
        (
            "Optimum",
            "{name} memenuhi tingkat 4 dan ditingkatkan secara berkelanjutan "
            "berdasarkan hasil reviu dan evaluasi.",
        ),
    ),
}


@dataclass(frozen=True)
class Shipped:
    """What a shipped instrument is beyond its CSV rows."""

    name: str
    description: str
    csv: Path = SHIPPED_CSV
    decimal_values: bool = False
    bands: tuple = DEFAULT_PREDIKAT_BANDS
    levels: dict = None  # scale → level templates; None: LEVEL_TEMPLATES


SHIPPED_INSTRUMENTS = {
    "opd-25-template": Shipped(
        "Templat Instrumen SPBE OPD (25 indikator)",
        "Templat bawaan aplikasi untuk evaluasi internal OPD, diturunkan dari "
        "PermenPANRB 59/2020 dengan bobot domain nasional. Bukan daftar resmi Keputusan "
        "Gubernur; admin pemda dapat menyesuaikannya.",
    ),
    "permenpanrb-59-2020": Shipped(
        "PermenPANRB No. 59 Tahun 2020 (47 indikator)",
        "Instrumen evaluasi SPBE nasional 2020–2025: 4 domain, 8 aspek, 47 indikator. "
        "Dicabut oleh PermenPANRB 8/2026.",
    ),
    "permenpanrb-8-2026": Shipped(
        "PermenPANRB No. 8 Tahun 2026 · Indeks Pemerintah Digital (20 indikator)",
        "Instrumen evaluasi Pemerintah Digital nasional mulai 2026: 7 aspek tanpa domain, "
        "20 indikator bernilai desimal 1,00–5,00; I5, I6, I7 dan I18 dinilai dari indeks "
        "nasional lain. Nama indikator berbeda sedikit antarsalinan lampiran; admin pemda "
        "dapat menyesuaikannya pada salinan sendiri.",
        csv=CSV_2026,
        decimal_values=True,
        bands=BANDS_2026,
        levels=LEVEL_TEMPLATES_2026,
    ),
}
# Installed by the first data migration (0002), with the models of that time.
FIRST_SHIPPED = ("opd-25-template", "permenpanrb-59-2020")

EVIDENCE_GUIDANCE = {
    "proses": (
        "Dokumen kebijakan (peraturan, SK, SOP) yang berlaku, laporan pelaksanaan, "
        "notulen reviu dan bukti tindak lanjut perbaikan."
    ),
    "layanan": (
        "Alamat dan tangkapan layar aplikasi atau layanan, data penggunaan, bukti "
        "integrasi dengan layanan lain, dan hasil survei kepuasan pengguna."
    ),
}


def read_rows(path=SHIPPED_CSV):
    with open(path, newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def _known(model, values):
    """The entries of `values` that are fields of `model` (a migration's historical
    model may not have every field yet)."""
    fields = {field.name for field in model._meta.fields}
    return {key: value for key, value in values.items() if key in fields}


def _domain_no(row):
    return int(row["domain_no"]) if row.get("domain_no") else None


def check_rows(code, rows):
    """Refuse CSV rows whose weights do not add up (ValueError naming the instrument)."""
    errors = weight_errors(
        {(int(r["domain_no"]), Decimal(r["domain_weight"])) for r in rows if r.get("domain_no")},
        {(int(r["aspect_no"]), _domain_no(r), Decimal(r["aspect_weight"])) for r in rows},
        [
            (int(r["indicator_no"]), int(r["aspect_no"]), Decimal(r["indicator_weight"]))
            for r in rows
        ],
    )
    if errors:
        raise ValueError(f"{code}: " + " ".join(errors))


def install_instrument(apps, code, rows, spec, pemda=None):
    """Create (or refresh, by code) one instrument from its CSV rows and its `Shipped`
    description. Idempotent."""
    check_rows(code, rows)
    Instrument = apps.get_model("evaluations", "Instrument")
    Domain = apps.get_model("evaluations", "Domain")
    Aspect = apps.get_model("evaluations", "Aspect")
    Indicator = apps.get_model("evaluations", "Indicator")
    LevelCriterion = apps.get_model("evaluations", "LevelCriterion")
    PredikatBand = apps.get_model("evaluations", "PredikatBand")
    levels = spec.levels or LEVEL_TEMPLATES

    instrument, _ = Instrument.objects.update_or_create(
        kode=code,
        defaults=_known(
            Instrument,
            {
                "nama": spec.name,
                "keterangan": f"{spec.description} {CRITERIA_NOTE}".strip(),
                "pemda": pemda,
                "nilai_desimal": spec.decimal_values,
                "status": "terbit",
            },
        ),
    )
    for lower_bound, band in spec.bands:
        PredikatBand.objects.update_or_create(
            instrument=instrument, nama=band, defaults={"batas_bawah": lower_bound}
        )
    domains, aspects = {}, {}
    for row in rows:
        domain_no, aspect_no = _domain_no(row), int(row["aspect_no"])
        if domain_no is not None and domain_no not in domains:
            domains[domain_no], _ = Domain.objects.update_or_create(
                instrument=instrument,
                nomor=domain_no,
                defaults={"nama": row["domain"], "bobot": Decimal(row["domain_weight"])},
            )
        if aspect_no not in aspects:
            aspects[aspect_no], _ = Aspect.objects.update_or_create(
                instrument=instrument,
                nomor=aspect_no,
                defaults={
                    "domain": domains.get(domain_no),
                    "nama": row["aspect"],
                    "bobot": Decimal(row["aspect_weight"]),
                },
            )
        scale = row.get("scale") or "proses"
        external = (row.get("external_source") or "").strip()
        indicator, _ = Indicator.objects.update_or_create(
            instrument=instrument,
            nomor=int(row["indicator_no"]),
            defaults=_known(
                Indicator,
                {
                    "aspect": aspects[aspect_no],
                    "kode": row.get("indicator_code") or "",
                    "nama": row["indicator"],
                    "bobot": Decimal(row["indicator_weight"]),
                    "skala": scale,
                    "panduan_bukti": EVIDENCE_GUIDANCE[scale],
                    "terkait_tim": bool(row.get("team")),
                    "sumber_eksternal": external,
                    "nilai_bawaan": EXTERNAL_DEFAULT if external else None,
                },
            ),
        )
        for level, (level_name, text) in enumerate(levels[scale], start=1):
            LevelCriterion.objects.get_or_create(
                indicator=indicator,
                level=level,
                defaults={"nama": level_name, "kriteria": text.format(name=row["indicator"])},
            )
    return instrument


def install_shipped_instruments(apps, codes=None):
    """Install (or refresh) the shipped instruments, all of them or those in `codes`."""
    for code, spec in SHIPPED_INSTRUMENTS.items():
        if codes is not None and code not in codes:
            continue
        rows = [r for r in read_rows(spec.csv) if r["instrument"] == code]
        install_instrument(apps, code, rows, spec)


def instrument_weights(instrument_id):
    """The instrument's indicators as the scoring rules see them, in one query."""
    rows = Indicator.objects.filter(instrument_id=instrument_id).values_list(
        "id", "aspect__nomor", "aspect__domain__nomor", "bobot", "nilai_bawaan"
    )
    return [IndicatorWeight(*row) for row in rows]


def predikat_bands(instrument_id):
    """The instrument's predikat bands as (lower bound, name)."""
    return list(
        PredikatBand.objects.filter(instrument_id=instrument_id).values_list("batas_bawah", "nama")
    )
