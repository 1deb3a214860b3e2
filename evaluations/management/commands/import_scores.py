"""Import levels from a CSV or XLSX file (the same rules as the /impor/ page)."""

from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from evaluations.services import imports


class Command(BaseCommand):
    help = (
        "Import evaluator levels and notes (or, with --mandiri, self-assessed levels on the "
        "OPDs' behalf) from a CSV or XLSX file with the header "
        + ",".join(imports.HEADER)
        + ". Nothing is written unless every row is valid."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="CSV or XLSX file")
        parser.add_argument(
            "--user",
            help="Username the changes are recorded for (and whose rights apply). "
            "Required for evaluator levels.",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="Only check the file; write nothing."
        )
        parser.add_argument(
            "--mandiri",
            action="store_true",
            help="Set self-assessed levels on the OPDs' behalf (only while their "
            "self-assessment is open; recorded as an administrator's import).",
        )

    def handle(self, *args, **options):
        user = None
        if options["user"]:
            try:
                user = get_user_model().objects.get(username=options["user"], is_active=True)
            except get_user_model().DoesNotExist:
                raise CommandError(f"Unknown or inactive user: {options['user']}") from None
        path = Path(options["file"])
        try:
            content = path.read_bytes()
        except OSError as exc:
            raise CommandError(f"Cannot read {path}: {exc}") from None
        mode = imports.SELF if options["mandiri"] else imports.EVALUATOR
        result, summary = imports.import_file(
            user, content, path.name, dry_run=options["dry_run"], mode=mode
        )
        if not result.is_valid:
            for error in result.errors:
                where = f"row {error.row}" if error.row else "file"
                column = f" [{error.column}]" if error.column else ""
                self.stderr.write(f"{where}{column}: {error.message}")
            raise CommandError(
                f"{len(result.errors)} error(s) in {len(result.invalid_rows) or 'the'} "
                f"row(s) of {path.name}: nothing was imported."
            )
        if summary is None:
            self.stdout.write(f"{len(result.rows)} rows are valid (dry run: nothing written).")
            return
        self.stdout.write(
            self.style.SUCCESS(
                f"{summary.rows} rows imported: {summary.scores_changed} indicator scores "
                f"changed ({summary.fields_changed} values) in {len(summary.assessments)} "
                "assessments."
            )
        )
