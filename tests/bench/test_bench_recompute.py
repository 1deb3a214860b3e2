"""Smoke test of the benchmark command at a tiny size: it builds its synthetic load,
times both paths, cleans up after itself and leaves other data alone. The figures
themselves are not judged here (docs/benchmarks.md records them at full size)."""

from io import StringIO

import pytest
from django.core.management import call_command

from evaluations.models import Assessment, Instrument, Score
from opd.models import Pemda
from tests.factories import ProvinceFactory

pytestmark = pytest.mark.django_db


def test_bench_recompute_prints_its_timings_last_and_cleans_up():
    own = ProvinceFactory(kode="76")
    out = StringIO()
    call_command(
        "bench_recompute",
        "--pemda",
        "4",
        "--opd",
        "3",
        "--indicators",
        "7",
        "--sample",
        "3",
        stdout=out,
    )
    last = out.getvalue().strip().splitlines()[-4:]
    assert last[0].startswith("full set-based recompute: ")
    assert last[1].startswith("per-assessment ORM recompute: ")
    assert last[2].startswith("ratio: ")
    assert last[3].startswith("single-assessment recompute: ")
    assert "12 asesmen, 84 skor" in out.getvalue()
    assert not Pemda.objects.filter(kode__startswith="BENCH-").exists()
    assert not Instrument.objects.filter(kode="bench-recompute").exists()
    assert not Assessment.objects.exists() and not Score.objects.exists()
    assert Pemda.objects.filter(pk=own.pk).exists()
