"""Signals the opd app sends for the apps built on it (opd never imports them).

`opds_changed(sender=OPD, opds=[...])` is sent by the OPD registry (services/registry.py)
inside its transaction after OPDs were added or their active years changed. The
evaluations app connects the open periods to it (their assessments follow); a receiver
that raises a ValidationError refuses the change, which is then rolled back.

`team_decided(sender=TeamProposal, proposal=..., action=..., user=...)` is sent by the
team services (services/teams.py) inside their transaction when a team is proposed,
approved or returned (`action` a TeamEvent.Action); the evaluations app notifies the
people it concerns (evaluations/notifications.py).
"""

from django.dispatch import Signal

opds_changed = Signal()
team_decided = Signal()
