"""python manage.py create_api_token USERNAME: a new API token for the account (its old
one stops working); prints the key."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from opd.services import api_tokens


class Command(BaseCommand):
    help = "Create a new API token for an account (replacing its old one) and print it."

    def add_arguments(self, parser):
        parser.add_argument("username")

    def handle(self, *args, **options):
        user = get_user_model().objects.filter(username=options["username"]).first()
        if user is None:
            raise CommandError(f"Akun {options['username']!r} tidak ada.")
        if not user.is_active:
            raise CommandError(f"Akun {options['username']!r} tidak aktif.")
        self.stdout.write(api_tokens.create_token(user))
