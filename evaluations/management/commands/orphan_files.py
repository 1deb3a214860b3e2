"""python manage.py orphan_files [--delete]

Lists the files under MEDIA_ROOT that no row references (evaluations/services/storage.py)
with their sizes; --delete removes them. Exits 1 when it found some and did not delete
them, so a cron job or a monitoring check can notice.
"""

from django.core.management.base import BaseCommand

from evaluations.services import storage


class Command(BaseCommand):
    help = "List (or with --delete remove) uploaded files that nothing references."

    def add_arguments(self, parser):
        parser.add_argument("--delete", action="store_true", help="remove the files found")

    def handle(self, *args, delete=False, **options):
        found = storage.orphan_files()
        for name, size in found:
            self.stdout.write(f"{size:>12}  {name}")
        total = sum(size for _name, size in found)
        if delete:
            removed = storage.remove(name for name, _size in found)
            self.stdout.write(f"{removed} unreferenced file(s) removed, {total} bytes.")
        else:
            self.stdout.write(f"{len(found)} unreferenced file(s), {total} bytes.")
            if found:
                raise SystemExit(1)
