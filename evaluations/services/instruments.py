"""Installing instruments from their CSV description, and reading an instrument's
weights and predikat bands for the scoring rules.

The two shipped instruments (the 25-indicator OPD template and PermenPANRB 59/2020) are
installed by a data migration from `evaluations/data/instruments.csv`; the same loader
serves `manage.py load_instrument` for a pemda's own instrument. The loader takes the
app registry so that it works with the migration's historical models too.
"""

import csv
from decimal import Decimal
from pathlib import Path

from ..models import Indicator, PredikatBand
from .scoring import DEFAULT_PREDIKAT_BANDS, IndicatorWeight, weight_errors

SHIPPED_CSV = Path(__file__).resolve().parent.parent / "data" / "instruments.csv"

SHIPPED_INSTRUMENTS = {
    "opd-25-template": (
        "Templat Instrumen SPBE OPD (25 indikator)",
        "Templat bawaan aplikasi untuk evaluasi internal OPD, diturunkan dari "
        "PermenPANRB 59/2020 dengan bobot domain nasional. Bukan daftar resmi Keputusan "
        "Gubernur; admin pemda dapat menyesuaikannya.",
    ),
    "permenpanrb-59-2020": (
        "PermenPANRB No. 59 Tahun 2020 (47 indikator)",
        "Instrumen evaluasi SPBE nasional 2020–2025: 4 domain, 8 aspek, 47 indikator.",
    ),
}

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


def install_instrument(apps, code, rows, name, description="", pemda=None):
    """Create (or refresh, by code) one instrument from its CSV rows. Idempotent."""
    errors = weight_errors(
        {(int(r["domain_no"]), Decimal(r["domain_weight"])) for r in rows},
        {(int(r["aspect_no"]), int(r["domain_no"]), Decimal(r["aspect_weight"])) for r in rows},
        [
            (int(r["indicator_no"]), int(r["aspect_no"]), Decimal(r["indicator_weight"]))
            for r in rows
        ],
    )
    if errors:
        raise ValueError(f"{code}: " + " ".join(errors))

    Instrument = apps.get_model("evaluations", "Instrument")
    Domain = apps.get_model("evaluations", "Domain")
    Aspect = apps.get_model("evaluations", "Aspect")
    Indicator = apps.get_model("evaluations", "Indicator")
    LevelCriterion = apps.get_model("evaluations", "LevelCriterion")
    PredikatBand = apps.get_model("evaluations", "PredikatBand")

    instrument, _ = Instrument.objects.update_or_create(
        kode=code,
        defaults={
            "nama": name,
            "keterangan": f"{description} {CRITERIA_NOTE}".strip(),
            "pemda": pemda,
        },
    )
    for lower_bound, band in DEFAULT_PREDIKAT_BANDS:
        PredikatBand.objects.update_or_create(
            instrument=instrument, nama=band, defaults={"batas_bawah": lower_bound}
        )
    domains, aspects = {}, {}
    for row in rows:
        domain_no, aspect_no = int(row["domain_no"]), int(row["aspect_no"])
        if domain_no not in domains:
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
                    "domain": domains[domain_no],
                    "nama": row["aspect"],
                    "bobot": Decimal(row["aspect_weight"]),
                },
            )
        scale = row["scale"]
        defaults = {
            "aspect": aspects[aspect_no],
            "nama": row["indicator"],
            "bobot": Decimal(row["indicator_weight"]),
            "skala": scale,
            "panduan_bukti": EVIDENCE_GUIDANCE[scale],
            "terkait_tim": bool(row.get("team")),
        }
        # Older migrations replay this loader with their own (historical) models, which
        # may not have every field yet.
        known = {field.name for field in Indicator._meta.fields}
        indicator, _ = Indicator.objects.update_or_create(
            instrument=instrument,
            nomor=int(row["indicator_no"]),
            defaults={key: value for key, value in defaults.items() if key in known},
        )
        for level, (level_name, text) in enumerate(LEVEL_TEMPLATES[scale], start=1):
            LevelCriterion.objects.get_or_create(
                indicator=indicator,
                level=level,
                defaults={"nama": level_name, "kriteria": text.format(name=row["indicator"])},
            )
    return instrument


def install_shipped_instruments(apps):
    rows = read_rows()
    for code, (name, description) in SHIPPED_INSTRUMENTS.items():
        install_instrument(
            apps, code, [r for r in rows if r["instrument"] == code], name, description
        )


def instrument_weights(instrument_id):
    """The instrument's indicators as the scoring rules see them, in one query."""
    rows = Indicator.objects.filter(instrument_id=instrument_id).values_list(
        "id", "aspect__nomor", "aspect__domain__nomor", "bobot"
    )
    return [IndicatorWeight(*row) for row in rows]


def predikat_bands(instrument_id):
    """The instrument's predikat bands as (lower bound, name)."""
    return list(
        PredikatBand.objects.filter(instrument_id=instrument_id).values_list("batas_bawah", "nama")
    )
