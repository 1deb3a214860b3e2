"""Smoke test of the benchmark command at a tiny size: it builds its synthetic load,
times our recompute against the hand-written SQL floor (which must store exactly our
figures, or the comparison means nothing), cleans up after itself and leaves other data
alone. The timings themselves are not judged here (docs/benchmarks.md records them at
full size)."""

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
    last = out.getvalue().strip().splitlines()[-6:]
    assert last[0] == "same figures as the SQL floor: yes (12 assessments, 4 summaries)"
    assert last[1].startswith("full set-based recompute: ")
    assert last[2].startswith("hand-written SQL floor: ")
    assert last[3].startswith("ratio to the floor: ")
    assert last[4].startswith("single-assessment recompute in the worker: ")
    assert last[5].startswith("per-assessment path: ")
    assert "12 asesmen, 84 skor" in out.getvalue()
    assert not Pemda.objects.filter(kode__startswith="BENCH-").exists()
    assert not Instrument.objects.filter(kode="bench-recompute").exists()
    assert not Assessment.objects.exists() and not Score.objects.exists()
    assert Pemda.objects.filter(pk=own.pk).exists()
