from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EvaluationsConfig(AppConfig):
    name = "evaluations"
    verbose_name = _("SPBE evaluations")

    def ready(self):
        from opd.signals import opds_changed, team_decided

        # Register the tasks in every process (the web too): queueing sends them by name,
        # and in-process (eager) execution needs them known.
        from . import tasks  # noqa: F401
        from .notifications import on_team_decided
        from .services.periods import opds_changed as follow_opds

        # The open periods follow the OPD registry (opd never imports evaluations).
        opds_changed.connect(follow_opds, dispatch_uid="periods-follow-opds")
        # Team hand-offs are told to the people they concern.
        team_decided.connect(on_team_decided, dispatch_uid="notify-team-decided")
