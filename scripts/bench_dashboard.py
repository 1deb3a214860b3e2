"""Time the zone dashboard, the kabupaten ranking and an OPD scorecard on an existing
database (prints, never asserts).

The seeded demo is the intended data set: province 76 has 42 OPDs × 7 yearly periods.

    DATABASE_URL=sqlite:////tmp/demo.sqlite3 .venv/bin/python scripts/bench_dashboard.py
    DATABASE_URL=postgres://... .venv/bin/python scripts/bench_dashboard.py --kode 76 -n 20
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "spbe_dashboard.settings")
os.environ.setdefault("SECRET_KEY", "bench-only")


def main():
    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from evaluations.models import Assessment, Period

    parser = argparse.ArgumentParser()
    parser.add_argument("--kode", default="76")
    parser.add_argument("-n", type=int, default=10)
    options = parser.parse_args()
    settings.ALLOWED_HOSTS = ["*"]

    periods = Period.objects.filter(pemda__kode=options.kode).order_by("-tahun")
    period = periods.first()
    if period is None:
        sys.exit(f"pemda {options.kode} has no period: seed the demo first")
    opds = Assessment.objects.filter(period=period).count()
    opd_kode = Assessment.objects.filter(period=period).order_by("-peringkat")[0].opd.kode
    user = get_user_model().objects.filter(is_superuser=True).first() or get_user_model()(
        username="bench", is_superuser=True, is_staff=True
    )
    if user.pk is None:
        user.save()
    client = Client()
    client.force_login(user)
    print(f"pemda {options.kode}: {opds} OPDs × {periods.count()} periods, {options.n} runs")
    urls = {
        "dashboard": f"/pemda/{options.kode}/dasbor/?tahun={period.tahun}",
        "kabupaten": f"/pemda/{options.kode}/kabupaten/?tahun={period.tahun}",
        "scorecard": f"/pemda/{options.kode}/opd/{opd_kode}/rapor/?tahun={period.tahun}",
    }
    for name, url in urls.items():
        client.get(url)  # warm up (templates, plotly validators)
        timings = []
        for _ in range(options.n):
            with CaptureQueriesContext(connection) as queries:
                start = time.perf_counter()
                response = client.get(url)
                timings.append((time.perf_counter() - start) * 1000)
        print(
            f"{name:10} HTTP {response.status_code}  median {statistics.median(timings):6.1f} ms"
            f"  min {min(timings):6.1f} ms  {len(queries)} queries"
        )


if __name__ == "__main__":
    main()
