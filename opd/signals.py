"""Signals the opd app sends for the apps built on it (opd never imports them).

`opds_changed(sender=OPD, opds=[...])` is sent by the OPD registry (services/registry.py)
inside its transaction after OPDs were added or their active years changed. The
evaluations app connects the open periods to it (their assessments follow); a receiver
that raises a ValidationError refuses the change, which is then rolled back.
"""

from django.dispatch import Signal

opds_changed = Signal()
