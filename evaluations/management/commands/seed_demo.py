"""`manage.py seed_demo`: the Sulawesi Barat demo data (see evaluations.services.demo)."""

import time

from django.core.management.base import BaseCommand, CommandError

from evaluations.models import Instrument
from evaluations.services.demo import INSTRUMENT_KODE, seed_demo


class Command(BaseCommand):
    help = (
        "Create or refresh the demo data: Provinsi Sulawesi Barat, its six kabupaten, "
        "their OPDs, the 2019–2025 evaluations and the demo logins. Safe to run again; "
        "the password comes from SPBE_DEMO_PASSWORD (default demo-spbe-2025)."
    )

    def handle(self, *args, **options):
        started = time.monotonic()
        try:
            summary = seed_demo()
        except Instrument.DoesNotExist as error:
            raise CommandError(
                f"Instrumen {INSTRUMENT_KODE} belum terpasang; jalankan `manage.py migrate` dulu."
            ) from error
        elapsed = time.monotonic() - started

        def line(label, tally, created=True, changed=True):
            parts = []
            if created:
                parts.append(f"baru {tally.created}")
            if changed:
                parts.append(f"diubah {tally.changed}")
            self.stdout.write(f"  {label:<11} {tally.total:>6}  ({', '.join(parts)})")

        self.stdout.write(self.style.SUCCESS(f"Data demo SPBE siap ({elapsed:.1f} detik)."))
        line("Pemda", summary.pemda)
        line("OPD", summary.opd)
        line("Periode", summary.periods)
        line("Penilaian", summary.assessments, changed=False)
        line("Skor", summary.scores, created=False)
        line("Pengguna", summary.users)
        self.stdout.write(f"  Periode yang dihitung ulang: {summary.recomputed}")
        if options["verbosity"] > 1:
            self.stdout.write("Rata-rata indeks OPD per pemda dan tahun:")
            for (kode, year), average in sorted(summary.averages.items()):
                shown = "-" if average is None else f"{average:.2f}"
                self.stdout.write(f"  {kode:<6} {year}  {shown}")
