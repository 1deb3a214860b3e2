"""python manage.py recompute_zones [--pemda KODE] [--tahun YYYY] [--sync]

Queues a recompute of the stored figures (index, predikat, zone, rank, summaries) of
every period, or of one pemda's and/or one year's; with --sync it runs here instead of
on a worker. Also the way to catch up after the broker was down.
"""

import time

from django.core.management.base import BaseCommand, CommandError
from kombu.exceptions import OperationalError as BrokerError

from evaluations.services.recompute import periods_to_recompute, recompute_periods
from evaluations.tasks import recompute_all_task
from opd.models import Pemda


class Command(BaseCommand):
    help = "Recompute indices, zones and ranks (queued, or in this process with --sync)."

    def add_arguments(self, parser):
        parser.add_argument("--pemda", metavar="KODE", help="only this regional government")
        parser.add_argument("--tahun", type=int, metavar="YYYY", help="only this year")
        parser.add_argument("--sync", action="store_true", help="run here, not on a worker")

    def handle(self, *args, pemda=None, tahun=None, sync=False, **options):
        pemda_obj = None
        if pemda:
            pemda_obj = Pemda.objects.filter(kode=pemda).first()
            if pemda_obj is None:
                raise CommandError(f"Pemda dengan kode {pemda!r} tidak ditemukan.")
        scope = " ".join(
            part
            for part in (
                f"pemda {pemda_obj}" if pemda_obj else "semua pemda",
                f"tahun {tahun}" if tahun else "semua tahun",
            )
        )
        period_ids = periods_to_recompute(pemda, tahun)
        if not period_ids:
            self.stdout.write(f"Tidak ada periode untuk {scope}.")
            return
        if sync:
            started = time.perf_counter()
            count = recompute_periods(period_ids)
            self.stdout.write(
                f"Dihitung ulang: {len(period_ids)} periode, {count} asesmen ({scope}) "
                f"dalam {time.perf_counter() - started:.2f} detik."
            )
            return
        try:
            result = recompute_all_task.delay(pemda_obj.pk if pemda_obj else None, tahun)
        except BrokerError as exc:
            raise CommandError(
                f"Broker tidak dapat dihubungi ({exc}); jalankan lagi dengan --sync."
            ) from exc
        self.stdout.write(
            f"Diantrekan: hitung ulang {len(period_ids)} periode ({scope}), tugas {result.id}."
        )
