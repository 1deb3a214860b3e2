"""python manage.py simulate_index --instrument CODE FILE

The index a set of indicator values would give on an instrument, by the same rules as the
stored figures (services.projections.simulate). FILE is a CSV with the header
`nomor_indikator,nilai` (the indicator's number or code, and its value: a whole level, or
for instruments with decimal values a decimal such as 1,26 or 1.26). An indicator missing
from the file counts its external default (an indicator scored from another index,
waiting for its value: 1.00) or, for any other, as not filled: then there is no index
(the figure rule), and the command says which. The last line printed is one JSON object:

    {"indeks": "1.2375", "indeks_bulat": "1.24", "predikat": "Kurang", "aspek": {"1": "1.75", ...}}

Invalid input (unknown instrument, unreadable file, wrong header, unknown indicator,
a value off the scale, a duplicate) gets a message and exit code 1.
"""

import csv
import io
import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from evaluations.models import Indicator, Instrument
from evaluations.services.instruments import instrument_weights, predikat_bands
from evaluations.services.projections import Rules, simulate
from evaluations.services.scoring import clean_value, plain_value, round_index

HEADER = ["nomor_indikator", "nilai"]
MAX_BYTES = 1024 * 1024


class Command(BaseCommand):
    help = "Simulate the index of a set of indicator values on an instrument (CSV file)."

    def add_arguments(self, parser):
        parser.add_argument("--instrument", required=True, help="Instrument code")
        parser.add_argument("file", help="CSV with the header nomor_indikator,nilai")

    def handle(self, *args, **options):
        instrument = Instrument.objects.filter(kode=options["instrument"]).first()
        if instrument is None:
            codes = ", ".join(Instrument.objects.order_by("kode").values_list("kode", flat=True))
            raise CommandError(f"Unknown instrument {options['instrument']!r}; known: {codes}.")
        rows = read(Path(options["file"]))
        indicators = list(Indicator.objects.filter(instrument=instrument).order_by("nomor"))
        by_key = {str(i.nomor): i for i in indicators} | {
            i.kode.lower(): i for i in indicators if i.kode
        }
        values, problems = {}, []
        for line, (key, text) in rows:
            indicator = by_key.get(key.strip().lower())
            if indicator is None:
                problems.append(f"line {line}: indicator {key!r} is not in {instrument.kode}")
                continue
            if indicator.pk in values:
                problems.append(f"line {line}: indicator {indicator.label} is given twice")
                continue
            try:
                values[indicator.pk] = clean_value(text, instrument.nilai_desimal)
            except ValueError:
                scale = "1.00-5.00, two decimals" if instrument.nilai_desimal else "1-5, whole"
                problems.append(f"line {line}: {text!r} is not a value ({scale})")
        if problems:
            raise CommandError("; ".join(problems))
        for indicator in indicators:
            if indicator.pk in values:
                continue
            if indicator.nilai_bawaan is not None:
                values[indicator.pk] = None  # counts its default
                self.stderr.write(
                    f"{indicator.label}: waiting for {indicator.sumber_eksternal}, "
                    f"counted at its default {plain_value(indicator.nilai_bawaan, True)}"
                )
            else:
                self.stderr.write(f"{indicator.label}: not in the file, not filled")
        rules = Rules(tuple(predikat_bands(instrument.pk)))
        result = simulate(instrument_weights(instrument.pk), values, rules)
        if result.index is None:
            self.stderr.write("Not every indicator has a value: there is no index.")
        self.stdout.write(json.dumps(as_json(result), ensure_ascii=False))


def read(path):
    """[(line number, (indicator, value))] of the CSV, or CommandError."""
    try:
        content = path.read_bytes()
    except OSError as exc:
        raise CommandError(f"Cannot read {path}: {exc}") from None
    if len(content) > MAX_BYTES:
        raise CommandError(f"{path} is larger than 1 MB.")
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise CommandError(f"{path} is not a UTF-8 CSV file.") from None
    first = text.split("\n", 1)[0]
    delimiter = ";" if first.count(";") > first.count(",") else ","
    lines = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    if not lines or [c.strip().lower() for c in lines[0]] != HEADER:
        raise CommandError(f"The header must be exactly: {','.join(HEADER)}.")
    rows = []
    for number, cells in enumerate(lines[1:], start=2):
        if not any(c.strip() for c in cells):
            continue
        if len(cells) != 2:
            raise CommandError(f"line {number}: two cells expected, {len(cells)} found.")
        rows.append((number, (cells[0], cells[1])))
    return rows


def as_json(result):
    aspects = {
        str(aspect): str(round_index(value))
        for aspect, value in sorted(result.figures.aspect_indices.items())
    }
    if result.index is None:
        return {"indeks": None, "indeks_bulat": None, "predikat": "", "aspek": aspects}
    return {
        "indeks": str(result.index.normalize()),
        "indeks_bulat": str(result.rounded),
        "predikat": result.predikat,
        "aspek": aspects,
    }
