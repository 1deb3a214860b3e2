from django.core.management.commands import makemessages


class Command(makemessages.Command):
    # A guessed ("fuzzy") translation is worse than none: it shows the wrong text until
    # someone notices. New strings stay untranslated, and the catalogue test names them.
    msgmerge_options = [*makemessages.Command.msgmerge_options, "--no-fuzzy-matching"]
