"""Export a period's results (one row per OPD) as JSON, CSV or XLSX."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from evaluations.models import Period
from evaluations.services import exports


class Command(BaseCommand):
    help = (
        "Export the results of a pemda's period: kode_opd, nama, indeks, predikat, zona, "
        "peringkat, the domain indices and every indicator's level, ordered by rank."
    )

    def add_arguments(self, parser):
        parser.add_argument("--pemda", required=True, help="Region code, e.g. 76 or 76.02")
        parser.add_argument("--tahun", required=True, type=int, help="Year, e.g. 2024")
        parser.add_argument(
            "--triwulan", type=int, choices=[1, 2, 3, 4], help="Quarter (quarterly periods)"
        )
        parser.add_argument("--format", choices=sorted(exports.FORMATS), default="json")
        parser.add_argument("--output", help="File to write (default: standard output)")

    def handle(self, *args, **options):
        try:
            period = Period.objects.select_related("pemda").get(
                pemda__kode=options["pemda"],
                tahun=options["tahun"],
                triwulan=options["triwulan"],
            )
        except Period.DoesNotExist:
            raise CommandError(
                f"No period {options['tahun']} for the regional government {options['pemda']}."
            ) from None
        content, _type, _name = exports.export(period, options["format"])
        if options["output"]:
            Path(options["output"]).write_bytes(content)
            self.stderr.write(f"Written {options['output']}")
        elif options["format"] == "xlsx" and self.stdout.isatty():
            raise CommandError("XLSX is binary: give --output FILE.")
        else:
            self.stdout.flush()
            out = getattr(self.stdout._out, "buffer", None)
            if out is None:  # a text stream (call_command with StringIO)
                self.stdout._out.write(content.decode("utf-8-sig", errors="replace"))
            else:
                out.write(content)
                out.flush()
